"""Classes: a lecturer, a room of students who joined by a short code, and the assignment they work on.

A class is led by the person who made it (their cookie identity or token: its ``owner``). Students
join without an account: the code and a display name make their identity (a cookie, as anywhere on
the site) a member. Everything about a class is read through who asks: its lecturer sees all of it,
a member sees the title, the state, the members' names and the assignment (never its hidden test
set), and anyone else finds nothing (``NotFound``, as for a class that never existed). A member who
asks for a lecturer's action is refused (``Forbidden``). An ended class is read-only and removed
``class_ttl`` seconds later (``expiry.py``).

The assignment is a Playground setup (data, network, training) checked exactly as a job's is, a
prompt, and which settings the students may change (``CLASS_SETTINGS``: the one list of what a
lecturer can lock, served by ``GET /api/catalog``). When it changes, every member's open page hears
of it at once: the class's key on the jobs' ``Hub`` (and, across servers, the bus) is published.
"""

from __future__ import annotations

import io
import secrets
import time
from collections.abc import Callable
from typing import Any, Protocol

import segno
from sqlalchemy.exc import IntegrityError

from app.nn import SpecError, TrainConfig, check_points

from .bus import Bus
from .class_import import check_sizes, imported_members, imported_submissions, is_imported, pin_imported
from .class_results import ClassResults
from .class_settings import CLASS_SETTINGS
from .crowd import chosen_setting
from .data_specs import build_dataset, resolve_data_spec
from .events import Hub
from .owners import over_limit
from .specs import Conflict, Forbidden, Limits, NotFound, check_budget, network_spec, train_config
from .store import Full, Store, iso_time

# Six characters without lookalikes (no 0/O, 1/I/L): 30⁶, about 7·10⁸ codes, so a guess finds a
# live class about once in millions of tries; joins per address are limited besides.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
CODE_TRIES = 8  # a new code is drawn again when it is taken (rare)
EVENT_PREFIX = "class:"  # a class's key on the hub and the bus, beside the jobs' ids


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(code: str) -> str:
    """A code as typed (lower case, spaces or a dash in the middle) as it is stored."""
    return "".join(code.split()).replace("-", "").upper()


def name_key(name: str) -> str:
    """Names are unique in a class whatever their case: "Ada" and "ADA" are one name."""
    return name.casefold()


def join_qr(url: str) -> str:
    """The join link as a QR code: an SVG document for inline use (dark on white, so it scans on any
    page colour), with its namespace, so that a page may parse it as the image it is."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", xmldecl=False, svgns=True, nl=False, scale=4, dark="#000",
                                    light="#fff", omitsize=True, title=f"QR code of {url}")
    return out.getvalue().decode().replace("<svg ", '<svg role="img" ', 1)


def _network_values(spec: dict[str, Any], seed: int | None) -> dict[str, Any]:
    """A network spec's values as a lock compares them: no input features means the inputs themselves."""
    features = spec.get("features") or (["x1", "x2"] if spec.get("input_dim") == 2 else None)
    return spec | {"features": list(features) if features else None, "seed": seed}


class NetworkRoom(Protocol):
    """What a copy from the gallery asks of the networks (``networks.NetworkService.check_room``)."""

    def check_room(self, owner: str | None) -> None: ...


