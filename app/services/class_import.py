"""A class's export (``ClassService.export``, from this server or another) as the rows of a new class.

What comes over: the title, the assignment (checked as a new one is, its hidden test points too),
the members as names, the leaderboard's entries with their scores and parameter counts, and the
gallery's pins with the networks they open. An imported member is a name without a person: its
owner is ``imported:<id>``, which no request can name (a cookie's owner is signed by this server,
a token's is stored by it), so nobody acts as one; their entries stay as they were scored, and the
lecturer renames or removes them as any member. What stays behind: the students' jobs and networks
(the export's ``jobs`` section is a record of them, not carried), the old class's id, code, state
and creation time, and the networks of the submissions the gallery does not pin.

The request model has checked each value alone; what is checked here is how they fit together
(member ids, one entry per member, the assignment's metric, each pinned network against its data),
each problem a ``SpecError`` naming its field in the document.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.nn import Dataset, Network, SpecError, check_fits

from .specs import Limits, network_spec
from .store import new_id

IMPORTED_OWNER = "imported:"  # an imported member's owner: this prefix and a new id
SECTIONS = ("members", "leaderboard", "jobs", "gallery")  # each at most one row per member


def is_imported(owner: str) -> bool:
    return owner.startswith(IMPORTED_OWNER)


def parse_instant(text: str) -> float:
    """An ISO 8601 time with its offset (``2025-01-31T09:00:00.000Z``, as the export writes them) in
    seconds since the epoch; ``ValueError`` for a time without an offset or none at all."""
    try:
        moment = datetime.fromisoformat(text.upper())
        if moment.tzinfo is not None:
            return moment.timestamp()
    except (ValueError, OverflowError):
        pass
    raise ValueError("must be an ISO 8601 time with its offset from UTC, such as 2025-01-31T09:00:00.000Z")


def check_sizes(document: dict[str, Any], max_members: int | None) -> None:
    """Every section within the class's members limit (``NNVIZ_CLASS_MEMBERS``)."""
    for section in SECTIONS:
        if max_members is not None and len(document.get(section) or []) > max_members:
            raise SpecError(section, f"at most {max_members} (a class's members, NNVIZ_CLASS_MEMBERS, one row each)")


def imported_members(members: list[dict[str, Any]], name_key: Any) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The members' rows, each with a new id and an owner nobody is, and their ids (the document's
    to the new ones). ``name_key``: the class's rule for names that count as one."""
    rows, ids, names = [], {}, set()
    for i, member in enumerate(members):
        if member["id"] in ids:
            raise SpecError(f"members[{i}].id", "names a member listed before")
        key = name_key(member["name"])
        if key in names:
            raise SpecError(f"members[{i}].name", "a member listed before has this name (names are one whatever "
                                                  "their case)")
        ids[member["id"]], names = new_id(), names | {key}
        rows.append({"id": ids[member["id"]], "owner": IMPORTED_OWNER + new_id(), "name": member["name"],
                     "name_key": key, "joined_at": parse_instant(member["joined_at"])})
    return rows, ids


def imported_submissions(entries: list[dict[str, Any]], member_ids: dict[str, str],
                         metric: str | None) -> dict[str, dict[str, Any]]:
    """The leaderboard's entries as submission rows without a network, by their id in the document.
    ``metric``: the assignment's (None: the document has no assignment, so it can have no entries)."""
    rows: dict[str, dict[str, Any]] = {}
    members: set[str] = set()
    if entries and metric is None:
        raise SpecError("leaderboard", "entries need the assignment they were scored for (assignment is null)")
    for i, entry in enumerate(entries):
        field = f"leaderboard[{i}]"
        if entry["id"] in rows:
            raise SpecError(f"{field}.id", "names an entry listed before")
        if entry["member_id"] not in member_ids:
            raise SpecError(f"{field}.member_id", "names no member of the document's members")
        if entry["member_id"] in members:
            raise SpecError(f"{field}.member_id", "a member has one entry on the leaderboard; this one has two")
        if entry["metric"] != metric:
            raise SpecError(f"{field}.metric", f"must be {metric!r}, the assignment's")
        if entry["score"] is not None and metric == "accuracy" and not 0 <= entry["score"] <= 1:
            raise SpecError(f"{field}.score", "an accuracy is from 0 to 1")
        members.add(entry["member_id"])
        rows[entry["id"]] = {
            "id": new_id(), "member_id": member_ids[entry["member_id"]], "network_id": "", "spec": {}, "weights": {},
            "score": entry["score"], "metric": metric, "scored_on": entry["scored_on"],
            "parameters": entry["parameters"], "submitted_at": parse_instant(entry["submitted_at"]),
            "caption": None, "pinned_at": None}
    return rows


def pin_imported(submissions: dict[str, dict[str, Any]], pins: list[dict[str, Any]], limits: Limits,
                 data: Dataset | None) -> None:
    """Give each pinned submission its caption and its network, checked against the assignment's
    ``data`` and its entry's parameter count."""
    for i, pin in enumerate(pins):
        field = f"gallery[{i}]"
        row = submissions.get(pin["id"])
        if row is None or data is None:
            raise SpecError(f"{field}.id", "names no entry of the document's leaderboard")
        if row["pinned_at"] is not None:
            raise SpecError(f"{field}.id", "names an entry pinned before")
        try:
            net = Network(network_spec(pin["network"]["spec"], limits, field="spec"))
            net.set_weights(pin["network"]["weights"])  # its SpecError names weights or weights.<name>
            check_fits(net, data)
        except SpecError as exc:
            raise exc.within(f"{field}.network") from None
        parameters = net.spec.counts()["parameters"]
        if parameters != row["parameters"]:
            raise SpecError(f"{field}.network", f"has {parameters} parameters; its leaderboard entry says "
                                                f"{row['parameters']}")
        row |= {"spec": net.spec.to_dict(), "weights": net.get_weights(), "caption": pin["caption"],
                "pinned_at": parse_instant(pin["pinned_at"])}
