"""Input features: what the first layer sees, computed from the two inputs of a point in the plane.

TensorFlow Playground lets one feed a network X₁, X₂, X₁², X₂², X₁X₂, sin X₁ and sin X₂ instead of
the raw coordinates; with X₁² and X₂² a circle becomes linearly separable, so a network with no
hidden layer classifies it. Here the features are a fixed layer before the first weights: no
parameters, no gradient (nothing below it learns), and ``W1`` has one row per chosen feature.

Our data sets span about [−1, 1] (TensorFlow Playground's span [−6, 6]), where sin x is nearly x;
the sine features are therefore sin(π·x): one full period across the data, as the eye expects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .errors import SpecError

RAW_FEATURES = ("x1", "x2")  # the inputs themselves: the network as it is without a feature layer


@dataclass(frozen=True)
class Feature:
    """One feature of a point (x₁, x₂): its name, label, formula and values ``fn(x1, x2)`` of (N,) arrays."""

    name: str
    label: str
    formula: str
    fn: Callable[[np.ndarray, np.ndarray], np.ndarray]


FEATURES: dict[str, Feature] = {f.name: f for f in (
    Feature("x1", "X₁", "x₁", lambda x1, x2: x1),
    Feature("x2", "X₂", "x₂", lambda x1, x2: x2),
    Feature("x1sq", "X₁²", "x₁²", lambda x1, x2: x1 * x1),
    Feature("x2sq", "X₂²", "x₂²", lambda x1, x2: x2 * x2),
    Feature("x1x2", "X₁X₂", "x₁·x₂", lambda x1, x2: x1 * x2),
    Feature("sin_x1", "sin πX₁", "sin(π·x₁)", lambda x1, x2: np.sin(np.pi * x1)),
    Feature("sin_x2", "sin πX₂", "sin(π·x₂)", lambda x1, x2: np.sin(np.pi * x2)),
)}
FEATURE_NAMES = tuple(FEATURES)


def check_features(features: tuple[str, ...], input_dim: int) -> None:
    """Raise ``SpecError`` (field ``features`` or ``features[i]``) unless ``features`` is a
    non-empty list of known, distinct feature names of 2-D inputs."""
    if input_dim != 2:
        raise SpecError("features", f"input features are functions of two inputs (x₁, x₂); this network has "
                                    f"{input_dim} input{'s' if input_dim != 1 else ''}: leave features out")
    if not features:
        raise SpecError("features", "choose at least one feature")
    for i, name in enumerate(features):
        if name not in FEATURES:
            raise SpecError(f"features[{i}]", f"unknown feature {name!r}; expected one of: {', '.join(FEATURE_NAMES)}")
        if name in features[:i]:
            raise SpecError(f"features[{i}]", f"{name!r} is already chosen")


def feature_values(features: tuple[str, ...], X: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """X: (N, 2) points -> (N, F), column f being ``features[f]`` of each point; into ``out`` if given."""
    out = np.empty((X.shape[0], len(features))) if out is None else out
    x1, x2 = X[:, 0], X[:, 1]
    for f, name in enumerate(features):
        out[:, f] = FEATURES[name].fn(x1, x2)
    return out
