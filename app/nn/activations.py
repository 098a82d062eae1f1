"""Elementwise activation functions: value and derivative.

Each activation is a stateless object with

* ``fn(z, out=None)``: f(z), elementwise; ``z`` and the result have any shape.
* ``grad(z, a, out=None)``: f'(z), given the input ``z`` and the value ``a = f(z)`` (so that
  sigmoid can use ``a * (1 - a)`` and ReLU can look at ``z``).

Both accept ``out=`` so the training loop can reuse buffers. Anything with parameters (PReLU's
slope) or that is not elementwise (maxout) is a layer, in ``layers.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715


def _buf(z: np.ndarray, out: np.ndarray | None) -> np.ndarray:
    return np.empty_like(z, dtype=np.float64) if out is None else out


def stable_sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """sigmoid(z) = 1 / (1 + e^-z) without overflow: e^-|z| never exceeds 1.

    For z >= 0 it is 1 / (1 + e^-z); for z < 0 it is e^z / (1 + e^z). Both use e = e^-|z|.
    """
    out = _buf(z, out)
    np.abs(z, out=out)
    np.negative(out, out=out)
    np.exp(out, out=out)  # e = exp(-|z|) in (0, 1]
    numerator = np.where(z >= 0, 1.0, out)
    out += 1.0
    np.divide(numerator, out, out=out)
    return out


@dataclass(frozen=True)
class Activation:
    """Base class: a named elementwise nonlinearity."""

    name = "activation"
    description = ""

    def fn(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        raise NotImplementedError

    def grad(self, z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        raise NotImplementedError


@dataclass(frozen=True)
class Sigmoid(Activation):
    """σ(z) = 1 / (1 + e^-z), range (0, 1); σ'(z) = σ(z)(1 − σ(z)) ≤ 0.25."""

    name = "sigmoid"
    description = "Squashes to (0, 1). Saturates (gradient ≈ 0 at the tails) and is not zero-centred."

    def fn(self, z, out=None):
        return stable_sigmoid(z, out)

    def grad(self, z, a, out=None):
        out = _buf(z, out)
        np.subtract(1.0, a, out=out)
        out *= a
        return out


@dataclass(frozen=True)
class Tanh(Activation):
    """tanh(z) = 2σ(2z) − 1, range (−1, 1); tanh'(z) = 1 − tanh²(z)."""

    name = "tanh"
    description = "Squashes to (−1, 1): zero-centred, but still saturates. tanh(x) = 2σ(2x) − 1."

    def fn(self, z, out=None):
        return np.tanh(z, out=_buf(z, out))

    def grad(self, z, a, out=None):
        out = _buf(z, out)
        np.multiply(a, a, out=out)
        np.subtract(1.0, out, out=out)
        return out


@dataclass(frozen=True)
class ReLU(Activation):
    """max(0, z); derivative 1 for z > 0, else 0 (0 at the kink, by convention)."""

    name = "relu"
    description = "max(0, x): cheap, no saturation for x > 0, fast to train; units can die."

    def fn(self, z, out=None):
        return np.maximum(z, 0.0, out=_buf(z, out))

    def grad(self, z, a, out=None):
        return np.greater(z, 0.0, out=_buf(z, out))


@dataclass(frozen=True)
class LeakyReLU(Activation):
    """z for z > 0, slope·z otherwise (slope ≈ 0.01): a dead unit still gets a small gradient."""

    slope: float = 0.01
    name = "leaky_relu"
    description = "Like ReLU, with a small slope (≈ 0.01) for x < 0 so units cannot die."

    def fn(self, z, out=None):
        out = _buf(z, out)
        np.multiply(z, self.slope, out=out)
        np.copyto(out, z, where=z > 0)
        return out

    def grad(self, z, a, out=None):
        out = _buf(z, out)
        np.greater(z, 0.0, out=out)
        out *= 1.0 - self.slope
        out += self.slope
        return out


@dataclass(frozen=True)
class ELU(Activation):
    """z for z > 0, alpha·(e^z − 1) otherwise; derivative 1 or a + alpha."""

    alpha: float = 1.0
    name = "elu"
    description = "Exponential linear unit: smooth for x < 0, saturating at −alpha; mean closer to 0."

    def fn(self, z, out=None):
        out = _buf(z, out)
        np.minimum(z, 0.0, out=out)  # exp only of non-positive values: no overflow
        np.expm1(out, out=out)
        out *= self.alpha
        np.copyto(out, z, where=z > 0)
        return out

    def grad(self, z, a, out=None):
        out = _buf(z, out)
        np.add(a, self.alpha, out=out)
        np.copyto(out, 1.0, where=z > 0)
        return out


