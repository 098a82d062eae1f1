"""What a class's assignment can lock: the one list (``CLASS_SETTINGS``), served by ``GET /api/catalog``,
checked by the class service on every member's job and read by the crowd experiment."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClassSetting:
    """A setting a lecturer may lock: its name (a path in a training request), its label, and the
    request fields it covers (``section.key``)."""

    name: str
    label: str
    fields: tuple[str, ...]


# What a lecturer can lock, in the Playground's order. Fields no setting covers (steps, epochs,
# history, input and output sizes, which follow the data) are never locked: Play runs in chunks.
CLASS_SETTINGS: tuple[ClassSetting, ...] = (
    ClassSetting("data.name", "data set", ("data.name", "data.id")),
    ClassSetting("data.classes", "classes", ("data.classes",)),
    ClassSetting("data.size", "points", ("data.n_per_class", "data.n_points")),
    ClassSetting("data.noise", "noise", ("data.noise",)),
    ClassSetting("data.seed", "data seed (Regenerate)", ("data.seed",)),
    ClassSetting("data.test_fraction", "train : test", ("data.test_fraction",)),
    ClassSetting("data.points", "added points", ("data.points",)),
    ClassSetting("network.hidden", "hidden layers, units and activations", ("network.hidden",)),
    ClassSetting("network.features", "input features", ("network.features",)),
    ClassSetting("network.loss", "loss", ("network.loss",)),
    ClassSetting("network.init", "initialization", ("network.init",)),
    ClassSetting("seed", "seed", ("network.seed", "training.seed")),
    ClassSetting("training.optimizer", "optimizer", ("training.optimizer", "training.optimizer_options")),
    ClassSetting("training.learning_rate", "learning rate", ("training.learning_rate",)),
    ClassSetting("training.regularization", "regularization", ("training.regularization",)),
    ClassSetting("training.reg_strength", "strength λ", ("training.reg_strength",)),
    ClassSetting("training.batch_size", "batch size", ("training.batch_size",)),
)
SETTING_NAMES = tuple(setting.name for setting in CLASS_SETTINGS)
