"""A class: joining, its assignment, submissions and the leaderboard, the lesson followed, the
crowd experiment, the gallery and the lecturer's wall."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.services.class_settings import SETTING_NAMES
from app.services.classes import CODE_LENGTH
from app.services.data_specs import Coordinate, DataSpec
from app.services.specs import Request, limit
from app.services.wall import FLAGS as WALL_FLAGS

from .common import ClassTitle, MemberName
from .specs import SpecForData, TrainingSpec

MAX_SETTING_PATH = 100  # a sweep's setting path, such as network.hidden[0].units
MAX_PROMPT = 4000
ClassSettingName = Literal[SETTING_NAMES]  # type: ignore[valid-type]


class ClassCreate(Request):
    title: ClassTitle


class ClassJoin(Request):
    code: str = Field(min_length=1, max_length=16, description=f"the class's {CODE_LENGTH}-character code (case, "
                                                               "spaces and a dash do not matter)")
    name: MemberName


class ClassUpdate(Request):
    joining: bool = Field(description="whether students may join with the code")


class MemberUpdate(Request):
    name: MemberName


class AssignmentSetup(Request):
    """A Playground setup: the data (a generated data set), a new network's spec and how to train it."""

    data: DataSpec
    network: SpecForData = Field(default_factory=SpecForData)
    training: TrainingSpec = Field(default_factory=TrainingSpec)


class HiddenTest(Request):
    points: list[list[Coordinate]] = Field(
        min_length=1, json_schema_extra=limit(max_items="max_added_points"),
        description="test points [x1, x2, label], kept on the server and never shown to students")


class _Assignment(Request):
    setup: AssignmentSetup
    prompt: str = Field(default="", max_length=MAX_PROMPT, description="plain text shown above the plot")
    unlocked: list[ClassSettingName] = Field(
        default_factory=list, max_length=len(SETTING_NAMES), json_schema_extra={"uniqueItems": True},
        description="the settings students may change (GET /api/catalog `class_settings`); the others are locked")
    hidden_test: HiddenTest | None = None
    crowd: str | None = Field(
        default=None, min_length=1, max_length=MAX_SETTING_PATH,
        description="the setting the class's crowd experiment varies: a sweep's setting path "
                    "(`network.hidden[0].units`) that `unlocked` leaves to the students (422 `crowd` otherwise); "
                    "null: none. Left out: the earlier assignment's, while it stays unlocked")

    @model_validator(mode="after")
    def _unique(self) -> _Assignment:
        if len(set(self.unlocked)) != len(self.unlocked):
            raise ValueError("unlocked names each setting once")
        return self


class AssignmentPut(_Assignment):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "setup": {"data": {"name": "spiral", "n_per_class": 100, "classes": 3, "noise": 0.2, "seed": 0,
                           "test_fraction": 0.2},
                  "network": {"hidden": [{"units": 8, "activation": "relu"}], "loss": "softmax", "init": "he"},
                  "training": {"optimizer": "adam", "learning_rate": 0.01}},
        "prompt": "Find the smallest learning rate that still learns the spiral in 500 steps.",
        "unlocked": ["training.learning_rate"]}]})


class ClassMemberPublic(BaseModel):
    id: str | None = Field(description="null for members: only the lecturer sees the members' ids")
    name: str
    joined_at: str | None
    imported: bool = Field(default=False, description="came with an imported class: a name nobody can act as "
                                                      "(nobody signs in as them; the lecturer may rename or remove it)")


class ClassYou(BaseModel):
    id: str
    name: str


class ClassSummary(BaseModel):
    id: str
    title: str
    role: Literal["lecturer", "member"]
    state: Literal["open", "closed", "ended"] = Field(description="open: students may join; closed: joining is "
                                                                  "closed; ended: read-only until expires_at")
    joining: bool
    code: str
    join_url: str
    created_at: str
    ended_at: str | None
    expires_at: str | None = Field(description="when an ended class is removed (NNVIZ_CLASS_TTL)")
    assignment_version: int = Field(description="0 before the first assignment; one more for each")


class ClassPublic(ClassSummary):
    members: list[ClassMemberPublic]
    member_count: int
    you: ClassYou | None = Field(description="your membership (null for the lecturer)")
    prompt: str | None = Field(description="the assignment's prompt (null before the first assignment)")
    qr_svg: str | None = Field(description="the join link as a QR code, inline SVG (the lecturer's view only)")


class ClassSettingState(BaseModel):
    name: str
    label: str
    locked: bool


class AssignmentPublic(BaseModel):
    setup: dict[str, Any] = Field(description="data (resolved: every parameter given), network and training")
    prompt: str
    unlocked: list[str]
    crowd: str | None = Field(description="the setting the crowd experiment varies (null: none chosen)")
    version: int
    updated_at: str
    settings: list[ClassSettingState] = Field(description="every lockable setting and whether it is locked")
    hidden_test: dict[str, Any] | None = Field(description="the lecturer's view only; null for students")


class SubmissionCreate(Request):
    network_id: str = Field(min_length=1, max_length=64, description="one of your networks, fitting the assignment")


