"""What a person keeps besides networks and jobs: uploads, API tokens, share links, their progress
through the lesson; and ``adopt``, which gives the rows from before owners to one (``PeopleStore``,
a part of ``Store``)."""

from __future__ import annotations

import contextlib
import json
import time
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from .schema import class_members, jobs, lesson_answers, lesson_reads, networks, shares, tokens, uploads
from .store_jobs import ACTIVE_STATUSES
from .store_values import _encode, key, new_id


def _upload_bytes(owner: str) -> Any:
    return select(func.sum(func.length(uploads.c.csv))).where(uploads.c.owner == owner)


class PeopleStore:
    """Part of ``Store``: uploads, tokens, share links, the lesson. Its methods use the plumbing ``Store`` holds:
    ``_read``, ``_write``, ``_mine``, ``_owner_transaction``, ``_insert_within``."""

    # --- uploads -----------------------------------------------------------------------------

    def create_upload(self, task: str, csv_text: str, rows: int, n_classes: int, class_names: list[str],
                      owner: str | None = None, max_bytes: int | None = None) -> str:
        """Store an upload; with ``max_bytes``, only if ``owner``'s uploads then take no more (else ``Full``)."""
        upload_id = new_id()
        row = _encode({"id": upload_id, "owner": owner, "task": task, "csv": csv_text, "rows": rows,
                       "n_classes": n_classes, "class_names": class_names, "created_at": time.time()})
        if owner is None or max_bytes is None:
            self._write(insert(uploads).values(row))
        else:
            self._insert_within(owner, [("upload_bytes", _upload_bytes(owner), len(csv_text), max_bytes)],
                                [(uploads, row)])
        return upload_id

    def list_uploads(self, owner: str) -> list[dict[str, Any]]:
        """``owner``'s uploads, newest first, without their CSV text (``bytes``: its length)."""
        statement = select(uploads.c.id, uploads.c.task, uploads.c.rows, uploads.c.n_classes, uploads.c.class_names,
                           uploads.c.created_at, func.length(uploads.c.csv).label("bytes"))
        return self._read(statement.where(uploads.c.owner == owner).order_by(uploads.c.created_at.desc()))

    def delete_upload(self, upload_id: str, owner: str) -> list[dict[str, Any]] | None:
        """Delete one of ``owner``'s uploads unless something of theirs uses it. None: no such upload
        of theirs; else what uses it (networks: id and name; active jobs: id), empty once deleted."""
        with self._owner_transaction(owner) as connection:
            found = connection.execute(select(uploads.c.id).where(uploads.c.id == upload_id, uploads.c.owner == owner))
            if found.first() is None:
                return None
            named = f'%"{upload_id}"%'  # JSON text: read the few that mention the id (portable, no JSON SQL)
            users = [{"network": row.id, "name": row.name} for row in connection.execute(
                select(networks.c.id, networks.c.name, networks.c.data).where(
                    networks.c.owner == owner, networks.c.data.like(named)))
                     if (json.loads(row.data) or {}).get("id") == upload_id]
            users += [{"job": row.id} for row in connection.execute(select(jobs.c.id, jobs.c.request).where(
                jobs.c.owner == owner, jobs.c.status.in_(ACTIVE_STATUSES), jobs.c.request.like(named)))
                      if (json.loads(row.request).get("data") or {}).get("id") == upload_id]
            if not users:
                connection.execute(delete(uploads).where(uploads.c.id == upload_id))
            return users

    def get_upload(self, upload_id: str, owner: str | None = None) -> dict[str, Any] | None:
        rows = self._read(self._mine(uploads, select(uploads).where(uploads.c.id == key(upload_id)), owner))
        return rows[0] if rows else None

    def upload_bytes(self, owner: str) -> int:
        """What one owner's uploads take, in bytes of CSV text."""
        with self.engine.connect() as connection:
            return int(connection.execute(_upload_bytes(owner)).scalar_one() or 0)

    # --- owners: tokens, shares, adoption ------------------------------------------------------

    def add_token(self, token_hash: str, owner: str, prefix: str | None = None, key_id: str | None = None,
                  max_tokens: int | None = None, alive_after: float | None = None,
                  created_at: float | None = None) -> str:
        """Store a token's hash; with ``max_tokens``, only if ``owner`` then holds no more live ones
        (minted under ``key_id`` after ``alive_after``; else ``Full``). Returns the token's id."""
        row = {"token_hash": token_hash, "owner": owner, "created_at": created_at or time.time(), "id": new_id(),
               "prefix": prefix, "key_id": key_id}
        self._insert_within(owner, [("tokens", self._tokens_under(owner, key_id, alive_after, func.count()), 1,
                                     max_tokens)], [(tokens, row)])
        return row["id"]

    @staticmethod
    def _tokens_under(owner: str, key_id: str | None, alive_after: float | None, *columns: Any) -> Any:
        statement = select(*columns).select_from(tokens).where(tokens.c.owner == owner, tokens.c.key_id == key_id)
        return statement if alive_after is None else statement.where(tokens.c.created_at > alive_after)

    def token(self, token_hash: str) -> dict[str, Any] | None:
        """A token's row (owner, id, created_at, last_used_at, key_id), or None."""
        rows = self._read(select(tokens).where(tokens.c.token_hash == token_hash))
        return rows[0] if rows else None

    def token_owner(self, token_hash: str) -> str | None:
        row = self.token(token_hash)
        return row["owner"] if row else None

    def token_used(self, token_hash: str, when: float) -> None:
        self._write(update(tokens).where(tokens.c.token_hash == token_hash).values(last_used_at=when))

    def tokens_of(self, owner: str, key_id: str | None) -> list[dict[str, Any]]:
        """``owner``'s tokens minted under ``key_id``, newest first, without their hashes."""
        statement = self._tokens_under(owner, key_id, None, tokens.c.id, tokens.c.prefix, tokens.c.created_at,
                                      tokens.c.last_used_at)
        return self._read(statement.order_by(tokens.c.created_at.desc(), tokens.c.id))

    def stamp_tokens(self, key_id: str) -> int:
        """Tokens from before keys were recorded count as minted under ``key_id`` (the key in use)."""
        return self._write(update(tokens).where(tokens.c.key_id.is_(None)).values(key_id=key_id))

    def delete_token(self, token_hash: str, owner: str) -> bool:
        return self._write(delete(tokens).where(tokens.c.token_hash == token_hash, tokens.c.owner == owner)) == 1

    def delete_tokens(self, owner: str, token_id: str | None = None) -> int:
        """Delete one of ``owner``'s tokens by id, or (``token_id`` None) all of them; how many."""
        statement = delete(tokens).where(tokens.c.owner == owner)
        return self._write(statement if token_id is None else statement.where(tokens.c.id == token_id))

    def add_share(self, token: str, network_id: str, owner: str, max_shares: int | None = None) -> None:
        """Store a share link; with ``max_shares``, only if ``owner`` then keeps no more (else ``Full``)."""
        kept = select(func.count()).select_from(shares).where(shares.c.owner == owner)
        self._insert_within(owner, [("shares", kept, 1, max_shares)], [
            (shares, {"token": token, "network_id": network_id, "owner": owner, "created_at": time.time()})])

    def shares_by(self, owner: str) -> list[dict[str, Any]]:
        """``owner``'s share links, newest first, each with its network's name."""
        statement = select(shares.c.token, shares.c.network_id, shares.c.created_at, networks.c.name).join(
            networks, networks.c.id == shares.c.network_id).where(shares.c.owner == owner)
        return self._read(statement.order_by(shares.c.created_at.desc(), shares.c.token))

    def delete_share(self, token: str, owner: str) -> bool:
        return self._write(delete(shares).where(shares.c.token == token, shares.c.owner == owner)) == 1

    def shared_network(self, token: str) -> str | None:
        rows = self._read(select(shares.c.network_id).where(shares.c.token == key(token)))
        return rows[0]["network_id"] if rows else None

    def shares_of(self, network_id: str) -> list[dict[str, Any]]:
        return self._read(select(shares).where(shares.c.network_id == network_id).order_by(shares.c.created_at))

    def delete_shares(self, network_id: str, token: str | None = None) -> int:
        statement = delete(shares).where(shares.c.network_id == network_id)
        return self._write(statement if token is None else statement.where(shares.c.token == key(token)))

    def adopt(self, owner: str) -> dict[str, int]:
        """Give every row that has no owner (stored before owners existed) to ``owner``."""
        with self.engine.begin() as connection:
            return {table.name: connection.execute(update(table).where(table.c.owner.is_(None))
                                                   .values(owner=owner)).rowcount
                    for table in (networks, jobs, uploads)}

    # --- the lesson ---------------------------------------------------------------------------

    def sections_read(self, owner: str) -> set[str]:
        statement = select(lesson_reads.c.section).where(lesson_reads.c.owner == owner)
        return {row["section"] for row in self._read(statement)}

    def mark_section_read(self, owner: str, section: str) -> None:
        with contextlib.suppress(IntegrityError):  # read before: the first time counts
            self._write(insert(lesson_reads).values(owner=owner, section=section, read_at=time.time()))

    def add_lesson_answer(self, owner: str, question: str, answer: Any, correct: bool) -> None:
        self._write(insert(lesson_answers).values(_encode({"owner": owner, "question": question, "answer": answer,
                                                           "correct": correct, "answered_at": time.time()})))

    def class_answers(self, class_id: str) -> list[dict[str, Any]]:
        """Every lesson answer of a class's members (owner, question, correct), oldest first."""
        members = select(class_members.c.owner).where(class_members.c.class_id == class_id)
        return self._read(select(lesson_answers.c.owner, lesson_answers.c.question, lesson_answers.c.correct)
                          .where(lesson_answers.c.owner.in_(members)).order_by(lesson_answers.c.id))

    def lesson_answers(self, owner: str) -> list[dict[str, Any]]:
        """``owner``'s answers, oldest first."""
        return self._read(select(lesson_answers).where(lesson_answers.c.owner == owner).order_by(lesson_answers.c.id))

    def reset_lesson(self, owner: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(lesson_reads).where(lesson_reads.c.owner == owner))
            connection.execute(delete(lesson_answers).where(lesson_answers.c.owner == owner))
