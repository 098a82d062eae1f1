"""Gradient checking: analytic gradients against centred finite differences, in float64.

The notes' recipe: (f(x + h) − f(x − h)) / 2h with h ≈ 1e-5, compared by relative error
|a − n| / max(|a|, |n|). Above 1e-2 the gradient is probably wrong; below 1e-4 is fine (kinks such
as ReLU, max or hinge can legitimately give that much); below 1e-7 is right for smooth functions.

The relative error only means something when the gradient is large against the rounding noise of
the difference itself. In float64 the loss carries a rounding error of about ε·|f| (ε = 2.2e-16),
and dividing the difference of two such values by 2h turns it into an absolute error of about
ε·|f| / h on every numerical gradient: 2.4e-11 for a loss near 1.1 and h = 1e-5. A correct
gradient of 1e-7 (a deep tanh network at the ``small`` initialisation) then shows a relative error
near 2e-4 and more, from rounding alone (the notes' Part 3 warns about very small numbers).

So each entry is judged by |a − n| / max(|a|, |n|, floor), where ``floor`` is the smallest gradient
whose relative error can still reach the "ok" threshold: floor = noise / THRESHOLDS["ok"]. Above the
floor that is exactly the notes' relative error; below it, the absolute error counts, compared with
the noise. The report keeps the notes' relative error too, gives the gradient scale next to each
error, and says in words when the scale, not a bug, limits what the check can tell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .network import Network
from .regularizers import Regularizer

THRESHOLDS = {"ok": 1e-4, "wrong": 1e-2}  # the notes' thresholds on the relative error
# Measured on tanh, sigmoid and ReLU networks (1 to 3 hidden layers, small and xavier initialisation):
# |a − n| of correct gradients stays below 1.3·ε·|f|/h; the factor leaves room for deeper sums.
ROUNDING_SAFETY = 4.0
# Zero biases put inputs at the origin exactly on ReLU's kink, where no finite difference agrees
# with the one-sided analytic derivative; biases of this size keep every unit off its kink.
BIAS_JITTER = 0.01
# Below this both gradients are zero for all purposes (avoids 0/0 in the relative error).
_TINY = 1e-10


def rel_error(analytic: np.ndarray, numeric: np.ndarray, floor: float = 0.0) -> np.ndarray:
    """Elementwise |a − n| / max(|a|, |n|, floor); with ``floor = 0`` the notes' relative error
    (0 where both are exactly zero)."""
    a, n = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    return np.abs(a - n) / np.maximum(np.maximum(np.abs(a), np.abs(n)), max(floor, _TINY))


def numerical_gradient(
    f: Callable[[], float], x: np.ndarray, h: float = 1e-5, indices: np.ndarray | None = None
) -> np.ndarray:
    """Centred-difference gradient of the scalar ``f()`` with respect to the array ``x``.

    ``x`` is perturbed in place and restored; ``indices`` (flat) limits the entries checked, the
    others are left at 0 in the result.
    """
    if x.dtype != np.float64:
        raise ValueError("gradient checks need float64 arrays")
    grad = np.zeros_like(x)
    flat_x, flat_g = x.reshape(-1), grad.reshape(-1)
    for i in range(flat_x.size) if indices is None else indices:
        old = flat_x[i]
        flat_x[i] = old + h
        plus = f()
        flat_x[i] = old - h
        minus = f()
        flat_x[i] = old
        flat_g[i] = (plus - minus) / (2 * h)
    return grad


def verdict(error: float) -> str:
    """``ok``, ``worrying`` or ``wrong`` for a (judged) relative error, by the notes' thresholds."""
    return "wrong" if error > THRESHOLDS["wrong"] else "worrying" if error > THRESHOLDS["ok"] else "ok"


@dataclass(frozen=True)
class ParamCheck:
    """One parameter's check over the entries compared.

    ``relative_error`` is the notes' max |a − n| / max(|a|, |n|); ``error`` the same with the
    noise floor (what the verdict uses); ``gradient_scale`` the largest |a| or |n| compared and
    ``absolute_error`` the largest |a − n|. ``scale_limited``: some compared gradients lie below the
    floor and their relative error alone would have judged this parameter worse.
    """

    relative_error: float
    error: float
    absolute_error: float
    gradient_scale: float
    scale_limited: bool


@dataclass(frozen=True)
class GradCheck:
    """The whole check: per parameter (``W1``, ``b1``, ...), the verdict and why."""

    params: dict[str, ParamCheck]
    noise: float  # absolute error rounding alone can put on a numerical gradient
    floor: float  # gradients below this are judged by their absolute error
    verdict: str
    note: str

    @property
    def relative_errors(self) -> dict[str, float]:
        """The notes' maximum relative error per parameter."""
        return {name: check.relative_error for name, check in self.params.items()}


