"""Every builder's JSON stays finite for a network whose weights have blown up."""

import numpy as np
import pytest

from app.nn import LayerSpec, Network, NetworkSpec, make_dataset
from app.viz import (
    boundary_comparison_figure,
    decision_boundary_figure,
    figure_json,
    forward_trace_figure,
    hidden_space_figure,
    neuron_maps_figure,
    topology_figure,
)

from .conftest import assert_finite_json


@pytest.fixture(scope="module")
def exploded():
    data = make_dataset("spiral", n_per_class=15, test_fraction=0.2)
    net = Network(NetworkSpec(2, (LayerSpec(6, "relu"), LayerSpec(4, "tanh")), 3), seed=0)
    for name in ("W1", "W2", "W3", "b3"):
        net.params[name][...] = 1e300 * np.sign(net.params[name] + 0.5)
    return net, data


@pytest.mark.parametrize("build", [
    lambda net, data: decision_boundary_figure(net, data, grid=12),
    lambda net, data: boundary_comparison_figure([("a", net, data)], grid=8),
    lambda net, data: neuron_maps_figure(net, data, grid=8),
    lambda net, data: hidden_space_figure(net, data, layer=1, grid_lines=3),
    lambda net, data: hidden_space_figure(net, data, layer=2, grid_lines=3),
    lambda net, data: forward_trace_figure(net, [0.5, -0.5]),
    lambda net, data: topology_figure(net),
], ids=["boundary", "comparison", "neuron-maps", "hidden-1", "hidden-2", "forward", "topology"])
def test_exploded_weights_give_finite_json(exploded, build):
    assert_finite_json(figure_json(build(*exploded)))