@dataclass(frozen=True)
class Softplus(Activation):
    """log(1 + e^z), a smooth ReLU; derivative σ(z)."""

    name = "softplus"
    description = "log(1 + eˣ): a smooth ReLU. Never exactly zero gradient, but slow to compute."

    def fn(self, z, out=None):
        return np.logaddexp(0.0, z, out=_buf(z, out))

    def grad(self, z, a, out=None):
        return stable_sigmoid(z, out)


@dataclass(frozen=True)
class GELU(Activation):
    """GELU, tanh approximation: 0.5·z·(1 + tanh(√(2/π)(z + 0.044715 z³))) (Hendrycks & Gimpel)."""

    name = "gelu"
    description = "Gaussian error linear unit (tanh approximation): a smooth, slightly non-monotonic ReLU."

    def fn(self, z, out=None):
        inner = _SQRT_2_OVER_PI * (z + _GELU_C * z**3)
        out = _buf(z, out)
        np.tanh(inner, out=out)
        out += 1.0
        out *= z
        out *= 0.5
        return out

    def grad(self, z, a, out=None):
        t = np.tanh(_SQRT_2_OVER_PI * (z + _GELU_C * z**3))
        dinner = _SQRT_2_OVER_PI * (1.0 + 3.0 * _GELU_C * z**2)
        out = _buf(z, out)
        np.multiply(t, t, out=out)
        np.subtract(1.0, out, out=out)
        out *= dinner
        out *= z
        out += 1.0 + t
        out *= 0.5
        return out


@dataclass(frozen=True)
class Swish(Activation):
    """swish(z) = z·σ(z) (also SiLU); derivative σ(z) + z·σ(z)(1 − σ(z))."""

    name = "swish"
    description = "x·σ(x) (SiLU): smooth and non-monotonic near 0, ReLU-like for large x."

    def fn(self, z, out=None):
        out = stable_sigmoid(z, out)
        out *= z
        return out

    def grad(self, z, a, out=None):
        s = stable_sigmoid(z)
        out = _buf(z, out)
        np.subtract(1.0, s, out=out)
        out *= a  # z·σ(z)·(1 − σ(z))
        out += s
        return out


@dataclass(frozen=True)
class Linear(Activation):
    """The identity: a layer without nonlinearity (stacking such layers stays linear)."""

    name = "linear"
    description = "The identity: no nonlinearity, so stacked linear layers are one linear map."

    def fn(self, z, out=None):
        out = _buf(z, out)
        np.copyto(out, z)
        return out

    def grad(self, z, a, out=None):
        out = _buf(z, out)
        out.fill(1.0)
        return out


ELEMENTWISE: dict[str, type[Activation]] = {
    cls.name: cls for cls in (Sigmoid, Tanh, ReLU, LeakyReLU, ELU, Softplus, GELU, Swish, Linear)
}

# Activations that need a layer of their own (learned slope; several affine pieces).
LAYER_ACTIVATIONS: dict[str, str] = {
    "prelu": "Parametric ReLU: like leaky ReLU, but each unit learns its own slope for x < 0.",
    "maxout": "max(w₁·x + b₁, w₂·x + b₂): generalises ReLU and leaky ReLU; never dies, but doubles the parameters.",
}

ACTIVATION_NAMES: tuple[str, ...] = (
    "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "maxout", "elu", "softplus", "gelu", "swish", "linear",
)


def get_activation(name: str, **options: float) -> Activation:
    """Look up an elementwise activation by name, e.g. ``get_activation("leaky_relu", slope=0.1)``."""
    try:
        cls = ELEMENTWISE[name]
    except KeyError:
        known = ", ".join(sorted(ELEMENTWISE))
        raise ValueError(f"unknown activation {name!r}; expected one of: {known}") from None
    return cls(**options)


def describe(name: str) -> str:
    """One-line description of any activation, including the layer ones (prelu, maxout)."""
    if name in LAYER_ACTIVATIONS:
        return LAYER_ACTIVATIONS[name]
    return get_activation(name).description
