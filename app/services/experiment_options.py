"""Each experiment's options: one pydantic model per experiment, its defaults the experiment's
(``experiments.EXPERIMENTS`` names the model). The rules are the models'; the server's limits and
the compute budget are checked by ``experiments.resolve_options``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from app.nn import ACTIVATION_NAMES, INIT_NAMES, OPTIMIZER_NAMES

from .data_specs import DataSpec
from .specs import MAX_SEEDS, Request, SeedValue, limit, whole

MAX_RUNS = 6
CLAIM_SEEDS = 5  # the experiments whose claim is a comparison train each setting this often by default
_MOONS = {"name": "moons", "n_per_class": 50, "noise": 0.35, "test_fraction": 0.3, "seed": 0}
_SPIRAL = {"name": "spiral", "n_per_class": 100, "classes": 3, "noise": 0.2, "seed": 0, "test_fraction": 0.0}

Units = Annotated[whole(ge=1), Field(description="hidden units", json_schema_extra=limit("max_units"))]
Steps = Annotated[whole(ge=1), Field(description="training steps per run", json_schema_extra=limit("max_steps"))]
LearningRate = Annotated[float, Field(gt=0)]
Strength = Annotated[float, Field(ge=0)]
ActivationName = Literal[ACTIVATION_NAMES]  # type: ignore[valid-type]
OptimizerName = Literal[OPTIMIZER_NAMES]  # type: ignore[valid-type]
InitName = Literal[INIT_NAMES]  # type: ignore[valid-type]


Seeds = Annotated[whole(ge=1, le=MAX_SEEDS), Field(
    description="each setting is trained with this many seeds (seed, seed + 1, ...): the table gives the mean "
                "and the range, the curves a band")]


def _runs(item: Any) -> Any:
    return Annotated[list[item], Field(min_length=1, max_length=MAX_RUNS, description="one run each")]


class ExperimentOptions(Request):
    """The settings every experiment shares; each experiment's model sets its own defaults."""

    data: DataSpec
    optimizer: OptimizerName
    learning_rate: LearningRate
    steps: Steps
    seed: SeedValue = 0
    seeds: Seeds = 1
    init: InitName


class MoonsOptions(ExperimentOptions):
    """The notes' capacity and regularization figures: noisy 2-D two-class data, Adam."""

    data: DataSpec = DataSpec(**_MOONS)
    optimizer: OptimizerName = "adam"
    learning_rate: LearningRate = 0.02
    steps: Steps = 5000
    init: InitName = "xavier"
    activation: ActivationName = "relu"


class CapacityOptions(MoonsOptions):
    seeds: Seeds = CLAIM_SEEDS
    units: _runs(Units) = [3, 6, 20]


class RegularizationOptions(MoonsOptions):
    seeds: Seeds = CLAIM_SEEDS
    units: Units = 20
    reg_strengths: _runs(Strength) = [0.001, 0.01, 0.1]


class SpiralOptions(ExperimentOptions):
    """The notes' case study: the 3-class spiral, 100 hidden units, SGD at learning rate 1, L2 of 1e-3."""

    data: DataSpec = DataSpec(**_SPIRAL)
    optimizer: OptimizerName = "sgd"
    learning_rate: LearningRate = 1.0
    units: Units = 100
    reg_strength: Strength = 1e-3


class ActivationsOptions(SpiralOptions):
    steps: Steps = 3000
    init: InitName = "small"
    seeds: Seeds = CLAIM_SEEDS
    activations: _runs(ActivationName) = ["relu", "tanh", "sigmoid", "leaky_relu"]
    target_accuracy: Annotated[float, Field(gt=0, le=1)] = 0.75


class DeadReluOptions(SpiralOptions):
    steps: Steps = 2000
    init: InitName = "he"
    learning_rates: _runs(LearningRate) = [0.1, 0.3, 1.0, 3.0, 10.0]


class ApproximationOptions(ExperimentOptions):
    data: DataSpec = DataSpec(name="sine", n_points=100, noise=0.05, seed=0, test_fraction=0.0)
    optimizer: OptimizerName = "adam"
    learning_rate: LearningRate = 0.01
    steps: Steps = 3000
    init: InitName = "he"
    activation: ActivationName = "relu"
    units: _runs(Units) = [1, 2, 4, 8, 32]


class CaseStudyOptions(SpiralOptions):
    steps: Steps = 10_000
    init: InitName = "small"
    linear_steps: Steps = 200
