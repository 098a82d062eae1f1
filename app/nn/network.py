"""Fully-connected networks: a spec (sizes, activations, loss, init) and the network built from it.

The notes' conventions: an N-layer network does not count the input layer; every hidden layer
computes h = f(h_prev @ W + b) with its own size and activation; the output layer has no
activation (class scores or real values). Parameters are named ``W1, b1, W2, b2, ...`` (``alpha1``
for a PReLU layer's slopes) and their gradients are keyed the same way.

All parameters live in one flat float64 vector (weights first, then biases, then slopes) and
``params`` holds shaped views into it; gradients likewise. The optimizer, the L2 penalty and the
"keep the last finite weights" backup then each cost one array operation per step.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from .activations import ACTIVATION_NAMES, ACTIVATIONS, get_activation
from .cache import Cache
from .datasets import Dataset
from .errors import SpecError
from .features import RAW_FEATURES, check_features, feature_values
from .initializers import INIT_NAMES, init_weights
from .layers import Dense, Maxout, PReLU
from .losses import LOSS_NAMES, Loss, get_loss

_KIND_ORDER = ("weight", "bias", "slope")


@dataclass(frozen=True)
class LayerSpec:
    """One hidden layer: ``units`` neurons with one activation.

    ``slope`` is leaky ReLU's negative slope (default 0.01) or PReLU's initial slope (default 0.25);
    ``pieces`` is the number of affine maps of a maxout unit (default 2).
    """

    units: int
    activation: str = "relu"
    slope: float | None = None
    pieces: int = 2

    def validate(self) -> None:
        """Raise ``SpecError`` naming the field (``units``, ``activation``, ...) unless valid."""
        if not _is_int(self.units) or self.units < 1:
            raise SpecError("units", "must be an integer >= 1")
        if self.activation not in ACTIVATION_NAMES:
            raise SpecError("activation", f"unknown activation {self.activation!r}; "
                                          f"expected one of: {', '.join(ACTIVATION_NAMES)}")
        if self.slope is not None and not (isinstance(self.slope, (int, float)) and math.isfinite(self.slope)):
            raise SpecError("slope", "must be a finite number")
        if not _is_int(self.pieces) or self.pieces < 1:
            raise SpecError("pieces", "must be an integer >= 1")


@dataclass(frozen=True)
class NetworkSpec:
    """Architecture of a fully-connected network.

    Example: the notes' 2-layer net ``NetworkSpec(3, (LayerSpec(4, "relu"),), 2)`` has sizes
    [3, 4, 2]: 6 neurons, 20 weights, 6 biases, 26 parameters.

    ``features`` (2 inputs only, see ``features.py``) are what the first layer sees, e.g.
    ``("x1", "x2", "x1sq")``: ``W1`` then has one row per feature. Left out for 2 inputs, they are
    the inputs themselves, ``("x1", "x2")``; for other input sizes there are none (``None``).
    """

    input_dim: int
    hidden: tuple[LayerSpec, ...] = ()
    output_dim: int = 1
    loss: str = "softmax"
    init: str = "small"
    features: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        hidden = tuple(LayerSpec(**h) if isinstance(h, dict) else h for h in self.hidden)
        object.__setattr__(self, "hidden", hidden)
        features = self.features
        if features is None and self.input_dim == 2:
            features = RAW_FEATURES
        object.__setattr__(self, "features", tuple(features) if isinstance(features, (list, tuple)) else features)
        self.validate()

    @classmethod
    def from_sizes(cls, sizes: list[int], activation: str = "relu", **kwargs: Any) -> NetworkSpec:
        """``[3, 4, 4, 1]`` -> input 3, hidden layers of 4 and 4 units, output 1."""
        if len(sizes) < 2:
            raise SpecError("sizes", "needs at least an input and an output size")
        hidden = tuple(LayerSpec(units, activation) for units in sizes[1:-1])
        return cls(sizes[0], hidden, sizes[-1], **kwargs)

    @property
    def feature_dim(self) -> int:
        """What the first layer sees: one value per feature, or the inputs themselves."""
        return self.input_dim if self.features is None else len(self.features)

    @property
    def raw_inputs(self) -> bool:
        """The first layer sees the inputs as they are (no feature layer to compute)."""
        return self.features is None or self.features == RAW_FEATURES

    @property
    def sizes(self) -> list[int]:
        """The layers' widths from the first layer's inputs (``feature_dim``) to the outputs."""
        return [self.feature_dim, *(h.units for h in self.hidden), self.output_dim]

    @property
    def depth(self) -> int:
        """Number of layers, not counting the input layer (the notes' N in "N-layer")."""
        return len(self.hidden) + 1

    def validate(self) -> None:
        """Raise ``SpecError`` naming the field (``hidden[1].units``, ``loss``, ...) unless valid."""
        if not _is_int(self.input_dim) or self.input_dim < 1:
            raise SpecError("input_dim", "must be an integer >= 1")
        if not _is_int(self.output_dim) or self.output_dim < 1:
            raise SpecError("output_dim", "must be an integer >= 1")
        if self.features is not None:
            if not all(isinstance(name, str) for name in self.features):
                raise SpecError("features", "must be a list of feature names")
            check_features(self.features, self.input_dim)
        for i, layer in enumerate(self.hidden):
            try:
                layer.validate()
            except SpecError as exc:
                raise exc.within(f"hidden[{i}]") from None
        if self.loss not in LOSS_NAMES:
            raise SpecError("loss", f"unknown loss {self.loss!r}; expected one of: {', '.join(LOSS_NAMES)}")
        if get_loss(self.loss).single_output and self.output_dim != 1:
            raise SpecError("output_dim", f"must be 1 for the {self.loss} loss (one output unit)")
        if self.init not in INIT_NAMES:
            raise SpecError("init", f"unknown init {self.init!r}; expected one of: {', '.join(INIT_NAMES)}")

    def counts(self) -> dict[str, int]:
        """The notes' size counts, by arithmetic alone (no parameters are allocated).

        A hidden layer of n units over m inputs has m·n weights and n biases; maxout has ``pieces``
        affine maps per unit (m·n·k weights, n·k biases), PReLU one learned slope per unit. The
        output layer is affine. Equal to ``Network(spec).counts()``.
        """
        weights = biases = slopes = 0
        fan_in = self.feature_dim
        for layer in self.hidden:
            width = layer.units * (layer.pieces if layer.activation == "maxout" else 1)
            weights += fan_in * width
            biases += width
            slopes += layer.units if layer.activation == "prelu" else 0
            fan_in = layer.units
        weights += fan_in * self.output_dim
        biases += self.output_dim
        return {
            "layers": self.depth,
            "neurons": sum(layer.units for layer in self.hidden) + self.output_dim,
            "weights": weights,
            "biases": biases,
            "slopes": slopes,
            "parameters": weights + biases + slopes,
        }

    def to_dict(self) -> dict[str, Any]:
        features = None if self.features is None else list(self.features)
        return asdict(self) | {"hidden": [asdict(h) for h in self.hidden], "features": features}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NetworkSpec:
        """The spec of ``to_dict``'s dict; one stored before features existed gets the inputs themselves."""
        data = dict(data)
        data["hidden"] = tuple(LayerSpec(**h) for h in data.get("hidden", ()))
        return cls(**data)


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def outputs_needed(loss_name: str, data: Dataset) -> int:
    """Output units a network with loss ``loss_name`` needs for ``data``: one per class (one in
    all for the binary losses), or one per regression target."""
    if data.task == "regression":
        return 1 if data.y_train.ndim == 1 else data.y_train.shape[1]
    return get_loss(loss_name).output_dim(data.n_classes)


def check_fits(model: Network | NetworkSpec, data: Dataset) -> None:
    """Raise ``SpecError`` unless ``data`` fits the network: the same number of inputs, a loss for
    the data's task, and one output per class (or target). The field names the spec's value at
    fault (``input_dim``, ``loss``, ``output_dim``); the message reads on its own."""
    spec = model.spec if isinstance(model, Network) else model
    loss = get_loss(spec.loss)
    if loss.task != data.task:
        raise SpecError("loss", f"the {loss.name} loss is for {loss.task}, but the data is for {data.task}")
    if spec.input_dim != data.input_dim:
        raise SpecError("input_dim", f"the network has {spec.input_dim} inputs but the data has {data.input_dim}")
    if loss.single_output and data.n_classes > 2:
        raise SpecError("loss", f"the {loss.name} loss needs two classes, but the data has {data.n_classes}")
    needed = outputs_needed(loss.name, data)
    if spec.output_dim != needed:
        what = "targets" if data.task == "regression" else f"classes under the {loss.name} loss"
        raise SpecError("output_dim", f"the network has {spec.output_dim} outputs but the data's {what} "
                                      f"need {needed}")


def _build_layer(fan_in: int, spec: LayerSpec) -> Dense:
    if spec.activation == "prelu":
        return PReLU(fan_in, spec.units, ACTIVATIONS["prelu"].slope if spec.slope is None else spec.slope)
    if spec.activation == "maxout":
        return Maxout(fan_in, spec.units, spec.pieces)
    options = {"slope": spec.slope} if spec.activation == "leaky_relu" and spec.slope is not None else {}
    return Dense(fan_in, spec.units, get_activation(spec.activation, **options))


@dataclass
class ParamInfo:
    """Where one named parameter lives: its layer (1-based), kind, shape and flat slice."""

    name: str
    layer: int
    kind: str
    shape: tuple[int, ...]
    start: int
    stop: int


class Network:
    """A fully-connected network built from a ``NetworkSpec``, initialised with ``seed``."""

    def __init__(self, spec: NetworkSpec, seed: int = 0):
        self.spec = spec
        self.loss: Loss = get_loss(spec.loss)
        self.layers: list[Dense] = []
        fan_in = spec.feature_dim
        for layer_spec in spec.hidden:
            self.layers.append(_build_layer(fan_in, layer_spec))
            fan_in = layer_spec.units
        self.layers.append(Dense(fan_in, spec.output_dim, None))
        self.layers[0].needs_dx = False
        self._allocate()
        self.initialize(seed)

    # --- parameters -------------------------------------------------------------------------

    def _allocate(self) -> None:
        entries = [
            (_KIND_ORDER.index(kind), i + 1, local, shape, kind)
            for i, layer in enumerate(self.layers)
            for local, (shape, kind) in layer.param_shapes().items()
        ]
        entries.sort(key=lambda e: (e[0], e[1]))  # all weights, then all biases, then slopes
        total = sum(math.prod(e[3]) for e in entries)
        self.flat = np.zeros(total)
        self.grad_flat = np.zeros(total)
        self.info: dict[str, ParamInfo] = {}
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        local_views: list[tuple[dict, dict]] = [({}, {}) for _ in self.layers]
        offset = 0
        for _, layer_no, local, shape, kind in entries:
            size = math.prod(shape)
            name = f"{local}{layer_no}"
            self.info[name] = ParamInfo(name, layer_no, kind, shape, offset, offset + size)
            self.params[name] = self.flat[offset : offset + size].reshape(shape)
            self.grads[name] = self.grad_flat[offset : offset + size].reshape(shape)
            local_views[layer_no - 1][0][local] = self.params[name]
            local_views[layer_no - 1][1][local] = self.grads[name]
            offset += size
        for layer, (params, grads) in zip(self.layers, local_views):
            layer.bind(params, grads)
        self.n_weights = sum(p.stop - p.start for p in self.info.values() if p.kind == "weight")

    def initialize(self, seed: int) -> None:
        """Weights from the spec's init scheme (seeded); biases 0; PReLU slopes their initial value."""
        rng = np.random.default_rng(seed)
        self.flat.fill(0.0)
        for i, layer in enumerate(self.layers):
            init_weights(self.params[f"W{i + 1}"], self.spec.init, layer.fan_in, layer.units, rng)
            if isinstance(layer, PReLU):
                self.params[f"alpha{i + 1}"].fill(layer.initial_slope)
        self.steps_trained = 0
        self.epochs_trained = 0.0
        # The optimizer's memory after the last training (see Optimizer.state), for warm starts.
        self.optimizer_state: dict[str, Any] | None = None

    @property
    def weights_flat(self) -> np.ndarray:
        """All weight matrices as one contiguous view (what regularization applies to)."""
        return self.flat[: self.n_weights]

    @property
    def weight_grads_flat(self) -> np.ndarray:
        return self.grad_flat[: self.n_weights]

    def get_weights(self) -> dict[str, np.ndarray]:
        """A copy of every parameter, keyed ``W1, b1, ...``."""
        return {name: arr.copy() for name, arr in self.params.items()}

    def set_weights(self, weights: dict[str, Any]) -> None:
        """Load parameters (arrays or nested lists) keyed like ``params``; shapes must match.
        Raises ``SpecError`` with field ``weights`` or ``weights.<name>``; nothing is loaded then."""
        missing = set(self.params) - set(weights)
        if missing:
            raise SpecError("weights", f"missing {', '.join(sorted(missing))}")
        unknown = set(weights) - set(self.params)
        if unknown:
            raise SpecError("weights", f"unknown parameters {', '.join(sorted(unknown))}")
        arrays = {}
        for name, value in weights.items():
            expected = list(self.params[name].shape)
            try:
                arr = np.asarray(value)
            except ValueError:  # ragged nested lists
                arr = None
            if arr is None or arr.dtype.kind not in "iuf":
                raise SpecError(f"weights.{name}", f"must be numbers in an array of shape {expected}")
            arr = arr.astype(np.float64)
            if arr.shape != self.params[name].shape:
                raise SpecError(f"weights.{name}", f"has shape {list(arr.shape)}, expected {expected}")
            if not np.all(np.isfinite(arr)):
                raise SpecError(f"weights.{name}", "contains NaN or inf")
            arrays[name] = arr
        for name, arr in arrays.items():
            self.params[name][...] = arr

    # --- size -------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Neurons (not counting inputs) and learnable parameters, as the notes count them.

        Maxout layers count every piece's weights and biases; PReLU slopes count as parameters.
        """
        by_kind = {kind: 0 for kind in _KIND_ORDER}
        for p in self.info.values():
            by_kind[p.kind] += p.stop - p.start
        return {
            "layers": self.spec.depth,
            "neurons": sum(layer.units for layer in self.layers),
            "weights": by_kind["weight"],
            "biases": by_kind["bias"],
            "slopes": by_kind["slope"],
            "parameters": self.flat.size,
        }

    # --- passes -----------------------------------------------------------------------------

    def caches(self) -> list[Cache]:
        """One ``Cache`` per layer plus one for the loss, to reuse over passes on batches of one size."""
        return [Cache() for _ in range(len(self.layers) + 1)]

    def forward(self, X: np.ndarray, caches: list[Cache] | None = None) -> np.ndarray:
        """X: (N, input_dim) -> scores (N, output_dim).

        Without ``caches`` every array is new (safe to call from several threads); with them the
        result lives in their arrays and is overwritten by the next pass.
        """
        caches = self.caches() if caches is None else caches
        out = np.asarray(X, dtype=np.float64)
        if out.ndim != 2 or out.shape[1] != self.spec.input_dim:
            raise SpecError("inputs", f"must have shape (N, {self.spec.input_dim}), got {list(out.shape)}")
        if not self.spec.raw_inputs:  # the feature layer: fixed, so the backward pass stops at W1
            features = self.spec.features
            out = feature_values(features, out, caches[0].array("features", (out.shape[0], len(features))))
        for layer, cache in zip(self.layers, caches):
            out = layer.forward(out, cache)
        return out

    def loss_and_grads(self, X: np.ndarray, target: np.ndarray, caches: list[Cache]) -> float:
        """Mean data loss of a batch; writes every parameter's gradient into ``grads`` / ``grad_flat``.

        X: (N, input_dim); target: (N, output_dim) from ``self.loss.encode``; ``caches`` from
        ``caches()``. Returns the loss (a float); afterwards ``grads[name]`` has the shape of
        ``params[name]`` (W: (fan_in, width), b: (width,), alpha: (units,)). Regularization is the
        caller's to add.
        """
        scores = self.forward(X, caches)
        loss, dscores = self.loss.forward_backward(scores, target, caches[-1])
        self.backward(dscores, caches)
        return loss

    def backward(self, dscores: np.ndarray, caches: list[Cache]) -> None:
        """The backward pass of the forward pass that filled ``caches``: dscores (N, output_dim) in,
        every parameter's gradient written into ``grads`` / ``grad_flat``."""
        dout = dscores
        for layer, cache in zip(reversed(self.layers), reversed(caches[:-1])):
            dout = layer.backward(dout, cache)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Labels (classification) or values (regression) for inputs X: (N, input_dim)."""
        return self.loss.predict(self.forward(X))

    def probabilities(self, X: np.ndarray) -> np.ndarray:
        return self.loss.probabilities(self.forward(X))

    def input_features(self, X: np.ndarray) -> np.ndarray:
        """X: (N, input_dim) -> what the first layer sees, (N, feature_dim)."""
        X = np.asarray(X, dtype=np.float64)
        return X if self.spec.raw_inputs else feature_values(self.spec.features, X)

    def hidden_outputs(self, X: np.ndarray) -> list[dict[str, np.ndarray]]:
        """Per layer (hidden ones and the output): ``{"z": pre-activation, "a": activation}``."""
        caches = self.caches()
        self.forward(X, caches)
        return [{"z": cache["z"], "a": cache["a"]} for cache in caches[:-1]]

    def dead_fractions_of(self, caches: list[Cache]) -> list[float]:
        """Per hidden layer, the fraction of units that passed no gradient for any input of the last
        forward pass that used ``caches``. For ReLU that is a unit whose pre-activation was never
        positive: the notes' dead unit (as much as 40 % of a network trained with too high a
        learning rate)."""
        return [float(layer.dead_mask(cache).mean()) for layer, cache in zip(self.layers[:-1], caches)]

    def trace(self, x: np.ndarray) -> list[dict[str, Any]]:
        """The forward pass of one input, layer by layer, in the notes' column-vector notation.

        Each entry: ``name`` ("h1", ..., "out"), ``activation``, the shapes of W (as the notes
        write it: [units x fan_in]), ``pre_activation`` (W·x + b) and ``activation_value``.
        """
        x = np.asarray(x, dtype=np.float64).reshape(1, -1)
        layers = self.hidden_outputs(x)
        steps = []
        for i, (layer, values) in enumerate(zip(self.layers, layers)):
            last = i == len(self.layers) - 1
            steps.append({
                "layer": i + 1,
                "name": "out" if last else f"h{i + 1}",
                "activation": layer.activation_name,
                "units": layer.units,
                "pieces": layer.pieces,
                "W_shape": [layer.width, layer.fan_in],
                "b_shape": [layer.width, 1],
                "output_shape": [layer.units, 1],
                "pre_activation": values["z"][0].copy(),
                "activation_value": values["a"][0].copy(),
            })
        return steps

    # --- persistence ------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Network:
        """The one way back from stored data: ``spec`` (a dict), ``weights`` (arrays or nested
        lists), and optionally ``steps_trained``, ``epochs_trained`` and ``optimizer`` (the
        optimizer's memory, for a warm start), as the store and the worker hold them."""
        net = cls(NetworkSpec.from_dict(data["spec"]))
        net.set_weights(data["weights"])
        net.steps_trained = int(data.get("steps_trained") or 0)
        net.epochs_trained = float(data.get("epochs_trained") or 0.0)
        net.optimizer_state = data.get("optimizer")
        return net

