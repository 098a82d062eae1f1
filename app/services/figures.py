"""Figures as JSON text, from stored networks, specs and activations (builders in ``app.viz``).

``NETWORK_FIGURES`` is the registry of the figures of a stored network, by kind; the API's list of
kinds is built from it. A builder's ``SpecError`` names its own argument: the services turn that
into the request's field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from app import viz
from app.nn import ACTIVATIONS, Dataset, Network, SpecError
from app.nn.errors import join
from app.viz.thumbnails import FEATURE_BOUNDS, MAX_THUMBNAIL_GRID

from .catalog import load_data
from .networks import NetworkService

# The comma-separated lists of the query strings. The API's schema states these patterns and the
# parsers below accept exactly them.
_SMALL = r"\d{1,3}(?:\.\d+)?(?:e-\d{1,3})?|1000(?:\.0+)?"  # 0 to 1000 (JavaScript writes tiny numbers as 1e-7)
_PIECE = rf"-?(?:{_SMALL})"
PIECES_PATTERN = rf"^(?:{_PIECE},{_PIECE}(?:,{_PIECE},{_PIECE}){{0,7}})?$"  # 1 to 8 (w, b) pairs, each within ±1000
_INPUT = r"-?\d{1,6}(?:\.\d+)?(?:e-\d{1,3})?"  # below 1e6 in size
INPUT_PATTERN = rf"^{_INPUT}(?:,{_INPUT})*$"
_NAME = "|".join(ACTIVATIONS)
COMPARE_PATTERN = rf"^(?:(?:{_NAME})(?:,(?:{_NAME})){{0,6}})?$"  # with the activation itself, at most 8
MAX_FIGURE_GRID = 200  # cells per side of a decision boundary
MAX_THUMBNAIL_GRID = MAX_THUMBNAIL_GRID  # cells per side of a feature's or a node's small map
MAX_NEURON_GRID = 100  # per neuron map: up to 16 maps per layer, so a larger grid means tens of megabytes
# Builder arguments about the network or its data: a complaint there means this kind of figure does
# not apply to the network (field ``kind``), not that a request value was wrong.
_ABOUT_THE_NETWORK = ("net", "data", "model", "history")


class MissingData(RuntimeError):
    """The figure needs the data the network was trained on, and it has none yet."""


def _build(builder: Callable[..., Any], *args: Any, fields: dict[str, str] | None = None, **kwargs: Any) -> str:
    """The figure as JSON; ``fields`` renames builder arguments to the request's names."""
    try:
        return viz.figure_json(builder(*args, **kwargs))
    except SpecError as exc:
        head, rest = re.match(r"([^.\[]*)(.*)", exc.field).groups()
        if head in _ABOUT_THE_NETWORK:
            raise SpecError("kind", exc.message) from None
        raise SpecError(join((fields or {}).get(head, head), rest.lstrip(".")), exc.message) from None


def _history_figure(builder: Callable[..., Any]) -> Callable[..., str]:
    def figure(networks: NetworkService, network_id: str, options: dict[str, Any], owner: str | None) -> str:
        return _build(builder, networks.history(network_id, owner))
    return figure


def _training(networks: NetworkService, network_id: str, options: dict[str, Any], owner: str | None) -> str:
    return _build(viz.training_figure, networks.history(network_id, owner), x_axis=options.get("x_axis", "step"),
                  log_loss=options.get("log", False))


def _forward(net: Network, data: Dataset | None, options: dict[str, Any]) -> str:
    x = options.get("input") or [0.0] * net.spec.input_dim
    return _build(viz.forward_trace_figure, net, x, fields={"x": "input"})


