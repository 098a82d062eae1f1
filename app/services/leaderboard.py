"""A class's leaderboard and its tables, as pure functions of the stored rows.

A submission is ranked by its score (accuracy, or R² for regression; higher is better), a tie by
fewer parameters, then by who submitted first. It is on the Pareto front of score against
parameters when no other submission has at least its score with at most its parameters and is
strictly better in one of the two: the smallest network for its accuracy.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from typing import Any

from .history import METRIC_KEYS
from .store import iso_time

LEADERBOARD_COLUMNS = ("rank", "name", "score", "metric", "scored_on", "parameters", "pareto", "submitted_at")
MEMBER_COLUMNS = ("name", "joined_at", "job_id", "status", "step", "epoch", *METRIC_KEYS)


def dominates(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """``a`` has at least ``b``'s score with at most its parameters, and is strictly better in one."""
    return (a["score"] >= b["score"] and a["parameters"] <= b["parameters"]
            and (a["score"] > b["score"] or a["parameters"] < b["parameters"]))


def pareto_flags(entries: list[dict[str, Any]]) -> list[bool]:
    """Per entry (``score``, ``parameters``): whether it is on the front. An entry without a score
    (its network's outputs were not finite) is never on it."""
    scored = [entry for entry in entries if entry["score"] is not None]
    return [entry["score"] is not None and not any(dominates(other, entry) for other in scored)
            for entry in entries]


def ranked(submissions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The leaderboard: submissions (``store.submissions`` rows) best first, each with its ``rank``
    (equal scores and parameters share one) and ``pareto``."""
    order = sorted(submissions, key=lambda row: (-row["score"] if row["score"] is not None else math.inf,
                                                 row["parameters"], row["submitted_at"]))
    entries, previous = [], None
    for position, (row, on_front) in enumerate(zip(order, pareto_flags(order), strict=True), start=1):
        tie = previous is not None and (row["score"], row["parameters"]) == (previous["score"], previous["parameters"])
        rank = entries[-1]["rank"] if tie else position
        entries.append({"id": row["id"], "rank": rank, "member_id": row["member_id"], "name": row["name"],
                        "score": row["score"], "metric": row["metric"], "scored_on": row["scored_on"],
                        "parameters": row["parameters"], "pareto": on_front,
                        "submitted_at": iso_time(row["submitted_at"])})
        previous = row
    return entries


def csv_text(columns: Iterable[str], rows: Iterable[dict[str, Any]]) -> str:
    """A CSV table with a header line; a cell a spreadsheet would read as a formula is quoted as text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = list(columns)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return out.getvalue()


def member_rows(members: list[dict[str, Any]], jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per member (in the order they joined), their latest class job's final metrics (``jobs``:
    the class's jobs newest first, as ``store.class_jobs`` reads them); blank without one."""
    latest: dict[str, dict[str, Any]] = {}
    for job in jobs:
        latest.setdefault(job["owner"], job)
    rows = []
    for member in members:
        job = latest.get(member["owner"])
        row = {"name": member["name"], "joined_at": iso_time(member["joined_at"])}
        if job is not None:
            metrics = dict(job["metrics"] or {})
            dead = [value for value in metrics.get("dead_fraction") or [] if isinstance(value, (int, float))]
            metrics["dead_fraction"] = max(dead) if dead else None  # the deadest hidden layer
            row |= {"job_id": job["id"], "status": job["status"], "step": (job["progress"] or {}).get("step"),
                    "epoch": (job["progress"] or {}).get("epoch")} | metrics
        rows.append(row)
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    text = f"{value:.6g}" if isinstance(value, float) else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
