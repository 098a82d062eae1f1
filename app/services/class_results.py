"""What a class's room makes, and what its lecturer takes away: submissions scored on the hidden
test points and their leaderboard, the gallery of pinned runs, the members' final metrics and the
whole class as one JSON document; and the lesson together ("Follow me" and the room's answers to
its questions).

``ClassResults`` is one of ``ClassService``'s parts (``classes.py``, which holds the class, its
members and its assignment); its state (``store``, ``limits``, ``networks``) and its checks of who
asks (``_class``, ``_lectured``) are the service's.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from app.nn import Network, SpecError, check_fits, score
from app.viz.common import figure_json
from app.viz.leaderboard import leaderboard_figure

from .data_specs import build_dataset
from .leaderboard import LEADERBOARD_COLUMNS, MEMBER_COLUMNS, csv_text, member_rows, ranked
from .lessons import QUESTIONS, SECTIONS
from .specs import Conflict, Forbidden, NotFound, train_config
from .store import iso_time

EXPORT_FORMAT = "nnviz-class"
# 1: members, assignment, leaderboard, jobs; 2 adds the gallery with its pinned networks. Both import.
EXPORT_VERSION = 2


class ClassResults:
    """The submissions, leaderboard, gallery, exports and lesson answers of ``ClassService``."""

    # --- submissions and the leaderboard -----------------------------------------------------------

    def submit(self, class_id: str, network_id: str, owner: str) -> dict[str, Any]:
        """Enter a member's own network (``network_id``) on the leaderboard, scored here on the
        assignment's hidden test points, or on its data's test split (its training set when it has
        none) when there are none: ``scored_on`` says which. The hidden points never leave."""
        row, role = self._class(class_id, owner, hidden_test=True)
        if role != "member":
            raise Forbidden("only the class's members submit networks")
        if row["ended_at"] is not None:
            raise Conflict("this class has ended: it is read-only")
        if row["assignment"] is None:
            raise Conflict("this class has no assignment yet: there is nothing to submit for")
        network = self.store.get_network(network_id, owner=owner)
        if network is None:
            raise NotFound(f"no network with id {network_id!r}")
        net = Network.from_dict(network)
        setup = row["assignment"]["setup"]
        data = build_dataset(setup["data"])
        try:
            check_fits(net, data)
            self.check_job(row["id"], owner, setup["data"], net.spec.to_dict(), None,
                           train_config(setup["training"], self.limits))
        except SpecError as exc:
            raise SpecError("network_id", f"does not fit the assignment: {exc.message}") from None
        scored = self._score(net, data, row.get("hidden_test"))
        member = self.store.member(row["id"], owner)
        entry = self.store.submit(row["id"], member["id"], network["id"], net.spec.to_dict(), net.get_weights(),
                                  scored, net.spec.counts()["parameters"])
        return {key: entry[key] for key in ("network_id", "score", "metric", "scored_on", "parameters")} | {
            "name": member["name"], "submitted_at": iso_time(entry["submitted_at"])}

    @staticmethod
    def _score(net: Network, data: Any, hidden_test: dict[str, Any] | None) -> dict[str, Any]:
        """The network's score (accuracy, or R² for regression) and where it was measured."""
        if hidden_test:
            points = np.asarray(hidden_test["points"], dtype=np.float64)
            X, y, where = points[:, :-1], points[:, -1], "hidden_test"
            if data.task == "classification":
                y = y.astype(np.int64)
        elif len(data.X_test):
            X, y, where = data.X_test, data.y_test, "test_split"
        else:
            X, y, where = data.X_train, data.y_train, "training_set"
        return {"score": score(net, X, y), "metric": "r2" if data.task == "regression" else "accuracy",
                "scored_on": where}

    def leaderboard(self, class_id: str, owner: str) -> dict[str, Any]:
        """The submissions best first, with the Pareto front marked (members and the lecturer)."""
        row, role = self._class(class_id, owner)
        entries = ranked(self.store.submissions(row["id"]))
        if role != "lecturer":
            entries = [entry | {"member_id": None} for entry in entries]
        metric = "r2" if row["assignment"] and self._task(row) == "regression" else "accuracy"
        return {"metric": metric, "entries": entries}

    def _task(self, row: dict[str, Any]) -> str:
        return build_dataset(row["assignment"]["setup"]["data"]).task

    def leaderboard_figure(self, class_id: str, owner: str) -> str:
        board = self.leaderboard(class_id, owner)
        return figure_json(leaderboard_figure(board["entries"], board["metric"]))

    def leaderboard_csv(self, class_id: str, owner: str) -> str:
        row = self._lectured(class_id, owner, open_only=False)
        return csv_text(LEADERBOARD_COLUMNS, ranked(self.store.submissions(row["id"])))

    def members_csv(self, class_id: str, owner: str) -> str:
        """Per member, their latest class job's final metrics (the lecturer)."""
        row = self._lectured(class_id, owner, open_only=False)
        rows = member_rows(self.store.members(row["id"]), self.store.class_job_heads(row["id"]))
        return csv_text(MEMBER_COLUMNS, rows)

    # --- the gallery: submissions the lecturer pins for everyone to open --------------------------

    def pin(self, class_id: str, submission_id: str, caption: str | None, owner: str) -> list[dict[str, Any]]:
        """Pin a submission to the gallery with ``caption`` (None: unpin it); the gallery as it then stands."""
        row = self._lectured(class_id, owner)
        entry = self.store.submission(row["id"], submission_id)
        if entry is not None and caption is not None and not entry["spec"]:
            raise Conflict("this entry was imported without its network: there is nothing to open from the gallery")
        if entry is None or not self.store.pin_submission(row["id"], submission_id, caption):
            raise NotFound(f"no submission with id {submission_id!r} in this class")
        return self.gallery(class_id, owner)

    def gallery(self, class_id: str, owner: str) -> list[dict[str, Any]]:
        """The pinned submissions in the order they were pinned (members and the lecturer)."""
        row, _role = self._class(class_id, owner)
        pinned = sorted((entry for entry in self.store.submissions(row["id"]) if entry["pinned_at"] is not None),
                        key=lambda entry: (entry["pinned_at"], entry["id"]))
        return [{key: entry[key] for key in ("id", "name", "caption", "score", "metric", "scored_on", "parameters")}
                | {"pinned_at": iso_time(entry["pinned_at"])} for entry in pinned]

    def copy_pinned(self, class_id: str, submission_id: str, owner: str) -> str:
        """A copy of a pinned submission's network, as it was submitted, as ``owner``'s own network
        with the assignment's data attached (to open in the Playground); its id."""
        row, _role = self._class(class_id, owner)
        entry = self.store.submission(row["id"], submission_id)
        if entry is None or entry["pinned_at"] is None or row["assignment"] is None:
            raise NotFound(f"no pinned submission with id {submission_id!r} in this class")
        if self.networks is not None:
            self.networks.check_room(owner)
        return self.store.create_network(entry["spec"], entry["weights"], data=row["assignment"]["setup"]["data"],
                                         owner=owner)

    def export(self, class_id: str, owner: str, base_url: str) -> dict[str, Any]:
        """The whole class as one JSON document for its lecturer: the class, its members, the
        assignment with its hidden test points, the leaderboard, each member's latest class job's
        final metrics, and the gallery with each pinned network (spec and weights, so that an import
        elsewhere opens them too: ``import_``)."""
        row = self._lectured(class_id, owner, open_only=False)
        view = self._view(row, "lecturer", owner, base_url)
        assignment = self._assignment(row["assignment"], row.get("hidden_test"), "lecturer") \
            if row["assignment"] else None
        gallery = [pin | {"network": self._network_of(row["id"], pin["id"])} for pin in self.gallery(class_id, owner)]
        return {"format": EXPORT_FORMAT, "version": EXPORT_VERSION,
                "class": {key: view[key] for key in ("id", "title", "code", "state", "created_at", "ended_at")},
                "members": view["members"], "assignment": assignment,
                "leaderboard": ranked(self.store.submissions(row["id"])),
                "jobs": member_rows(self.store.members(row["id"]), self.store.class_job_heads(row["id"])),
                "gallery": gallery}

    def _network_of(self, class_id: str, submission_id: str) -> dict[str, Any]:
        """A submission's network as a network's export holds it: the spec, and the weights as lists."""
        entry = self.store.submission(class_id, submission_id)
        return {"spec": entry["spec"], "weights": {name: value.tolist() for name, value in entry["weights"].items()}}

    # --- the lesson, together ---------------------------------------------------------------------

    def follow(self, class_id: str, owner: str, section: str | None) -> dict[str, Any]:
        """"Follow me": the lecturer asks every member's /learn to show ``section`` (None: each reads on
        their own again). ``SpecError`` on ``section`` for one the lesson does not have."""
        row = self._lectured(class_id, owner)
        if section is not None and section not in {s.id for s in SECTIONS}:
            raise SpecError("section", f"the lesson has no section {section!r}; its sections: "
                                       f"{', '.join(s.id for s in SECTIONS)}")
        self.store.update_class(row["id"], following=section)
        self.announce(row["id"])
        return {"section": section}

    def answers(self, class_id: str, owner: str) -> dict[str, Any]:
        """How the room answered each of the lesson's questions, as counts and never names: each
        member's latest answer to it, right or wrong (the lecturer's own are not counted)."""
        row = self._lectured(class_id, owner, open_only=False)
        latest: dict[tuple[str, str], bool] = {}
        for answer in self.store.class_answers(row["id"]):  # oldest first: a later answer replaces one
            latest[answer["owner"], answer["question"]] = answer["correct"]
        tally = Counter((question, right) for (_, question), right in latest.items())
        counts = [{"id": q.id, "section": q.section, "text": q.text, "right": tally[q.id, True],
                   "wrong": tally[q.id, False]} for q in QUESTIONS]
        return {"members": len(self.store.members(row["id"])), "questions": counts}
