"""The store's classes: a class (code, lecturer, assignment; the hidden test set read only when asked
for), its members (joined under a lock per class) and their submissions (``ClassStore``, a part of
``Store``)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from .schema import class_members, class_submissions, classes
from .store_values import _encode, key, new_id, pack_weights, unpack_weights

CLASS_COLUMNS = ("id", "code", "owner", "title", "joining", "created_at", "ended_at", "assignment",
                 "following")  # no hidden test


class ClassStore:
    """Part of ``Store``: classes, members, submissions. Its methods use the plumbing ``Store`` holds:
    ``_read``, ``_write``, ``_mine``, ``_owner_transaction``, ``_insert_within``."""

    def create_class(self, owner: str, title: str, code: str, max_live: int | None = None) -> dict[str, Any]:
        """Store a new class led by ``owner``; with ``max_live``, only if they then lead no more live
        (not ended) classes (else ``Full``). An ``IntegrityError`` when ``code`` is taken."""
        row = {"id": new_id(), "code": code, "owner": owner, "title": title, "joining": True,
               "created_at": time.time()}
        live = select(func.count()).select_from(classes).where(classes.c.owner == owner, classes.c.ended_at.is_(None))
        self._insert_within(owner, [("classes", live, 1, max_live)], [(classes, row)])
        return row | {"ended_at": None, "assignment": None, "following": None}

    def import_class(self, owner: str, title: str, code: str, assignment: dict[str, Any] | None,
                     hidden_test: dict[str, Any] | None, members: list[dict[str, Any]],
                     submissions: list[dict[str, Any]], max_live: int | None = None) -> dict[str, Any]:
        """``create_class`` with its assignment, members and submissions (rows without ``class_id``;
        a submission's ``weights`` as arrays) written in the same transaction: all of it, or nothing
        when ``owner`` leads as many live classes as one may (``Full``) or ``code`` is taken
        (``IntegrityError``)."""
        row = {"id": new_id(), "code": code, "owner": owner, "title": title, "joining": True,
               "created_at": time.time(), "assignment": assignment, "hidden_test": hidden_test}
        live = select(func.count()).select_from(classes).where(classes.c.owner == owner, classes.c.ended_at.is_(None))
        rows = [(classes, _encode(row))]
        rows += [(class_members, member | {"class_id": row["id"]}) for member in members]
        rows += [(class_submissions, _encode(entry | {"class_id": row["id"],
                                                      "weights": pack_weights(entry["weights"])}))
                 for entry in submissions]
        self._insert_within(owner, [("classes", live, 1, max_live)], rows)
        return row | {"ended_at": None, "following": None}

    def get_class(self, class_id: str, hidden_test: bool = False) -> dict[str, Any] | None:
        """A class (its hidden test set only when asked for: the lecturer's view)."""
        columns = [classes.c[name] for name in CLASS_COLUMNS] + ([classes.c.hidden_test] if hidden_test else [])
        rows = self._read(select(*columns).where(classes.c.id == key(class_id)))
        return rows[0] if rows else None

    def class_by_code(self, code: str) -> dict[str, Any] | None:
        rows = self._read(select(*(classes.c[name] for name in CLASS_COLUMNS)).where(classes.c.code == key(code)))
        return rows[0] if rows else None

    def classes_of(self, owner: str) -> list[dict[str, Any]]:
        """The classes ``owner`` leads or has joined, newest first."""
        joined = select(class_members.c.class_id).where(class_members.c.owner == owner)
        statement = select(*(classes.c[name] for name in CLASS_COLUMNS)).where(
            or_(classes.c.owner == owner, classes.c.id.in_(joined)))
        return self._read(statement.order_by(classes.c.created_at.desc(), classes.c.id))

    def update_class(self, class_id: str, **fields: Any) -> bool:
        unknown = set(fields) - {"joining", "ended_at", "assignment", "hidden_test", "following"}
        if unknown:
            raise ValueError(f"not a class's field: {', '.join(sorted(unknown))}")
        return self._write(update(classes).where(classes.c.id == class_id).values(_encode(fields))) == 1

    def member(self, class_id: str, owner: str) -> dict[str, Any] | None:
        rows = self._read(select(class_members).where(class_members.c.class_id == class_id,
                                                      class_members.c.owner == owner))
        return rows[0] if rows else None

    def members(self, class_id: str) -> list[dict[str, Any]]:
        """A class's members in the order they joined."""
        return self._read(select(class_members).where(class_members.c.class_id == class_id)
                          .order_by(class_members.c.joined_at, class_members.c.id))

    def join_class(self, class_id: str, owner: str, name: str, name_key: str,
                   max_members: int | None = None) -> tuple[str, dict[str, Any] | None]:
        """Make ``owner`` a member under ``name``, checked in the transaction that writes, so that a
        class joined by hundreds at once never passes ``max_members`` nor holds one name twice.
        Returns (outcome, member row): ``joined``, ``member`` (they already were: their row as it
        stands), or a refusal with None: ``gone``, ``ended``, ``closed``, ``taken``, ``full``."""
        with self._owner_transaction(f"class {class_id}") as connection:
            found = connection.execute(select(classes.c.joining, classes.c.ended_at)
                                       .where(classes.c.id == class_id)).first()
            if found is None:
                return "gone", None
            existing = connection.execute(select(class_members).where(
                class_members.c.class_id == class_id, class_members.c.owner == owner)).first()
            if existing is not None:
                return "member", dict(existing._mapping)
            if found.ended_at is not None:
                return "ended", None
            if not found.joining:
                return "closed", None
            taken = connection.execute(select(class_members.c.id).where(
                class_members.c.class_id == class_id, class_members.c.name_key == name_key)).first()
            if taken is not None:
                return "taken", None
            count = connection.execute(select(func.count()).select_from(class_members)
                                       .where(class_members.c.class_id == class_id)).scalar_one()
            if max_members is not None and count >= max_members:
                return "full", None
            row = {"id": new_id(), "class_id": class_id, "owner": owner, "name": name, "name_key": name_key,
                   "joined_at": time.time()}
            connection.execute(insert(class_members).values(row))
            return "joined", row

    def rename_member(self, class_id: str, member_id: str, name: str, name_key: str) -> bool | None:
        """True when renamed, False when another member has that name, None when there is no such member."""
        try:
            renamed = self._write(update(class_members).where(
                class_members.c.class_id == class_id, class_members.c.id == key(member_id)).values(
                name=name, name_key=name_key))
        except IntegrityError:
            return False
        return True if renamed == 1 else None

    def delete_member(self, class_id: str, member_id: str) -> bool:
        with self.engine.begin() as connection:
            connection.execute(delete(class_submissions).where(class_submissions.c.class_id == class_id,
                                                               class_submissions.c.member_id == key(member_id)))
            return connection.execute(delete(class_members).where(class_members.c.class_id == class_id,
                                                                  class_members.c.id == key(member_id))).rowcount == 1

    def submit(self, class_id: str, member_id: str, network_id: str, spec: dict[str, Any],
               weights: dict[str, np.ndarray], scored: dict[str, Any], parameters: int) -> dict[str, Any]:
        """Store a member's submission (``scored``: score, metric, scored_on), replacing their
        earlier one in the same transaction; the new row without its weights."""
        row = {"id": new_id(), "class_id": class_id, "member_id": member_id, "network_id": network_id,
               "spec": spec, "weights": pack_weights(weights), "parameters": parameters, "submitted_at": time.time(),
               **{name: scored[name] for name in ("score", "metric", "scored_on")}}
        with self.engine.begin() as connection:
            connection.execute(delete(class_submissions).where(class_submissions.c.class_id == class_id,
                                                               class_submissions.c.member_id == member_id))
            connection.execute(insert(class_submissions).values(_encode(row)))
        return {name: value for name, value in row.items() if name != "weights"}

    def pin_submission(self, class_id: str, submission_id: str, caption: str | None) -> bool:
        """Pin a submission to the class's gallery with ``caption`` (None: unpin it); False when the
        class has no such submission."""
        values = {"caption": caption, "pinned_at": None if caption is None else time.time()}
        return self._write(update(class_submissions).where(class_submissions.c.class_id == class_id,
                                                           class_submissions.c.id == key(submission_id))
                           .values(values)) == 1

    def submission(self, class_id: str, submission_id: str) -> dict[str, Any] | None:
        """One submission with its weights (unpacked)."""
        rows = self._read(select(class_submissions).where(class_submissions.c.class_id == class_id,
                                                          class_submissions.c.id == key(submission_id)))
        if not rows:
            return None
        return rows[0] | {"weights": unpack_weights(rows[0]["weights"])[0]}

    def submissions(self, class_id: str) -> list[dict[str, Any]]:
        """A class's submissions (without their weights), each with its member's name."""
        columns = [column for column in class_submissions.c if column.name != "weights"]
        statement = select(*columns, class_members.c.name).join(
            class_members, class_members.c.id == class_submissions.c.member_id).where(
            class_submissions.c.class_id == class_id)
        return self._read(statement.order_by(class_submissions.c.submitted_at, class_submissions.c.id))

    def delete_ended_classes(self, before: float) -> list[str]:
        """Delete, with their members and submissions, the classes that ended before ``before``; their ids."""
        with self.engine.begin() as connection:
            ended = [row.id for row in connection.execute(select(classes.c.id).where(classes.c.ended_at < before))]
            if ended:
                connection.execute(delete(class_members).where(class_members.c.class_id.in_(ended)))
                connection.execute(delete(class_submissions).where(class_submissions.c.class_id.in_(ended)))
                connection.execute(delete(classes).where(classes.c.id.in_(ended)))
        return ended
