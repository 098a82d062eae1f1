"""Elementwise activation functions: value and derivative.

Each activation is a stateless object with

* ``fn(z, out=None)``: f(z), elementwise; ``z`` and the result have any shape.
* ``grad(z, a, out=None)``: f'(z), given the input ``z`` and the value ``a = f(z)`` (so that
  sigmoid can use ``a * (1 - a)`` and ReLU can look at ``z``).

Both accept ``out=`` so the training loop can reuse its arrays. Anything with parameters (PReLU's
slope) or that is not elementwise (maxout) is a layer, in ``layers.py``.

``ACTIVATIONS`` is the one registry of every activation a hidden layer can use, layers included:
its label, description and the notes' verdict live there, next to the function, and the API and
the pages read them from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .errors import SpecError

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715
LEAKY_SLOPE = 0.01  # the notes' leaky ReLU slope for x < 0
PRELU_SLOPE = 0.25  # PReLU's initial slope (He et al. 2015)


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

    def fn(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        raise NotImplementedError

    def grad(self, z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        raise NotImplementedError


@dataclass(frozen=True)
class Sigmoid(Activation):
    """σ(z) = 1 / (1 + e^-z), range (0, 1); σ'(z) = σ(z)(1 − σ(z)) ≤ 0.25."""

    name = "sigmoid"

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

    def fn(self, z, out=None):
        return np.maximum(z, 0.0, out=_buf(z, out))

    def grad(self, z, a, out=None):
        return np.greater(z, 0.0, out=_buf(z, out))


@dataclass(frozen=True)
class LeakyReLU(Activation):
    """z for z > 0, slope·z otherwise (slope ≈ 0.01): a dead unit still gets a small gradient."""

    slope: float = LEAKY_SLOPE
    name = "leaky_relu"

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

    def fn(self, z, out=None):
        return np.logaddexp(0.0, z, out=_buf(z, out))

    def grad(self, z, a, out=None):
        return stable_sigmoid(z, out)


@dataclass(frozen=True)
class GELU(Activation):
    """GELU, tanh approximation: 0.5·z·(1 + tanh(√(2/π)(z + 0.044715 z³))) (Hendrycks & Gimpel)."""

    name = "gelu"

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

    def fn(self, z, out=None):
        out = _buf(z, out)
        np.copyto(out, z)
        return out

    def grad(self, z, a, out=None):
        out = _buf(z, out)
        out.fill(1.0)
        return out


@dataclass(frozen=True)
class ActivationInfo:
    """Everything said about one activation: the function (None for the layer ones, PReLU and
    maxout), how to name it, what it does, and the notes' advice on using it."""

    name: str
    label: str
    function: type[Activation] | None
    description: str
    verdict: str
    in_notes: bool = False  # one of the six the notes discuss
    piecewise_linear: bool = False  # only a zero slope counts as "no gradient", not a small one
    slope: float | None = None  # default negative slope (leaky ReLU) or initial slope (PReLU)


ACTIVATIONS: dict[str, ActivationInfo] = {info.name: info for info in (
    ActivationInfo(
        "sigmoid", "Sigmoid", Sigmoid,
        "Squashes to (0, 1). Saturates (gradient ≈ 0 at the tails) and is not zero-centred.",
        "Avoid in hidden layers: saturates (σ' ≤ 0.25, ~0 at the tails) and is not zero-centred.",
        in_notes=True),
    ActivationInfo(
        "tanh", "tanh", Tanh,
        "Squashes to (−1, 1): zero-centred, but still saturates. tanh(x) = 2σ(2x) − 1.",
        "Better than sigmoid (zero-centred) but still saturates; usually worse than ReLU or maxout.",
        in_notes=True),
    ActivationInfo(
        "relu", "ReLU", ReLU,
        "max(0, x): cheap, no saturation for x > 0, fast to train; units can die.",
        "The default choice: cheap and fast to train; watch the learning rate and the dead fraction.",
        in_notes=True, piecewise_linear=True),
    ActivationInfo(
        "leaky_relu", "Leaky ReLU", LeakyReLU,
        "Like ReLU, with a small slope (≈ 0.01) for x < 0 so units cannot die.",
        "Worth a try when ReLUs die: a small slope for x < 0 keeps a gradient; results vary.",
        in_notes=True, piecewise_linear=True, slope=LEAKY_SLOPE),
    ActivationInfo(
        "prelu", "PReLU", None,
        "Parametric ReLU: like leaky ReLU, but each unit learns its own slope for x < 0.",
        "Leaky ReLU with a learned slope per unit (He et al. 2015).",
        in_notes=True, piecewise_linear=True, slope=PRELU_SLOPE),
    ActivationInfo(
        "maxout", "Maxout", None,
        "max(w₁·x + b₁, w₂·x + b₂): generalises ReLU and leaky ReLU; never dies, but doubles the parameters.",
        "Never dies nor saturates, generalises ReLU and leaky ReLU, but doubles the parameters per unit.",
        in_notes=True, piecewise_linear=True),
    ActivationInfo(
        "elu", "ELU", ELU,
        "Exponential linear unit: smooth for x < 0, saturating at −alpha; mean closer to 0.",
        "Smooth for x < 0 with negative outputs pushing means toward zero; a little costlier than ReLU."),
    ActivationInfo(
        "softplus", "Softplus", Softplus,
        "log(1 + eˣ): a smooth ReLU. Never exactly zero gradient, but slow to compute.",
        "A smooth ReLU, log(1 + eˣ); never exactly zero, so units do not die, but it trains slower."),
    ActivationInfo(
        "gelu", "GELU", GELU,
        "Gaussian error linear unit (tanh approximation): a smooth, slightly non-monotonic ReLU.",
        "A smooth ReLU weighted by the Gaussian CDF; common in transformers."),
    ActivationInfo(
        "swish", "Swish", Swish,
        "x·σ(x) (SiLU): smooth and non-monotonic near 0, ReLU-like for large x.",
        "x·σ(x): smooth and non-monotonic near zero; similar to GELU."),
    ActivationInfo(
        "linear", "Linear", Linear,
        "The identity: no nonlinearity, so stacked linear layers are one linear map.",
        "No nonlinearity: stacked linear layers collapse into one linear map.",
        piecewise_linear=True),
)}

ACTIVATION_NAMES: tuple[str, ...] = tuple(ACTIVATIONS)


def get_activation(name: str, **options: float) -> Activation:
    """An elementwise activation by name, e.g. ``get_activation("leaky_relu", slope=0.1)``."""
    info = ACTIVATIONS.get(name)
    if info is None or info.function is None:
        known = ", ".join(n for n, i in ACTIVATIONS.items() if i.function is not None)
        raise SpecError("activation", f"{name!r} is not an elementwise activation; expected one of: {known}")
    return info.function(**options)
