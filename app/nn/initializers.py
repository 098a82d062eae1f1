"""Weight initialisation schemes from the notes (Part 2). Biases always start at zero.

* ``small``: 0.01·N(0, 1), the spiral case study's choice; fine for small nets, but it shrinks the
  gradients of deep ones.
* ``xavier``: N(0, 1)·√(2 / (fan_in + fan_out)) (Glorot & Bengio: Var(w) = 2 / (n_in + n_out)).
* ``he``: N(0, 1)·√(2 / fan_in) (He et al. 2015), the notes' recommendation for ReLU networks.
"""

from __future__ import annotations

import math

import numpy as np

from .errors import SpecError

INIT_NAMES: tuple[str, ...] = ("small", "xavier", "he")


def weight_scale(scheme: str, fan_in: int, fan_out: int) -> float:
    """Standard deviation of the initial weights of a layer with the given fan-in and fan-out."""
    if scheme == "small":
        return 0.01
    if scheme == "xavier":
        return math.sqrt(2.0 / (fan_in + fan_out))
    if scheme == "he":
        return math.sqrt(2.0 / fan_in)
    raise SpecError("init", f"unknown init {scheme!r}; expected one of: {', '.join(INIT_NAMES)}")


def init_weights(
    out: np.ndarray, scheme: str, fan_in: int, fan_out: int, rng: np.random.Generator
) -> None:
    """Fill ``out`` (any shape) with N(0, 1) samples times the scheme's scale, in place."""
    out[...] = rng.standard_normal(out.shape) * weight_scale(scheme, fan_in, fan_out)