# The figures of a network and its data, stored or not (kind -> (builder, needs data)).
NET_FIGURES: dict[str, tuple[Callable[[Network, Dataset | None, dict[str, Any]], str], bool]] = {
    "topology": (lambda net, data, options: _build(viz.topology_figure, net), False),
    "decision-boundary": (lambda net, data, options: _build(
        viz.decision_boundary_figure, net, data, grid=options.get("grid", 150),
        misclassified=options.get("trained", True)), True),
    "neurons": (lambda net, data, options: _build(
        viz.neuron_maps_figure, net, data, grid=min(options.get("grid", 40), MAX_NEURON_GRID)), False),
    "hidden-space": (lambda net, data, options: _build(
        viz.hidden_space_figure, net, data, layer=options.get("layer", 1)), True),
    "forward": (_forward, False),
}
SPEC_FIGURES = tuple(NET_FIGURES)  # what a spec with weights (not stored) can draw: no history


def figure_of(net: Network, data: Dataset | None, kind: str, options: dict[str, Any]) -> str:
    """One of ``NET_FIGURES`` of a network and its data (stored or not)."""
    builder, needs_data = NET_FIGURES[kind]
    if needs_data and data is None:
        raise MissingData("this network has not been trained on any data yet; train it with POST /api/jobs")
    return builder(net, data, options)


def _with_net(kind: str) -> Callable[..., str]:
    def figure(networks: NetworkService, network_id: str, options: dict[str, Any], owner: str | None) -> str:
        net, data = networks.load(network_id, owner)
        if kind == "decision-boundary":  # before the first step, the data as it is: no × markers
            options = options | {"trained": networks.get(network_id, owner)["steps_trained"] > 0}
        return figure_of(net, data, kind, options)
    return figure


NETWORK_FIGURES: dict[str, Callable[[NetworkService, str, dict[str, Any], str | None], str]] = {
    **{kind: _with_net(kind) for kind in NET_FIGURES},
    "training": _training,
    "dead-units": _history_figure(viz.dead_units_figure),
    "update-ratio": _history_figure(viz.update_ratio_figure),
}


def network_figure(networks: NetworkService, network_id: str, kind: str, options: dict[str, Any],
                   owner: str | None = None) -> str:
    """One of ``NETWORK_FIGURES`` for a stored network; ``options`` are the figure's query values."""
    if kind not in NETWORK_FIGURES:
        raise SpecError("kind", f"unknown figure {kind!r}; expected one of: {', '.join(NETWORK_FIGURES)}")
    if options.get("layer", 1) > networks.limits.max_hidden_layers:
        raise SpecError("layer", f"at most {networks.limits.max_hidden_layers} (no network has more hidden layers)")
    return NETWORK_FIGURES[kind](networks, network_id, options, owner)


def spec_figure(networks: NetworkService, kind: str, request: dict[str, Any], owner: str | None = None) -> str:
    """A figure of a network that is not stored: ``{"spec", "weights" or "seed", "data"?}`` and
    the figure's options (``grid``, ``layer``, ``input``). Nothing is stored."""
    if kind not in SPEC_FIGURES:
        raise SpecError("kind", f"unknown figure {kind!r}; expected one of: {', '.join(SPEC_FIGURES)}")
    data = load_data(networks.store, request["data"], networks.limits, owner=owner)[1] if request.get("data") else None
    if NET_FIGURES[kind][1] and data is None:
        raise SpecError("data", f"the {kind} figure needs a data spec (the points it draws)")
    net = networks.unstored(request, data)
    options = {key: request[key] for key in ("grid", "layer", "input") if request.get(key) is not None}
    return figure_of(net, data, kind, options)


def feature_thumbnails(grid: int) -> dict[str, Any]:
    """Every input feature over the plane, as small maps (``viz.feature_maps``)."""
    return _build_data(viz.feature_maps, grid, about="grid")


def node_thumbnails(networks: NetworkService, network_id: str, grid: int, owner: str | None = None) -> dict[str, Any]:
    """Each node of a stored network over its data's plane (without data: the features' plane), as
    small maps (``viz.node_maps``)."""
    net, data = networks.load(network_id, owner)
    bounds = viz.data_bounds(data) if data is not None and data.input_dim == 2 else FEATURE_BOUNDS
    return _build_data(viz.node_maps, net, bounds, grid, about="network_id")