Metric = Literal["accuracy", "r2"]
ScoredOn = Literal["hidden_test", "test_split", "training_set"]
SCORED_ON = ("where the score was measured: the assignment's hidden test points, or, without them, its data's test "
             "split (its training set when it has none)")


class SubmissionPublic(BaseModel):
    network_id: str
    name: str = Field(description="your display name in the class")
    score: float | None = Field(description="accuracy, or R² for regression (null: the network's outputs are not "
                                            "finite)")
    metric: Metric
    scored_on: ScoredOn = Field(description=SCORED_ON)
    parameters: int
    submitted_at: str


class LeaderboardEntry(BaseModel):
    id: str = Field(description="the submission's id (the gallery's pins name it)")
    rank: int = Field(description="1 is the best; equal scores with equal parameters share a rank")
    member_id: str | None = Field(description="the lecturer's view only")
    name: str
    score: float | None
    metric: Metric
    scored_on: ScoredOn = Field(description=SCORED_ON)
    parameters: int
    pareto: bool = Field(description="no other submission has at least this score with at most these parameters "
                                     "and is strictly better in one")
    submitted_at: str


class LeaderboardPublic(BaseModel):
    metric: Metric
    entries: list[LeaderboardEntry] = Field(description="best first: by score, then fewer parameters, then earlier")


class ClassFollow(Request):
    section: str | None = Field(max_length=32, description="the /learn section every member's page shows (its id: "
                                                           "GET /api/learn/questions names them); null: none")


class ClassFollowPublic(BaseModel):
    section: str | None


class RoomAnswer(BaseModel):
    id: str = Field(description="the question's id (GET /api/learn/questions)")
    section: str
    text: str
    right: int = Field(description="members whose latest answer to it was right")
    wrong: int = Field(description="members whose latest answer to it was wrong")


class RoomAnswers(BaseModel):
    members: int
    questions: list[RoomAnswer]


class CrowdPut(Request):
    setting: str | None = Field(min_length=1, max_length=MAX_SETTING_PATH,
                                description="a sweep's setting path the assignment leaves unlocked "
                                            "(`network.hidden[0].units`, `training.reg_strength`, "
                                            "`training.learning_rate`, `network.hidden[*].activation`); null: none")


class CrowdStats(BaseModel):
    mean: float
    min: float
    max: float


class CrowdValue(BaseModel):
    value: Any = Field(description="the setting's value")
    label: str
    students: int = Field(description="members whose latest finished run at this value counts")
    diverged: int = Field(description="of them, runs that diverged")
    train: CrowdStats | None = Field(description="training accuracy (R² for regression) over the students; null: none")
    test: CrowdStats | None = Field(description="test accuracy (R²) on the data's test split; null: no test split")


class CrowdChoice(BaseModel):
    path: str
    label: str


class CrowdPublic(BaseModel):
    setting: str | None = Field(description="the varied setting's path; null: the lecturer has chosen none")
    label: str | None
    metric: Literal["accuracy", "r2"]
    members: int
    runs: int = Field(description="runs counted: each member's latest finished class job per value")
    since: str | None = Field(description="runs made since the assignment's current version count")
    values: list[CrowdValue]
    choices: list[CrowdChoice] = Field(description="settings the crowd may vary: the catalog's sweep settings "
                                                   "the assignment leaves unlocked")


class GalleryPin(Request):
    caption: str = Field(min_length=1, max_length=500, description="plain text shown with the pinned network")


class GalleryEntry(BaseModel):
    id: str = Field(description="the submission's id: POST .../gallery/{id}/copy opens a copy")
    name: str
    caption: str
    score: float | None
    metric: Metric
    scored_on: ScoredOn
    parameters: int
    pinned_at: str


class GalleryCopy(BaseModel):
    network_id: str = Field(description="your copy: open it in the Playground at /?network={network_id}")


class WallJob(BaseModel):
    id: str = Field(description="GET /api/jobs/{id} and its events: the lecturer may follow it")
    status: str


class WallTile(BaseModel):
    member_id: str
    name: str
    job: WallJob | None = Field(description="the member's newest class job (null: none yet)")
    step: int | None
    epoch: float | None
    metric: Metric
    train: float | None = Field(description="training accuracy (R² for regression) at the latest record")
    test: float | None
    parameters: int | None
    boundary: dict[str, Any] | None = Field(description="a small decision boundary, encoded as a live frame's "
                                                        "`boundary` (16 × 16 cells at most)")
    flags: list[Literal[WALL_FLAGS]] = Field(
        description="not_started: no class job yet; diverged: the loss became NaN; dead_layer: every ReLU of a "
                    "hidden layer is dead; idle: no new step for over 2 minutes")


class WallPublic(BaseModel):
    tiles: list[WallTile] = Field(description="one per member, in the order they joined")
    tick_seconds: float = Field(description="the lecturer's event stream looks at the room this often")
    tile_seconds: float = Field(description="a tile is sent at most this often on the stream")
    class_colors: list[str] = Field(description="class k's colour in a boundary, as the figures draw it")
