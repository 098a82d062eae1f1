"""Gradient checking: analytic gradients against centred finite differences, in float64.

The notes' recipe: (f(x + h) − f(x − h)) / 2h with h ≈ 1e-5, compared by relative error
|a − n| / max(|a|, |n|). Above 1e-2 the gradient is probably wrong; below 1e-7 is right for smooth
functions; kinks (ReLU, max, hinge) can legitimately give more.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .network import Network
from .regularizers import Regularizer

# Below this both gradients are zero for all purposes (avoids 0/0 in the relative error).
_TINY = 1e-10


def rel_error(analytic: np.ndarray, numeric: np.ndarray) -> np.ndarray:
    """Elementwise |a − n| / max(|a|, |n|); 0 where both are (numerically) zero."""
    a, n = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    return np.abs(a - n) / np.maximum(np.maximum(np.abs(a), np.abs(n)), _TINY)


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


def check_network(
    net: Network,
    X: np.ndarray,
    y: np.ndarray,
    regularization: str = "none",
    reg_strength: float = 0.0,
    h: float = 1e-5,
    max_entries: int | None = 50,
    seed: int = 0,
) -> dict[str, float]:
    """Maximum relative error per parameter (``W1``, ``b1``, ...) of the network's backward pass
    on (X, y), data loss plus regularization. Checks up to ``max_entries`` random entries of each
    parameter (all when None)."""
    reg = Regularizer(regularization, reg_strength)
    target = net.loss.encode(y, net.spec.output_dim)
    X = np.asarray(X, dtype=np.float64)
    ws = net.workspace()

    def total_loss() -> float:
        return net.loss_and_grads(X, target, ws) + reg.penalty(net.weights_flat)

    total_loss()
    reg.add_grad(net.weights_flat, net.weight_grads_flat)
    analytic = {name: g.copy() for name, g in net.grads.items()}
    rng = np.random.default_rng(seed)
    errors = {}
    for name, param in net.params.items():
        size = param.size
        if max_entries is None or size <= max_entries:
            idx = np.arange(size)
        else:
            idx = rng.choice(size, max_entries, replace=False)
        numeric = numerical_gradient(total_loss, param, h, idx)
        errors[name] = float(rel_error(analytic[name].reshape(-1)[idx], numeric.reshape(-1)[idx]).max())
    total_loss()  # leave the gradients consistent with the restored weights
    return errors
