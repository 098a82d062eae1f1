"""Weight penalties, applied to weights only (never biases or PReLU slopes).

* ``l2``: ½·λ·Σw², gradient λ·w: every step pulls each weight toward zero in proportion to its
  size (the notes' "gradual forgetting").
* ``l1``: λ·Σ|w|, gradient λ·sign(w): drives weights to exactly zero (sparse).
* ``none``: no penalty.

Both work on the network's flat weight vector (one contiguous slice), so the penalty and its
gradient cost two or three array operations per step whatever the depth.
"""

from __future__ import annotations

import numpy as np

from .errors import SpecError

REGULARIZATION_NAMES: tuple[str, ...] = ("none", "l1", "l2")


class Regularizer:
    def __init__(self, kind: str = "l2", strength: float = 0.0):
        if kind not in REGULARIZATION_NAMES:
            raise SpecError("regularization", f"unknown regularization {kind!r}; "
                                              f"expected one of: {', '.join(REGULARIZATION_NAMES)}")
        if not np.isfinite(strength) or strength < 0:
            raise SpecError("reg_strength", "must be a finite number >= 0")
        self.kind = kind if strength > 0 else "none"
        self.strength = float(strength)
        self._tmp: np.ndarray | None = None

    def penalty(self, w: np.ndarray) -> float:
        """The regularization loss of weights ``w`` (any shape)."""
        if self.kind == "l2":
            return 0.5 * self.strength * float(np.vdot(w, w))
        if self.kind == "l1":
            return self.strength * float(np.abs(w).sum())
        return 0.0

    def add_grad(self, w: np.ndarray, grad: np.ndarray) -> None:
        """grad += d penalty / d w, in place (``w`` and ``grad`` share a shape)."""
        if self.kind == "none":
            return
        if self._tmp is None or self._tmp.shape != w.shape:
            self._tmp = np.empty_like(w)
        if self.kind == "l2":
            np.multiply(w, self.strength, out=self._tmp)
        else:
            np.sign(w, out=self._tmp)
            self._tmp *= self.strength
        grad += self._tmp