class ClassService(ClassResults):
    """``members``: most members a class may have; ``per_lecturer``: live classes one person may lead;
    ``ttl``: seconds an ended class is kept (for its ``expires_at``)."""

    def __init__(self, store: Store, limits: Limits, hub: Hub, bus: Bus, per_lecturer: int | None = None,
                 members: int | None = None, ttl: float = 0.0, clock: Callable[[], float] = time.time):
        self.store, self.limits, self.hub, self.bus = store, limits, hub, bus
        self.per_lecturer, self.max_members, self.ttl, self.clock = per_lecturer, members, ttl, clock
        self.networks: NetworkRoom | None = None  # whether a person may keep one more network (Services sets it)

    # --- who asks --------------------------------------------------------------------------------

    def _class(self, class_id: str, owner: str, hidden_test: bool = False) -> tuple[dict[str, Any], str]:
        """The class and the asker's role in it (``lecturer`` or ``member``); ``NotFound`` for anyone else."""
        row = self.store.get_class(class_id, hidden_test)
        if row is not None:
            if row["owner"] == owner:
                return row, "lecturer"
            if self.store.member(row["id"], owner) is not None:
                return row, "member"
        raise NotFound(f"no class with id {class_id!r}")

    def _lectured(self, class_id: str, owner: str, open_only: bool = True) -> dict[str, Any]:
        """The class, when ``owner`` leads it (``Forbidden`` for a member) and (``open_only``) it has not ended."""
        row, role = self._class(class_id, owner, hidden_test=True)
        if role != "lecturer":
            raise Forbidden("only the class's lecturer may do this")
        if open_only and row["ended_at"] is not None:
            raise Conflict("this class has ended: it is read-only")
        return row

    # --- the class -------------------------------------------------------------------------------

    def create(self, title: str, owner: str, base_url: str) -> dict[str, Any]:
        """A new class led by ``owner`` (``PersonLimit`` when they lead as many live ones as one may)."""
        row = self._with_new_code(lambda code: self.store.create_class(owner, title, code, self.per_lecturer))
        return self._view(row, "lecturer", owner, base_url)

    @staticmethod
    def _with_new_code(write: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
        """``write(code)`` with a new code, drawn again when it is taken (rare); ``Full`` as ``PersonLimit``."""
        for _ in range(CODE_TRIES):
            try:
                return write(new_code())
            except Full as full:
                raise over_limit(full) from None
            except IntegrityError:
                continue
        raise Conflict("could not find a free class code; try again")

    def import_(self, document: dict[str, Any], owner: str, base_url: str) -> dict[str, Any]:
        """A new class led by ``owner`` from a class's export (``export``; the request model has
        checked each value alone): its title, assignment, members (names nobody can act as),
        leaderboard and gallery, in one transaction (``class_import`` says what stays behind).
        ``SpecError`` naming the document's field; ``PersonLimit`` as ``create``."""
        check_sizes(document, self.max_members)
        assignment, hidden_test, data = None, None, None
        if document.get("assignment") is not None:
            request = document["assignment"]
            setup = self.check_setup(request["setup"], field="assignment.setup")
            if request.get("hidden_test") is not None:
                try:
                    hidden_test = self._check_hidden_test(request["hidden_test"], setup["data"])
                except SpecError as exc:
                    raise exc.within("assignment") from None
            assignment = {"setup": setup, "prompt": request.get("prompt", ""), "unlocked": request.get("unlocked", []),
                          "version": 1, "updated_at": self.clock()}
            data = build_dataset(setup["data"])
        members, member_ids = imported_members(document.get("members") or [], name_key)
        metric = None if data is None else "r2" if data.task == "regression" else "accuracy"
        submissions = imported_submissions(document.get("leaderboard") or [], member_ids, metric)
        pin_imported(submissions, document.get("gallery") or [], self.limits, data)
        title = document["class"]["title"]
        row = self._with_new_code(lambda code: self.store.import_class(
            owner, title, code, assignment, hidden_test, members, list(submissions.values()), self.per_lecturer))
        return self._view(row, "lecturer", owner, base_url)

    def list(self, owner: str, base_url: str) -> list[dict[str, Any]]:
        """The classes ``owner`` leads or has joined, newest first, without their member lists."""
        return [self._summary(row, "lecturer" if row["owner"] == owner else "member", base_url)
                for row in self.store.classes_of(owner)]

    def get(self, class_id: str, owner: str, base_url: str) -> dict[str, Any]:
        row, role = self._class(class_id, owner)
        return self._view(row, role, owner, base_url)

    def set_joining(self, class_id: str, joining: bool, owner: str, base_url: str) -> dict[str, Any]:
        row = self._lectured(class_id, owner)
        self.store.update_class(row["id"], joining=joining)
        return self.get(class_id, owner, base_url)

    def end(self, class_id: str, owner: str, base_url: str) -> dict[str, Any]:
        """End the class: nobody joins it any more, nothing in it changes; it is removed ``ttl`` seconds later."""
        row = self._lectured(class_id, owner)
        self.store.update_class(row["id"], ended_at=self.clock(), joining=False)
        self.announce(row["id"])
        return self.get(class_id, owner, base_url)

    def _state(self, row: dict[str, Any]) -> str:
        return "ended" if row["ended_at"] is not None else "open" if row["joining"] else "closed"

    def _summary(self, row: dict[str, Any], role: str, base_url: str) -> dict[str, Any]:
        ended = row["ended_at"]
        return {"id": row["id"], "title": row["title"], "role": role, "state": self._state(row),
                "joining": bool(row["joining"]) and ended is None, "created_at": iso_time(row["created_at"]),
                "ended_at": iso_time(ended),
                "expires_at": iso_time(ended + self.ttl) if ended is not None and self.ttl > 0 else None,
                "code": row["code"], "join_url": f"{base_url}/join/{row['code']}",
                "assignment_version": (row["assignment"] or {}).get("version", 0)}

    def _view(self, row: dict[str, Any], role: str, owner: str, base_url: str) -> dict[str, Any]:
        view = self._summary(row, role, base_url)
        members = self.store.members(row["id"])
        if role == "lecturer":
            view["members"] = [{"id": m["id"], "name": m["name"], "joined_at": iso_time(m["joined_at"]),
                                "imported": is_imported(m["owner"])} for m in members]
            view["qr_svg"] = join_qr(view["join_url"])
            view["you"] = None
        else:
            view["members"] = [{"id": None, "name": m["name"], "joined_at": None, "imported": is_imported(m["owner"])}
                               for m in members]
            view["qr_svg"] = None
            view["you"] = next(({"id": m["id"], "name": m["name"]} for m in members if m["owner"] == owner), None)
        view["member_count"] = len(members)
        assignment = row["assignment"]
        view["prompt"] = assignment["prompt"] if assignment else None
        return view

    # --- members ---------------------------------------------------------------------------------

    def join(self, code: str, name: str, owner: str, base_url: str) -> tuple[dict[str, Any], bool]:
        """Make ``owner`` a member of the class with ``code`` under ``name`` (already trimmed and
        checked by the request model). Returns (the class as the member sees it, whether they joined
        just now: False when they already were a member, whatever name they gave this time)."""
        row = self.store.class_by_code(normal_code(code))
        if row is None:
            raise SpecError("code", "no class has this code; check it with your lecturer")
        if row["owner"] == owner:
            raise Conflict("you lead this class: your students join it with this code", field="code")
        outcome, _member = self.store.join_class(row["id"], owner, name, name_key(name), self.max_members)
        refusals = {
            "gone": SpecError("code", "no class has this code; check it with your lecturer"),
            "ended": Conflict("this class has ended: joining is closed", field="code"),
            "closed": Conflict("joining this class is closed: ask your lecturer to open it", field="code"),
            "taken": Conflict("someone in this class already has this name: choose another", field="name"),
            "full": Conflict(f"this class is full: it has {self.max_members} members, the most a class may have "
                             "(NNVIZ_CLASS_MEMBERS)", field="code"),
        }
        if outcome in refusals:
            raise refusals[outcome]
        return self._view(row, "member", owner, base_url), outcome == "joined"

    def rename_member(self, class_id: str, member_id: str, name: str, owner: str) -> dict[str, Any]:
        row = self._lectured(class_id, owner)
        renamed = self.store.rename_member(row["id"], member_id, name, name_key(name))
        if renamed is None:
            raise NotFound(f"no member with id {member_id!r} in this class")
        if not renamed:
            raise Conflict("someone in this class already has this name: choose another", field="name")
        return {"id": member_id, "name": name}

    def remove_member(self, class_id: str, member_id: str, owner: str) -> None:
        row = self._lectured(class_id, owner)
        if not self.store.delete_member(row["id"], member_id):
            raise NotFound(f"no member with id {member_id!r} in this class")
        self.announce(row["id"])  # the removed member's open page stops following the class

    # --- the assignment ---------------------------------------------------------------------------

    def check_setup(self, setup: dict[str, Any], field: str = "setup") -> dict[str, Any]:
        """A Playground setup checked as a training job's request is (its data resolved, so that every
        student regenerates the same points); ``SpecError`` naming the field (``setup.network.hidden``)."""
        data_request = setup.get("data") or {}
        if data_request.get("id"):
            raise SpecError(f"{field}.data.id", "a class's data is a generated data set: students cannot read "
                                                "your uploads")
        data_spec = resolve_data_spec(data_request, self.limits, field=f"{field}.data")
        data = build_dataset(data_spec)
        network = setup.get("network") or {}
        spec = network_spec(network, self.limits, data, field=f"{field}.network")
        config = train_config(setup.get("training") or {}, self.limits, field=f"{field}.training")
        check_budget(config, data, spec.counts()["parameters"], self.limits, field=f"{field}.training")
        return {"data": data_spec, "network": network | {"loss": spec.loss}, "training": setup.get("training") or {}}

    def _check_hidden_test(self, hidden_test: dict[str, Any], data_spec: dict[str, Any]) -> dict[str, Any]:
        if len(hidden_test["points"]) > self.limits.max_added_points:
            raise SpecError("hidden_test.points", f"at most {self.limits.max_added_points} points "
                                                  "(NNVIZ_MAX_ADDED_POINTS)")
        data = build_dataset(data_spec)
        try:
            rows = check_points(hidden_test["points"], data.input_dim, data.task, data.n_classes)
        except SpecError as exc:
            raise exc.within("hidden_test") from None
        return {"points": rows}

    def set_assignment(self, class_id: str, request: dict[str, Any], owner: str) -> dict[str, Any]:
        """Give the class a new assignment (``request``: setup, prompt, unlocked, hidden_test, crowd; the
        request model has checked each alone) and tell every member's open page. Without ``crowd`` the
        crowd experiment keeps its setting while the new assignment leaves it unlocked."""
        row = self._lectured(class_id, owner)
        setup = self.check_setup(request["setup"])
        hidden_test = request.get("hidden_test")
        if hidden_test is not None:
            hidden_test = self._check_hidden_test(hidden_test, setup["data"])
        version = (row["assignment"] or {}).get("version", 0) + 1
        unlocked = request.get("unlocked", [])
        assignment = {"setup": setup, "prompt": request.get("prompt", ""), "unlocked": unlocked,
                      "crowd": chosen_setting(request, row["assignment"], unlocked), "version": version,
                      "updated_at": self.clock()}
        self.store.update_class(row["id"], assignment=assignment, hidden_test=hidden_test)
        self.announce(row["id"])
        return self._assignment(assignment, hidden_test, "lecturer")

    def assignment(self, class_id: str, owner: str) -> dict[str, Any]:
        """The class's assignment as the asker may see it: its hidden test set for the lecturer only."""
        row, role = self._class(class_id, owner, hidden_test=True)
        if row["assignment"] is None:
            raise NotFound("this class has no assignment yet")
        return self._assignment(row["assignment"], row.get("hidden_test"), role)

    @staticmethod
    def _assignment(assignment: dict[str, Any], hidden_test: dict[str, Any] | None, role: str) -> dict[str, Any]:
        public = {key: assignment[key] for key in ("setup", "prompt", "unlocked", "version")}
        public["crowd"] = assignment.get("crowd")
        public["updated_at"] = iso_time(assignment["updated_at"])
        public["settings"] = [{"name": setting.name, "label": setting.label,
                               "locked": setting.name not in assignment["unlocked"]} for setting in CLASS_SETTINGS]
        public["hidden_test"] = hidden_test if role == "lecturer" else None
        return public

    # --- jobs made for the assignment --------------------------------------------------------------

    def check_job(self, class_id: str, owner: str | None, data_spec: dict[str, Any], spec: dict[str, Any],
                  seed: int | None, config: TrainConfig) -> None:
        """A job made for the class (``class_id`` in its request) by ``owner``: its resolved data spec,
        its network's spec (``NetworkSpec.to_dict``) and initial seed (None: a stored network goes on)
        and its training config. A member's job must keep every locked setting as the assignment
        has it; ``SpecError`` naming the first field that does not (or ``class_id``). The lecturer
        may try anything."""
        row = self.store.get_class(class_id)
        if row is None or owner is None or (row["owner"] != owner and self.store.member(row["id"], owner) is None):
            raise SpecError("class_id", "you are not in a class with this id")
        if row["ended_at"] is not None:
            raise SpecError("class_id", "this class has ended")
        if row["owner"] == owner:
            return
        assignment = row["assignment"]
        if assignment is None:
            raise SpecError("class_id", "this class has no assignment yet")
        setup = assignment["setup"]
        data = build_dataset(setup["data"])
        expected = {"data": setup["data"], "training": vars(train_config(setup["training"], self.limits)),
                    "network": _network_values(network_spec(setup["network"], self.limits, data).to_dict(),
                                               setup["network"].get("seed", setup["training"].get("seed", 0)))}
        given = {"data": data_spec, "training": vars(config), "network": _network_values(spec, seed)}
        for setting in CLASS_SETTINGS:
            if setting.name in assignment["unlocked"]:
                continue
            for field in setting.fields:
                section, key = field.split(".")
                if field == "network.seed" and seed is None:
                    continue  # a stored network's weights were set up when it was made
                if given[section].get(key) != expected[section].get(key):
                    raise SpecError(field, f"is locked by the class's assignment at {expected[section].get(key)!r} "
                                           f"({setting.label}); only {', '.join(assignment['unlocked']) or 'nothing'} "
                                           "may change")

    # --- news for the members' pages --------------------------------------------------------------

    def event_key(self, class_id: str) -> str:
        return EVENT_PREFIX + class_id

    def announce(self, class_id: str) -> None:
        """The class changed (its assignment, or it ended): wake its streams here and on other servers."""
        self.hub.publish(self.event_key(class_id))
        self.bus.publish("changed", self.event_key(class_id))

    def news(self, class_id: str, owner: str) -> dict[str, Any] | None:
        """What a member's page follows: the assignment's version and whether the class has ended;
        None once the class is gone, or ``owner`` is no longer in it (removed by the lecturer)."""
        try:
            row, _role = self._class(class_id, owner)
        except NotFound:
            return None
        return {"version": (row["assignment"] or {}).get("version", 0), "state": self._state(row),
                "follow": row.get("following")}

    def role(self, class_id: str, owner: str) -> str:
        """``lecturer`` or ``member`` (``NotFound`` for anyone else)."""
        return self._class(class_id, owner)[1]

    def lectured(self, class_id: str, owner: str) -> str:
        """The class's id when ``owner`` leads it, ended or not (``Forbidden`` for a member, else ``NotFound``)."""
        return self._lectured(class_id, owner, open_only=False)["id"]

    def leads(self, class_id: str | None, owner: str | None) -> bool:
        """Whether ``owner`` leads the class ``class_id`` (a job's class: its lecturer may follow the job)."""
        row = self.store.get_class(class_id) if class_id and owner else None
        return row is not None and row["owner"] == owner

    def check_member(self, class_id: str, owner: str) -> str:
        """The class's id when ``owner`` leads it or is a member (else ``NotFound``)."""
        return self._class(class_id, owner)[0]["id"]
