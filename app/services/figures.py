"""Figures as JSON text, from stored networks, specs and activations (builders in ``app.viz``).

A builder's ``ValueError`` names the argument at fault and becomes ``InvalidInput``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from app import viz
from app.nn import ACTIVATION_NAMES

from .catalog import load_data
from .networks import NetworkService
from .specs import InvalidInput

NETWORK_FIGURES = ("topology", "decision-boundary", "neurons", "training", "dead-units", "update-ratio",
                   "hidden-space", "forward")
NEEDS_DATA = ("decision-boundary", "hidden-space")
MAX_NEURON_GRID = 100  # up to 16 maps per layer: a larger grid makes figures of tens of megabytes


class MissingData(RuntimeError):
    """The figure needs the data the network was trained on, and it has none yet."""


def _build(field: str, builder: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """The figure as JSON; a builder's complaint about the network or data itself means this kind of
    figure does not apply to it (field ``kind``), any other is about the option ``field``."""
    try:
        return viz.figure_json(builder(*args, **kwargs))
    except ValueError as exc:
        message = str(exc)
        raise InvalidInput("kind" if message.startswith(("net", "data", "model")) else field, message) from None


def network_figure(networks: NetworkService, network_id: str, kind: str, options: dict[str, Any],
                   owner: str | None = None) -> str:
    """One of ``NETWORK_FIGURES`` for a stored network; ``options`` are the figure's query values."""
    if kind not in NETWORK_FIGURES:
        raise InvalidInput("kind", f"unknown figure {kind!r}; expected one of: {', '.join(NETWORK_FIGURES)}")
    if kind in ("training", "dead-units", "update-ratio"):
        history = networks.history(network_id, owner)
        if kind == "training":
            return _build("x_axis", viz.training_figure, history, x_axis=options.get("x_axis", "step"),
                          log_loss=options.get("log", False))
        return _build(kind, viz.dead_units_figure if kind == "dead-units" else viz.update_ratio_figure, history)
    net, data = networks.load(network_id, owner)
    return figure_of(net, data, kind, options)


def figure_of(net: Any, data: Any, kind: str, options: dict[str, Any]) -> str:
    """One of the figures that need no history, of a network and its data (either stored or not)."""
    if kind == "topology":
        return _build(kind, viz.topology_figure, net)
    if kind == "forward":
        x = options.get("input") or [0.0] * net.spec.input_dim
        if len(x) != net.spec.input_dim:
            raise InvalidInput("input", f"needs {net.spec.input_dim} comma-separated numbers")
        return _build("input", viz.forward_trace_figure, net, x)
    if kind in NEEDS_DATA and data is None:
        raise MissingData("this network has not been trained on any data yet; train it with POST /api/jobs")
    if kind == "decision-boundary":
        return _build("grid", viz.decision_boundary_figure, net, data, grid=options.get("grid", 150))
    if kind == "neurons":
        grid = options.get("grid", 40)
        if grid > MAX_NEURON_GRID:
            raise InvalidInput("grid", f"at most {MAX_NEURON_GRID} for neuron maps (one map per hidden unit)")
        return _build("grid", viz.neuron_maps_figure, net, data, grid=grid)
    return _build("layer", viz.hidden_space_figure, net, data, layer=options.get("layer", 1))


SPEC_FIGURES = ("topology", "decision-boundary", "neurons", "hidden-space", "forward")  # those with no history


def spec_figure(networks: NetworkService, kind: str, request: dict[str, Any], owner: str | None = None) -> str:
    """A figure of a network that is not stored: ``{"spec", "weights" or "seed", "data"?}`` and
    the figure's options (``grid``, ``layer``, ``input``). Nothing is stored."""
    if kind not in SPEC_FIGURES:
        raise InvalidInput("kind", f"unknown figure {kind!r}; expected one of: {', '.join(SPEC_FIGURES)}")
    data = load_data(networks.store, request["data"], networks.limits, owner=owner)[1] if request.get("data") else None
    if kind in NEEDS_DATA and data is None:
        raise InvalidInput("data", f"the {kind} figure needs a data spec (the points it draws)")
    net = networks.unstored(request, data)
    options = {key: request[key] for key in ("grid", "layer", "input") if request.get(key) is not None}
    return figure_of(net, data, kind, options)


def neuron_plot(networks: NetworkService, request: dict[str, Any], owner: str | None = None) -> str:
    """One neuron f(w1·x1 + w2·x2 + b) over the plane, with the points of ``data`` if given."""
    data = load_data(networks.store, request["data"], networks.limits, owner=owner)[1] if request.get("data") else None
    if data is not None and data.input_dim != 2:
        raise InvalidInput("data", f"a neuron over the plane needs data with 2 inputs; this has {data.input_dim}")
    return _build("activation", viz.neuron_figure, (request["w1"], request["w2"]), request["b"],
                  request.get("activation", "sigmoid"), data, grid=request.get("grid", 100))


def activation_plot(name: str, start: float = -5.0, stop: float = 5.0, compare: str = "",
                    tanh_identity: bool = False, slope: float | None = None, pieces: str = "") -> str:
    """``compare`` is a comma-separated list of other activations to draw alongside ``name``;
    ``pieces`` the (w, b) pairs of maxout as ``w1,b1,w2,b2,...``."""
    pairs = maxout_pieces(name, pieces)
    others = [n.strip() for n in compare.split(",") if n.strip() and n.strip() != name]
    for other in others:
        if other not in ACTIVATION_NAMES:
            known = ", ".join(ACTIVATION_NAMES)
            raise InvalidInput("compare", f"unknown activation {other!r}; expected one of: {known}")
    return _build("pieces" if pairs else "name", viz.activation_figure, [name, *others], start=start, stop=stop,
                  slope=slope, tanh_identity=tanh_identity, maxout_pieces=pairs)


def maxout_pieces(name: str, pieces: str) -> list[tuple[float, float]] | None:
    """``"1,0,-0.5,0"`` -> [(1, 0), (-0.5, 0)]: the (w, b) pairs of a 1-D maxout unit."""
    if not pieces.strip():
        return None
    if name != "maxout":
        raise InvalidInput("pieces", "only maxout has pieces")
    try:
        values = [float(v) for v in pieces.split(",")]
    except ValueError:
        raise InvalidInput("pieces", "must be comma-separated numbers w1,b1,w2,b2,...") from None
    if len(values) % 2 or not all(math.isfinite(v) and abs(v) <= 1e3 for v in values):
        raise InvalidInput("pieces", "must be an even count of finite numbers (w, b pairs) within ±1000")
    return list(zip(values[::2], values[1::2]))


def activation_curve(name: str, start: float, stop: float, num: int, slope: float | None,
                     pieces: str = "") -> dict[str, Any]:
    pairs = maxout_pieces(name, pieces)
    try:
        values = viz.activation_values(name, start, stop, num, slope, maxout_pieces=pairs)
    except ValueError as exc:
        raise InvalidInput("pieces" if "maxout_pieces" in str(exc) else "name", str(exc)) from None
    return {"name": name, **{key: values[key].tolist() for key in ("x", "y", "dy")}}


