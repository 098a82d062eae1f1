"""Fully-connected layers: an affine map ``z = x @ W + b`` followed by a nonlinearity.

One layer is what the notes call a layer: one matrix multiply, a bias, an activation. Shapes:
``x: (N, fan_in)``, ``W: (fan_in, width)``, ``b: (width,)``, output ``(N, units)``.

* ``Dense``: an elementwise activation (or none, for the output layer: class scores).
* ``PReLU``: leaky ReLU whose negative slope ``alpha`` (one per unit) is learned.
* ``Maxout``: ``pieces`` affine maps per unit, output their maximum.

Parameters and their gradients are views into the network's flat vectors, bound by ``bind``; the
backward pass writes gradients in place (``out=``) so those views stay valid. Per-call state (the
cached input, pre-activations, work arrays) lives in a ``Cache`` passed to forward and backward,
so a layer holds nothing but its parameters.
"""

from __future__ import annotations

import numpy as np

from .activations import PRELU_SLOPE, Activation
from .cache import Cache

# A unit whose local derivative stays below this on every training input passes no gradient.
DEAD_GRADIENT = 1e-8


class Dense:
    """Affine map plus an elementwise activation; ``activation=None`` gives raw scores."""

    kind = "dense"

    def __init__(self, fan_in: int, units: int, activation: Activation | None, pieces: int = 1):
        self.fan_in = fan_in
        self.units = units
        self.pieces = pieces
        self.width = units * pieces  # columns of W: one affine map per unit and piece
        self.activation = activation
        self.needs_dx = True  # the first layer skips computing dL/dx
        self.W = self.b = self.dW = self.db = None

    @property
    def activation_name(self) -> str:
        return "none" if self.activation is None else self.activation.name

    def param_shapes(self) -> dict[str, tuple[tuple[int, ...], str]]:
        """Local parameter name -> (shape, kind), kind being ``weight``, ``bias`` or ``slope``."""
        return {"W": ((self.fan_in, self.width), "weight"), "b": ((self.width,), "bias")}

    def bind(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Attach parameter views (``self.W``) and gradient views (``self.dW``)."""
        for name in self.param_shapes():
            setattr(self, name, params[name])
            setattr(self, "d" + name, grads[name])

    def forward(self, x: np.ndarray, cache: Cache) -> np.ndarray:
        """x: (N, fan_in) -> (N, units). Caches x, z = x @ W + b and the output in ``cache``."""
        z = cache.array("z", (x.shape[0], self.width))
        np.matmul(x, self.W, out=z)
        z += self.b
        cache["x"] = x
        out = self.activate(z, cache)
        cache["a"] = out
        return out

    def backward(self, dout: np.ndarray, cache: Cache) -> np.ndarray | None:
        """dout: (N, units) -> dx: (N, fan_in); writes dW and db in place."""
        dz = self.activate_backward(dout, cache)
        x = cache["x"]
        np.matmul(x.T, dz, out=self.dW)
        np.sum(dz, axis=0, out=self.db)
        if not self.needs_dx:
            return None
        dx = cache.array("dx", x.shape)
        np.matmul(dz, self.W.T, out=dx)
        return dx

    def activate(self, z: np.ndarray, cache: Cache) -> np.ndarray:
        if self.activation is None:
            return z
        return self.activation.fn(z, out=cache.array("act", z.shape))

    def activate_backward(self, dout: np.ndarray, cache: Cache) -> np.ndarray:
        if self.activation is None:
            return dout
        z = cache["z"]
        dz = self.activation.grad(z, cache["a"], out=cache.array("dz", z.shape))
        dz *= dout
        return dz

    def local_grad(self, cache: Cache) -> np.ndarray:
        """d output / d pre-activation for the last forward, (N, units): what dead units lack.
        Written into an array of ``cache``: valid until the next call."""
        out = cache.array("local_grad", cache["a"].shape)
        if self.activation is None:
            out.fill(1.0)
            return out
        return self.activation.grad(cache["z"], cache["a"], out=out)

    def dead_mask(self, cache: Cache) -> np.ndarray:
        """(units,) bool: units passing no gradient for any input of the last forward."""
        grad = self.local_grad(cache)
        np.abs(grad, out=grad)
        return grad.max(axis=0) <= DEAD_GRADIENT


class PReLU(Dense):
    """Parametric ReLU (He et al. 2015): f(z) = z for z > 0, alpha·z otherwise; alpha is learned."""

    kind = "prelu"

    def __init__(self, fan_in: int, units: int, initial_slope: float = PRELU_SLOPE):
        super().__init__(fan_in, units, None)
        self.initial_slope = initial_slope
        self.alpha = self.dalpha = None

    @property
    def activation_name(self) -> str:
        return "prelu"

    def param_shapes(self):
        return {**super().param_shapes(), "alpha": ((self.units,), "slope")}

    def activate(self, z, cache):
        out = cache.array("act", z.shape)
        positive = np.greater(z, 0.0, out=cache.array("positive", z.shape, bool))
        np.multiply(z, self.alpha, out=out)
        np.copyto(out, z, where=positive)
        return out

    def activate_backward(self, dout, cache):
        z, positive = cache["z"], cache["positive"]
        # dL/dalpha_j = sum over the batch of dout·z where z <= 0.
        tmp = cache.array("tmp", z.shape)
        np.multiply(dout, z, out=tmp)
        np.copyto(tmp, 0.0, where=positive)
        np.sum(tmp, axis=0, out=self.dalpha)
        dz = cache.array("dz", z.shape)
        np.multiply(dout, self.alpha, out=dz)
        np.copyto(dz, dout, where=positive)
        return dz

    def local_grad(self, cache):
        out = cache.array("local_grad", cache["z"].shape)
        np.copyto(out, self.alpha)
        np.copyto(out, 1.0, where=cache["positive"])
        return out


class Maxout(Dense):
    """Maxout (Goodfellow et al. 2013): each unit outputs max over ``pieces`` affine maps.

    W: (fan_in, pieces·units), laid out piece-major: column ``p·units + j`` is piece p of unit j.
    """

    kind = "maxout"

    def __init__(self, fan_in: int, units: int, pieces: int = 2):
        super().__init__(fan_in, units, None, pieces=pieces)

    @property
    def activation_name(self) -> str:
        return "maxout"

    def activate(self, z, cache):
        n = z.shape[0]
        zp = z.reshape(n, self.pieces, self.units)
        winner = np.argmax(zp, axis=1)[:, None, :]  # (N, 1, units): the piece that wins
        cache["winner"] = winner
        out = cache.array("act", (n, self.units))
        out[...] = np.take_along_axis(zp, winner, axis=1)[:, 0, :]
        return out

    def activate_backward(self, dout, cache):
        n = dout.shape[0]
        dz = cache.array("dz", (n, self.width))
        dz.fill(0.0)
        np.put_along_axis(dz.reshape(n, self.pieces, self.units), cache["winner"], dout[:, None, :], axis=1)
        return dz

    def local_grad(self, cache):
        # The winning piece always passes the gradient through: maxout units cannot die.
        out = cache.array("local_grad", cache["a"].shape)
        out.fill(1.0)
        return out
