"""Request and response models, in families: specs (what a client describes), ``...Create``
bodies, ``...Public`` answers. Requests are strict: unknown fields, wrong types, NaN and infinity
are rejected with a 422 naming the field.

The schemas state what the server enforces: bounds that are settings carry a ``limit`` mark the
app replaces with the running server's value (``app.api.openapi``); rules between fields that JSON
Schema can state (a binary loss has one output; an optimizer takes only its own options; steps or
epochs, not both) are written into the schema here, and the services enforce them. What depends on
stored state or on the data (does this data fit this network) is checked by the services only,
and each operation's 422 says so.

One module per area, every model re-exported here (``from app.api.schemas import JobCreate``):
``common`` (the core's names as types, one-line names, bounded weights), ``specs`` (network and
training specs, live options), ``networks``, ``jobs``, ``classes`` (with the lecturer's wall),
``class_export`` (a class's export document, for import), ``sweeps``, ``datasets``, ``catalog``
(activations and every name the pages offer) and ``gradcheck``. ``DataSpec`` comes from
``app.services.data_specs`` and ``Request`` from ``app.services.specs``."""

from app.services.data_specs import DataSpec
from app.services.specs import Request

from .catalog import (
    ActivationInfo,
    ActivationValues,
    Catalog,
    CatalogActivation,
    CatalogLoss,
    CatalogMetric,
    ClassSettingInfo,
    Named,
    SweepSetting,
)
from .class_export import (
    NOT_CARRIED,
    PER_MEMBER,
    ClassExport,
    ExportedAssignment,
    ExportedClass,
    ExportedEntry,
    ExportedMember,
    ExportedNetwork,
    ExportedPin,
    ExportedSetting,
    ExportId,
    Instant,
)
from .classes import (
    MAX_PROMPT,
    MAX_SETTING_PATH,
    SCORED_ON,
    AssignmentPublic,
    AssignmentPut,
    AssignmentSetup,
    ClassCreate,
    ClassFollow,
    ClassFollowPublic,
    ClassJoin,
    ClassMemberPublic,
    ClassPublic,
    ClassSettingName,
    ClassSettingState,
    ClassSummary,
    ClassUpdate,
    ClassYou,
    CrowdChoice,
    CrowdPublic,
    CrowdPut,
    CrowdStats,
    CrowdValue,
    GalleryCopy,
    GalleryEntry,
    GalleryPin,
    HiddenTest,
    LeaderboardEntry,
    LeaderboardPublic,
    MemberUpdate,
    Metric,
    RoomAnswer,
    RoomAnswers,
    ScoredOn,
    SubmissionCreate,
    SubmissionPublic,
    WallJob,
    WallPublic,
    WallTile,
)
from .common import (
    CONTROL_CHARACTERS,
    DEFAULT_OPTIMIZER,
    MAX_MEMBER_NAME,
    MAX_WEIGHT,
    NAME_HELP,
    ONE_LINE,
    Activation,
    ClassTitle,
    FeatureName,
    InitName,
    LossName,
    MemberName,
    Name,
    OptimizerName,
    RegularizationName,
    Weight,
    Weights,
)
from .datasets import ClassStyle, DatasetInfoPublic, DatasetPreview, ParamPublic, Points, UploadPublic
from .gradcheck import GradcheckPublic, GradcheckRequest, ParamCheckPublic
from .jobs import JobCreate, JobProgress, JobPublic
from .networks import (
    Counts,
    EncodedMaps,
    FeatureInfo,
    FeatureMapsPublic,
    ForkPublic,
    ForwardLayer,
    ForwardPublic,
    ForwardRequest,
    HistoryRecord,
    NetworkExport,
    NetworkPublic,
    NodeLayer,
    NodeMapsPublic,
    PredictPublic,
    PredictRequest,
    SharePublic,
    WeightPublic,
    WeightUpdate,
)
from .specs import (
    Dim,
    InferredDim,
    JobNetwork,
    LayerSpec,
    LiveHidden,
    LiveOptions,
    NetworkChange,
    NetworkCreate,
    NetworkFork,
    NetworkSpec,
    NetworkUpdate,
    NeuronFigureRequest,
    OptimizerOptions,
    SpecFigureRequest,
    SpecForData,
    TrainingSpec,
    UnstoredForward,
    UnstoredNetwork,
)
from .sweeps import (
    MetricSpread,
    RandomRange,
    RandomSweep,
    SweepAggregate,
    SweepAxis,
    SweepCreate,
    SweepProgress,
    SweepPublic,
    SweepRow,
    SweepValue,
)

__all__ = [
    "CONTROL_CHARACTERS", "DEFAULT_OPTIMIZER", "MAX_MEMBER_NAME", "MAX_PROMPT", "MAX_SETTING_PATH", "MAX_WEIGHT",
    "NAME_HELP", "NOT_CARRIED", "ONE_LINE", "PER_MEMBER", "SCORED_ON", "Activation", "ActivationInfo",
    "ActivationValues", "AssignmentPublic", "AssignmentPut", "AssignmentSetup", "Catalog", "CatalogActivation",
    "CatalogLoss", "CatalogMetric", "ClassCreate", "ClassExport", "ClassFollow", "ClassFollowPublic", "ClassJoin",
    "ClassMemberPublic", "ClassPublic", "ClassSettingInfo", "ClassSettingName", "ClassSettingState", "ClassStyle",
    "ClassSummary", "ClassTitle", "ClassUpdate", "ClassYou", "Counts", "CrowdChoice", "CrowdPublic", "CrowdPut",
    "CrowdStats", "CrowdValue", "DataSpec", "DatasetInfoPublic", "DatasetPreview", "Dim", "EncodedMaps", "ExportId",
    "ExportedAssignment", "ExportedClass", "ExportedEntry", "ExportedMember", "ExportedNetwork", "ExportedPin",
    "ExportedSetting", "FeatureInfo", "FeatureMapsPublic", "FeatureName", "ForkPublic", "ForwardLayer", "ForwardPublic",
    "ForwardRequest", "GalleryCopy", "GalleryEntry", "GalleryPin", "GradcheckPublic", "GradcheckRequest", "HiddenTest",
    "HistoryRecord", "InferredDim", "InitName", "Instant", "JobCreate", "JobNetwork", "JobProgress", "JobPublic",
    "LayerSpec", "LeaderboardEntry", "LeaderboardPublic", "LiveHidden", "LiveOptions", "LossName", "MemberName",
    "MemberUpdate", "Metric", "MetricSpread", "Name", "Named", "NetworkChange", "NetworkCreate", "NetworkExport",
    "NetworkFork", "NetworkPublic", "NetworkSpec", "NetworkUpdate", "NeuronFigureRequest", "NodeLayer",
    "NodeMapsPublic", "OptimizerName", "OptimizerOptions", "ParamCheckPublic", "ParamPublic", "Points", "PredictPublic",
    "PredictRequest", "RandomRange", "RandomSweep", "RegularizationName", "Request", "RoomAnswer", "RoomAnswers",
    "ScoredOn", "SharePublic", "SpecFigureRequest", "SpecForData", "SubmissionCreate", "SubmissionPublic",
    "SweepAggregate", "SweepAxis", "SweepCreate", "SweepProgress", "SweepPublic", "SweepRow", "SweepSetting",
    "SweepValue", "TrainingSpec", "UnstoredForward", "UnstoredNetwork", "UploadPublic", "WallJob", "WallPublic",
    "WallTile", "Weight", "WeightPublic", "WeightUpdate", "Weights",
]
