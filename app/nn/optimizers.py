"""Parameter updates, simplest first, with the notes' (Part 3) rules and defaults.

Contract: ``step(x, dx)`` updates the parameter array ``x`` in place from its gradient ``dx``;
state (velocity, caches, moments) lives on the optimizer, shaped like ``x``. The network keeps all
its parameters in one flat vector, so one call updates every layer.
"""

from __future__ import annotations

import inspect

import numpy as np

from .errors import SpecError

OPTIMIZER_NAMES: tuple[str, ...] = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")


class Optimizer:
    name = "optimizer"
    slots: tuple[str, ...] = ()  # names of the per-parameter state arrays

    def __init__(self, learning_rate: float):
        self.learning_rate = float(learning_rate)
        self.t = 0  # Adam's step count, for its bias correction
        self._tmp: np.ndarray | None = None
        for slot in self.slots:
            setattr(self, slot, None)  # made at the first step, when the parameters' shape is known

    def state(self) -> dict[str, object]:
        """The optimizer's memory (velocity, caches, moments, step count), to continue later."""
        arrays = {slot: getattr(self, slot).copy() for slot in self.slots if getattr(self, slot) is not None}
        return {"name": self.name, "t": self.t, **arrays}

    def load_state(self, state: dict[str, object], size: int) -> bool:
        """Resume from ``state()`` of an optimizer of the same kind over ``size`` parameters;
        False (and nothing loaded) when it does not fit."""
        arrays = {slot: np.asarray(state[slot], dtype=np.float64) for slot in self.slots if slot in state}
        if state.get("name") != self.name or (arrays and len(arrays) != len(self.slots)):
            return False
        if any(a.shape != (size,) or not np.all(np.isfinite(a)) for a in arrays.values()):
            return False
        for slot, array in arrays.items():
            setattr(self, slot, array.copy())
        self.t = int(state.get("t", 0))
        return True

    def _prepare(self, x: np.ndarray) -> np.ndarray:
        """Zero state arrays shaped like ``x`` where there are none yet; returns a scratch array of that shape."""
        for slot in self.slots:
            if getattr(self, slot) is None:
                setattr(self, slot, np.zeros_like(x))
        if self._tmp is None or self._tmp.shape != x.shape:
            self._tmp = np.empty_like(x)
        return self._tmp

    def step(self, x: np.ndarray, dx: np.ndarray) -> None:
        """One update of ``x`` in place from its gradient ``dx``.

        x, dx: arrays of one shape, in practice the network's flat vectors (P,); the optimizer's
        state (velocity, caches, moments) takes that shape at the first step. Returns nothing.
        """
        raise NotImplementedError


class SGD(Optimizer):
    """x −= lr·dx."""

    name = "sgd"

    def step(self, x, dx):
        tmp = self._prepare(x)
        np.multiply(dx, self.learning_rate, out=tmp)
        x -= tmp


class Momentum(Optimizer):
    """v = μ·v − lr·dx; x += v (μ = 0.9)."""

    name = "momentum"
    slots = ("v",)
    v: np.ndarray | None

    def __init__(self, learning_rate: float, mu: float = 0.9):
        super().__init__(learning_rate)
        self.mu = mu

    def step(self, x, dx):
        tmp = self._prepare(x)
        self.v *= self.mu
        np.multiply(dx, self.learning_rate, out=tmp)
        self.v -= tmp
        x += self.v


class Nesterov(Momentum):
    """v_prev = v; v = μ·v − lr·dx; x += −μ·v_prev + (1 + μ)·v."""

    name = "nesterov"

    def step(self, x, dx):
        tmp = self._prepare(x)
        np.multiply(self.v, -self.mu, out=tmp)  # −μ·v_prev
        x += tmp
        self.v *= self.mu
        np.multiply(dx, self.learning_rate, out=tmp)
        self.v -= tmp
        np.multiply(self.v, 1.0 + self.mu, out=tmp)
        x += tmp


