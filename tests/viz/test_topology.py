import re

import numpy as np
import pytest

from app.nn import LayerSpec, Network, NetworkSpec
from app.viz import topology_figure

from .conftest import values


def _trace(fig, name):
    matches = [t for t in fig.to_dict()["data"] if t.get("name") == name or t.get("name", "").startswith(f"{name}:")]
    return matches[0] if matches else None


def _segments(fig):
    return sum(int(np.sum(values(t["x"]) == None)) for t in fig.to_dict()["data"]  # noqa: E711
               if t.get("mode") == "lines")


def test_notes_network_has_12_nodes_32_edges_and_separate_biases():
    net = Network(NetworkSpec.from_sizes([3, 4, 4, 1], "relu", loss="mse"), seed=0)
    fig = topology_figure(net)
    assert len(values(_trace(fig, "neurons")["x"])) == 12
    assert len(values(_trace(fig, "weights")["x"])) == 32
    assert _segments(fig) == 32
    assert len(values(_trace(fig, "biases")["x"])) == 9
    title = fig.layout.title.text
    assert "9 neurons" in title and "32 weights" in title and "9 biases" in title and "41 parameters" in title


def test_hover_shows_each_weight_in_notes_notation():
    net = Network(NetworkSpec.from_sizes([3, 4, 4, 1]), seed=0)
    net.params["W2"][0, 2] = -0.42  # from h1 unit 1 to h2 unit 3: W2[3,1] in [units x fan_in] notation
    hover = list(_trace(topology_figure(net), "weights")["text"])
    assert "W2[3,1] = -0.42<br>h1 unit 1 → h2 unit 3" in hover
    for j in range(4):
        for i in range(3):
            assert any(h.startswith(f"W1[{j + 1},{i + 1}] = {net.params['W1'][i, j]:.3g}") for h in hover)
    biases = list(_trace(topology_figure(net), "biases")["hovertext"])
    assert biases[0].startswith("b1[1] = ")


def test_edges_are_coloured_by_sign_and_widened_by_magnitude():
    net = Network(NetworkSpec.from_sizes([2, 3, 1], loss="mse"), seed=0)
    fig = topology_figure(net)
    lines = [t for t in fig.to_dict()["data"] if t.get("mode") == "lines"]
    weights = _trace(fig, "weights")
    assert weights["marker"]["colorscale"] and weights["marker"]["cmin"] == -weights["marker"]["cmax"]
    np.testing.assert_allclose(values(weights["marker"]["color"])[:2], [net.params["W1"][0, 0], net.params["W1"][1, 0]])
    negatives = [t for t in lines if "−" in t["name"]]
    positives = [t for t in lines if "+" in t["name"]]
    assert negatives and positives
    widths = {t["name"]: t["line"]["width"] for t in lines}
    for sign in "+−":
        ordered = [widths[f"edges {sign}{b}"] for b in range(4) if f"edges {sign}{b}" in widths]
        assert ordered == sorted(ordered)
    red, blue = negatives[0]["line"]["color"], positives[0]["line"]["color"]
    r, _, b = (int(c) for c in re.findall(r"\d+", red))
    assert r > b  # negative: the red end of RdBu
    r, _, b = (int(c) for c in re.findall(r"\d+", blue))
    assert b > r


def test_spec_without_weights_draws_grey_edges():
    spec = NetworkSpec.from_sizes([3, 4, 4, 1], loss="mse")
    fig = topology_figure(spec)
    assert len(values(_trace(fig, "neurons")["x"])) == 12
    hover = list(_trace(fig, "weights")["text"])
    assert len(hover) == 32 and all("not trained" in h for h in hover)
    assert "41 parameters" in fig.layout.title.text and "not trained" in fig.layout.title.text


def test_layer_labels_name_size_and_activation():
    spec = NetworkSpec(2, (LayerSpec(5, "tanh"), LayerSpec(3, "maxout", pieces=2)), 3)
    labels = [a.text for a in topology_figure(spec).layout.annotations]
    assert labels[0] == "<b>input</b><br>2 units"
    assert labels[1] == "<b>hidden 1</b><br>5 · tanh"
    assert labels[2] == "<b>hidden 2</b><br>3 · maxout (2 pieces)"
    assert labels[3].startswith("<b>output</b><br>3 · scores")


def test_wide_layer_is_summarised():
    net = Network(NetworkSpec.from_sizes([2, 100, 3]), seed=0)
    fig = topology_figure(net, max_units=32)
    assert len(values(_trace(fig, "neurons")["x"])) == 2 + 8 + 3
    aggregate = _trace(fig, "aggregated units")
    assert list(aggregate["hovertext"]) == ["h1 units 9–100: 92 units drawn as one"]
    assert list(_trace(fig, "ellipsis")["text"]) == ["⋮"]
    assert len(values(_trace(fig, "weights")["x"])) == 2 * 9 + 9 * 3
    hover = list(_trace(fig, "weights")["text"])
    block = net.params["W1"][0, 8:]
    expected = f"W1[9–100,1]: 92 weights<br>mean {block.mean():.3g}, mean |w| {np.abs(block).mean():.3g}"
    assert any(h.startswith(expected) for h in hover)
    assert "100" in fig.layout.annotations[1].text


def test_rejects_other_models():
    with pytest.raises(ValueError, match="model"):
        topology_figure([2, 3, 1])
    with pytest.raises(ValueError, match="max_units"):
        topology_figure(NetworkSpec.from_sizes([2, 3, 1]), max_units=0)


def test_large_counts_are_grouped():
    title = topology_figure(NetworkSpec.from_sizes([2, 100, 100, 3])).layout.title.text
    assert title.startswith("Network 2-100-100-3: 203 neurons, 10,500 weights, 203 biases, 10,703 parameters")
