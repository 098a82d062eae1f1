"""Strings from users (a CSV's class labels, a comparison's labels) reach a figure as the text
itself: Plotly draws a subset of HTML in names and titles and substitutes ``%{...}`` in hover
templates, so markup must arrive escaped and a template substitution neutralised."""

import pytest

from app.nn import LayerSpec, Network, NetworkSpec, load_csv
from app.viz import boundary_comparison_figure, decision_boundary_figure, hidden_space_figure, neuron_figure
from app.viz.common import plain_text

LINK = '<a href="x">a</a>'
SIZE = '<span style="font-size:60px">big</span>'
CSV = "\n".join(f"{x},{y},{label}" for x, y, label in [
    (0.1, 0.2, f'"{LINK.replace(chr(34), chr(34) * 2)}"'), (0.3, 0.1, f'"{LINK.replace(chr(34), chr(34) * 2)}"'),
    (-0.4, 0.5, "%{x}"), (-0.2, -0.6, "%{x}"), (0.7, -0.3, SIZE), (-0.5, -0.1, SIZE)])


@pytest.fixture(scope="module")
def hostile():
    data = load_csv(CSV)
    assert sorted(data.class_names) == sorted([LINK, "%{x}", SIZE])
    return Network(NetworkSpec(2, (LayerSpec(4, "tanh"),), 3), seed=0), data


def test_plain_text_escapes_markup_and_template_substitutions():
    assert plain_text(LINK) == '&lt;a href="x"&gt;a&lt;/a&gt;'
    assert plain_text("%{x} & %{y:.2f}") == "%&#123;x} &amp; %&#123;y:.2f}"
    assert plain_text("class 1 (α = 0.5), 50 %") == "class 1 (α = 0.5), 50 %"
    assert plain_text(3) == "3"


def _texts(figure) -> list[str]:
    """Every name and hover template of the figure's traces."""
    return [text for trace in figure.to_dict()["data"] for text in (trace.get("name"), trace.get("hovertemplate"))
            if text]


def test_class_labels_arrive_escaped_in_the_decision_boundary(hostile):
    net, data = hostile
    texts = _texts(decision_boundary_figure(net, data, grid=10))
    assert any(text.startswith("class &lt;a href=\"x\"&gt;a&lt;/a&gt; (train)") for text in texts)
    assert any(text.startswith("class %&#123;x} (train)") for text in texts)
    assert any("&lt;span style=\"font-size:60px\"&gt;big&lt;/span&gt;" in text for text in texts)
    labels = [name for name in texts if "class" in name]
    assert labels and not any("<a" in text or "<span" in text or "class %{x}" in text for text in labels)


@pytest.mark.parametrize("draw", [
    lambda net, data: hidden_space_figure(net, data),
    lambda net, data: neuron_figure((1.0, -1.0), 0.0, data=data, grid=10),
])
def test_class_labels_arrive_escaped_in_every_figure_with_points(hostile, draw):
    names = [text for text in _texts(draw(*hostile)) if text.startswith("class ")]
    assert "class &lt;a href=\"x\"&gt;a&lt;/a&gt;" in names and "class %&#123;x}" in names


def test_comparison_labels_arrive_escaped(hostile):
    net, data = hostile
    fig = boundary_comparison_figure([(LINK, net, data), ("λ = 0.01", net, data)], grid=10)
    titles = [note["text"].split("<br>")[0] for note in fig.to_dict()["layout"]["annotations"]]
    assert titles == ['&lt;a href="x"&gt;a&lt;/a&gt;', "λ = 0.01"]


def test_ordinary_labels_are_unchanged():
    data = load_csv("0,0,cat\n1,1,dog\n0,1,cat\n1,0,dog")
    net = Network(NetworkSpec(2, (LayerSpec(3),), 2), seed=0)
    names = [text for text in _texts(decision_boundary_figure(net, data, grid=5)) if text.startswith("class ")]
    assert names[:2] == ["class cat (train)", "class cat (train)<br>x₁ %{x:.3f}, x₂ %{y:.3f}<extra></extra>"]
    assert "class dog (train)" in names