class Adagrad(Optimizer):
    """cache += dx²; x −= lr·dx / (√cache + eps)."""

    name = "adagrad"
    slots = ("cache",)
    cache: np.ndarray | None

    def __init__(self, learning_rate: float, eps: float = 1e-8):
        super().__init__(learning_rate)
        self.eps = eps

    def step(self, x, dx):
        tmp = self._prepare(x)
        np.multiply(dx, dx, out=tmp)
        self.cache += tmp
        _scaled_update(x, dx, self.cache, self.learning_rate, self.eps, tmp)


class RMSprop(Optimizer):
    """cache = d·cache + (1 − d)·dx²; x −= lr·dx / (√cache + eps) (d = 0.99)."""

    name = "rmsprop"
    slots = ("cache",)
    cache: np.ndarray | None

    def __init__(self, learning_rate: float, decay: float = 0.99, eps: float = 1e-8):
        super().__init__(learning_rate)
        self.decay = decay
        self.eps = eps

    def step(self, x, dx):
        tmp = self._prepare(x)
        np.multiply(dx, dx, out=tmp)
        tmp *= 1.0 - self.decay
        self.cache *= self.decay
        self.cache += tmp
        _scaled_update(x, dx, self.cache, self.learning_rate, self.eps, tmp)


class Adam(Optimizer):
    """m = β1·m + (1 − β1)·dx; v = β2·v + (1 − β2)·dx²; with bias correction
    m̂ = m / (1 − β1ᵗ), v̂ = v / (1 − β2ᵗ): x −= lr·m̂ / (√v̂ + eps)."""

    name = "adam"
    slots = ("m", "v")
    m: np.ndarray | None
    v: np.ndarray | None

    def __init__(self, learning_rate: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(learning_rate)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps

    def step(self, x, dx):
        self.t += 1
        tmp = self._prepare(x)
        self.m *= self.beta1
        np.multiply(dx, 1.0 - self.beta1, out=tmp)
        self.m += tmp
        self.v *= self.beta2
        np.multiply(dx, dx, out=tmp)
        tmp *= 1.0 - self.beta2
        self.v += tmp
        # x −= lr·m̂/(√v̂ + eps) with m̂, v̂ the bias-corrected moments.
        np.divide(self.v, 1.0 - self.beta2**self.t, out=tmp)
        np.sqrt(tmp, out=tmp)
        tmp += self.eps
        np.divide(self.m, tmp, out=tmp)
        tmp *= self.learning_rate / (1.0 - self.beta1**self.t)
        x -= tmp


def _scaled_update(x, dx, cache, learning_rate, eps, tmp):
    """x −= lr·dx / (√cache + eps), using ``tmp`` as scratch."""
    np.sqrt(cache, out=tmp)
    tmp += eps
    np.divide(dx, tmp, out=tmp)
    tmp *= learning_rate
    x -= tmp


_OPTIMIZERS = {cls.name: cls for cls in (SGD, Momentum, Nesterov, Adagrad, RMSprop, Adam)}


def optimizer_options(name: str) -> tuple[str, ...]:
    """The hyperparameters optimizer ``name`` takes besides the learning rate (``mu``, ``decay``, ...)."""
    return tuple(inspect.signature(_OPTIMIZERS[name]).parameters)[1:]


def make_optimizer(name: str, learning_rate: float, **options: float) -> Optimizer:
    """Build an optimizer by name; ``options`` are its hyperparameters (``mu``, ``decay``, ...).
    Raises ``SpecError`` naming ``optimizer``, ``learning_rate`` or ``optimizer_options.<key>``."""
    if name not in _OPTIMIZERS:
        raise SpecError("optimizer", f"unknown optimizer {name!r}; expected one of: {', '.join(OPTIMIZER_NAMES)}")
    if not _finite_number(learning_rate) or learning_rate <= 0:
        raise SpecError("learning_rate", "must be a finite number > 0")
    known = optimizer_options(name)
    for key, value in options.items():
        if key not in known:
            takes = f"it takes: {', '.join(known)}" if known else "it takes none"
            raise SpecError(f"optimizer_options.{key}", f"the {name} optimizer has no option {key}; {takes}")
        if not _finite_number(value):
            raise SpecError(f"optimizer_options.{key}", "must be a finite number")
    return _OPTIMIZERS[name](learning_rate, **options)


def _finite_number(value: object) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) \
        and bool(np.isfinite(value))