def _build_data(builder: Callable[..., Any], *args: Any, about: str) -> dict[str, Any]:
    """Like ``_build`` for data that is not a figure; a complaint about the network names ``about``."""
    try:
        return builder(*args)
    except SpecError as exc:
        raise SpecError(about if exc.field in _ABOUT_THE_NETWORK else exc.field, exc.message) from None


def neuron_plot(networks: NetworkService, request: dict[str, Any], owner: str | None = None) -> str:
    """One neuron f(w1·x1 + w2·x2 + b) over the plane, with the points of ``data`` if given."""
    data = load_data(networks.store, request["data"], networks.limits, owner=owner)[1] if request.get("data") else None
    if data is not None and data.input_dim != 2:
        raise SpecError("data", f"a neuron over the plane needs data with 2 inputs; this has {data.input_dim}")
    return _build(viz.neuron_figure, (request["w1"], request["w2"]), request["b"],
                  request.get("activation", "sigmoid"), data, grid=request.get("grid", 100),
                  fields={"weights": "w1", "bias": "b"})


def numbers(text: str, field: str = "input") -> list[float]:
    """``"0.5,-1"`` -> [0.5, -1.0]: a forward figure's input (``INPUT_PATTERN``)."""
    if not re.fullmatch(INPUT_PATTERN, text):
        raise SpecError(field, "must be comma-separated numbers below 1e6 in size, e.g. 0.5,-1")
    return [float(part) for part in text.split(",")]


def compare_names(name: str, compare: str) -> list[str]:
    """``"tanh,sigmoid"`` -> the other activations to draw beside ``name`` (``name`` itself dropped)."""
    if not re.fullmatch(COMPARE_PATTERN, compare):
        raise SpecError("compare", f"must be up to 7 comma-separated activation names from: {', '.join(ACTIVATIONS)}")
    return list(dict.fromkeys(other for other in compare.split(",") if other and other != name))


def activation_plot(name: str, start: float = -5.0, stop: float = 5.0, compare: str = "",
                    tanh_identity: bool = False, slope: float | None = None, pieces: str = "") -> str:
    """``compare`` is a comma-separated list of other activations to draw alongside ``name``;
    ``pieces`` the (w, b) pairs of maxout as ``w1,b1,w2,b2,...`` (used wherever maxout is drawn)."""
    return _build(viz.activation_figure, [name, *compare_names(name, compare)], start=start, stop=stop,
                  slope=slope, tanh_identity=tanh_identity, maxout_pieces=maxout_pieces(pieces),
                  fields={"names": "compare", "maxout_pieces": "pieces"})


def maxout_pieces(pieces: str) -> list[tuple[float, float]] | None:
    """``"1,0,-0.5,0"`` -> [(1, 0), (-0.5, 0)]: the (w, b) pairs of a 1-D maxout unit (None if empty)."""
    if not re.fullmatch(PIECES_PATTERN, pieces):
        raise SpecError("pieces", "must be 1 to 8 (w, b) pairs of numbers within ±1000: w1,b1,w2,b2,...")
    if not pieces:
        return None
    values = [float(v) for v in pieces.split(",")]
    return list(zip(values[::2], values[1::2]))


def activation_curve(name: str, start: float, stop: float, num: int, slope: float | None,
                     pieces: str = "") -> dict[str, Any]:
    """f and f′ of ``name`` on a grid; ``pieces`` only matters for maxout."""
    pairs = maxout_pieces(pieces)
    try:
        values = viz.activation_values(name, start, stop, num, slope, maxout_pieces=pairs)
    except SpecError as exc:
        raise SpecError("pieces" if exc.field.startswith("maxout_pieces") else exc.field, exc.message) from None
    return {"name": name, **{key: values[key].tolist() for key in ("x", "y", "dy")}}