def jitter_biases(net: Network, seed: int = 0, scale: float = BIAS_JITTER) -> None:
    """Set every bias to ``scale``·N(0, 1) (seeded), so no unit sits exactly on a kink (see BIAS_JITTER)."""
    rng = np.random.default_rng(seed)
    for name, info in net.info.items():
        if info.kind == "bias":
            net.params[name][...] = scale * rng.standard_normal(info.shape)


def check_network(
    net: Network,
    X: np.ndarray,
    y: np.ndarray,
    regularization: str = "none",
    reg_strength: float = 0.0,
    h: float = 1e-5,
    max_entries: int | None = 50,
    seed: int = 0,
) -> GradCheck:
    """The network's backward pass on (X, y), data loss plus regularization, against centred
    differences: up to ``max_entries`` random entries of each parameter (all when None).

    X: (N, input_dim); y: (N,) labels or targets. The weights are left as they were.
    """
    reg = Regularizer(regularization, reg_strength)
    target = net.loss.encode(y, net.spec.output_dim)
    X = np.asarray(X, dtype=np.float64)
    caches = net.caches()

    def total_loss() -> float:
        return net.loss_and_grads(X, target, caches) + reg.penalty(net.weights_flat)

    loss = total_loss()
    reg.add_grad(net.weights_flat, net.weight_grads_flat)
    analytic = {name: g.copy() for name, g in net.grads.items()}
    noise = ROUNDING_SAFETY * np.finfo(np.float64).eps * abs(loss) / h
    floor = noise / THRESHOLDS["ok"]
    rng = np.random.default_rng(seed)
    params = {}
    for name, param in net.params.items():
        size = param.size
        idx = np.arange(size) if max_entries is None or size <= max_entries else rng.choice(size, max_entries,
                                                                                            replace=False)
        numeric = numerical_gradient(total_loss, param, h, idx).reshape(-1)[idx]
        params[name] = _param_check(analytic[name].reshape(-1)[idx], numeric, floor)
    total_loss()  # leave the gradients consistent with the restored weights
    worst = max((check.error for check in params.values()), default=0.0)
    result = verdict(worst)
    return GradCheck(params, float(noise), float(floor), result, _note(params, result, noise, floor))


def _param_check(analytic: np.ndarray, numeric: np.ndarray, floor: float) -> ParamCheck:
    relative = float(rel_error(analytic, numeric).max(initial=0.0))
    judged = float(rel_error(analytic, numeric, floor).max(initial=0.0))
    scale = float(np.maximum(np.abs(analytic), np.abs(numeric)).max(initial=0.0))
    absolute = float(np.abs(analytic - numeric).max(initial=0.0))
    below_floor = bool(np.any(np.maximum(np.abs(analytic), np.abs(numeric)) < floor))
    return ParamCheck(relative, judged, absolute, scale, below_floor and verdict(relative) != verdict(judged))


def _note(params: dict[str, ParamCheck], result: str, noise: float, floor: float) -> str:
    """The verdict in plain words, saying when the gradients' scale rather than a bug limits it."""
    limited = [name for name, check in params.items() if check.scale_limited]
    names = ", ".join(limited)
    scale = (f"Some gradients of {names} are smaller than about {floor:.0e}, where centred differences in "
             f"float64 cannot resolve them (rounding alone puts errors near {noise:.0e} on every numerical "
             f"gradient), so those are judged by their absolute error. " if limited else "")
    worst = max(params, key=lambda name: params[name].error) if params else ""
    if result == "ok":
        if limited:
            return (f"ok. {scale}Their relative errors (up to "
                    f"{max(params[name].relative_error for name in limited):.0e}) come from that scale, not from "
                    f"a bug; a larger initialisation (xavier or he) checks them more sharply.")
        return f"ok: every relative error is below {THRESHOLDS['ok']:g}."
    check = params[worst]
    if worst in limited or check.gradient_scale < floor:
        return (f"{result}: {worst} has an error of {check.error:.0e} at gradients of at most "
                f"{check.gradient_scale:.0e}, too small for this check to tell a bug from rounding. {scale}"
                f"Check again with a larger initialisation (xavier or he).")
    return (f"{result}: {worst}'s analytic gradient differs from the numerical one by a relative error of "
            f"{check.error:.0e} at gradients up to {check.gradient_scale:.0e}, large enough to measure: a bug in "
            f"the backward pass, or inputs on a kink (ReLU, max, hinge).")
