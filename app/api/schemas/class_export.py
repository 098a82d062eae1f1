"""A class's export (``GET /api/classes/{id}/export``), imported into a new class: what is carried,
and what is read for its type only."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from app.services.class_import import parse_instant
from app.services.class_results import EXPORT_FORMAT
from app.services.class_settings import SETTING_NAMES
from app.services.specs import MAX_COUNT, MAX_ID_LENGTH, Request, limit, whole

from .classes import SCORED_ON, Metric, ScoredOn, _Assignment
from .common import MAX_MEMBER_NAME, ClassTitle, MemberName, Weights
from .specs import NetworkSpec


def _instant(value: str) -> str:
    parse_instant(value)
    return value


Instant = Annotated[str, Field(max_length=40, json_schema_extra={"format": "date-time"}), AfterValidator(_instant)]
ExportId = Annotated[str, Field(min_length=1, max_length=MAX_ID_LENGTH)]
PER_MEMBER = limit(max_items="class_members")  # each section holds at most one row per member
NOT_CARRIED = "read for its type, not carried"


class ExportedClass(Request):
    """Only the title is carried: the new class has its own id, code, state and creation time."""

    title: ClassTitle
    id: ExportId | None = Field(default=None, description=NOT_CARRIED)
    code: str | None = Field(default=None, max_length=16, description=NOT_CARRIED)
    state: Literal["open", "closed", "ended"] | None = Field(default=None, description=NOT_CARRIED)
    created_at: Instant | None = Field(default=None, description=NOT_CARRIED)
    ended_at: Instant | None = Field(default=None, description=NOT_CARRIED)


class ExportedMember(Request):
    id: ExportId = Field(description="the member's id in the document (the leaderboard's member_id names it); the "
                                     "imported member gets a new one")
    name: MemberName
    joined_at: Instant
    imported: bool = Field(default=False, description=NOT_CARRIED + ": every imported member is one")


class ExportedSetting(Request):
    name: str = Field(max_length=64)
    label: str = Field(max_length=200)
    locked: bool


class ExportedAssignment(_Assignment):
    version: whole(ge=1, le=MAX_COUNT) | None = Field(default=None, description=NOT_CARRIED + ": the import is "
                                                                                              "version 1")
    updated_at: Instant | None = Field(default=None, description=NOT_CARRIED)
    settings: list[ExportedSetting] | None = Field(default=None, max_length=len(SETTING_NAMES),
                                                   description=NOT_CARRIED + ": it follows from unlocked")


class ExportedEntry(Request):
    id: ExportId = Field(description="the entry's id in the document (a gallery pin names it)")
    member_id: ExportId = Field(description="one of the document's members, each with one entry at most")
    score: float | None = Field(le=1.0, description="accuracy (0 to 1) or R² (at most 1), as scored where it was "
                                                    "submitted; null: the network's outputs were not finite")
    metric: Metric = Field(description="the assignment's")
    scored_on: ScoredOn = Field(description=SCORED_ON)
    parameters: whole(ge=1, le=MAX_COUNT)
    submitted_at: Instant
    name: str | None = Field(default=None, max_length=MAX_MEMBER_NAME, description=NOT_CARRIED + ": the member's")
    rank: whole(ge=1, le=MAX_COUNT) | None = Field(default=None, description=NOT_CARRIED + ": ranked again")
    pareto: bool | None = Field(default=None, description=NOT_CARRIED + ": found again")


class ExportedNetwork(Request):
    spec: NetworkSpec
    weights: Weights = Field(description="every parameter (W1, b1, ...) in the shape the spec gives it")


class ExportedPin(Request):
    id: ExportId = Field(description="the leaderboard entry pinned (its id in the document)")
    caption: str = Field(min_length=1, max_length=500)
    pinned_at: Instant
    network: ExportedNetwork = Field(description="the network as submitted: a member's copy opens it")
    name: str | None = Field(default=None, max_length=MAX_MEMBER_NAME, description=NOT_CARRIED)
    score: float | None = Field(default=None, description=NOT_CARRIED + ": the entry's")
    metric: Metric | None = Field(default=None, description=NOT_CARRIED)
    scored_on: ScoredOn | None = Field(default=None, description=NOT_CARRIED)
    parameters: whole(ge=1, le=MAX_COUNT) | None = Field(default=None, description=NOT_CARRIED + ": the entry's")


class ClassExport(Request):
    """A class as ``GET /api/classes/{id}/export`` writes it (version 1, or 2 with the gallery)."""

    format: Literal[EXPORT_FORMAT]  # type: ignore[valid-type]
    version: Literal[1, 2] = Field(description="1: without the gallery; 2: with it")
    class_: ExportedClass = Field(alias="class")
    members: list[ExportedMember] = Field(default_factory=list, json_schema_extra=PER_MEMBER)
    assignment: ExportedAssignment | None = None
    leaderboard: list[ExportedEntry] = Field(default_factory=list, json_schema_extra=PER_MEMBER)
    jobs: list[dict[str, str | float | None]] = Field(
        default_factory=list, json_schema_extra=PER_MEMBER,
        description=NOT_CARRIED + ": each member's latest class job on the server it ran on")
    gallery: list[ExportedPin] = Field(default_factory=list, json_schema_extra=PER_MEMBER)
