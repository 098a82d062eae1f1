"""The Playground's TensorFlow Playground parts in a real browser: input features, the neurons'
thumbnails in the network diagram, the boundary's toggles, editing a weight (the charts' SVG downloads:
test_access.py, with their toolbars)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from ..waiting import wait_until
from .conftest import api

pytestmark = pytest.mark.browser


def _open(page, query: str = "") -> None:
    page.goto(f"/{query}")
    page.wait_for_selector("[data-testid=play]:not([disabled])")
    page.wait_for_selector("#boundary[data-drawn=true]")
    page.wait_for_selector("#topology[data-drawn=true]")


def _network(page) -> dict:
    """The stored network the page works on (its export names it); {} while Reset replaces it."""
    response = api(page, "GET", page.locator("#export").get_attribute("href"))
    return response.json() if response.ok else {}


def _epoch(page) -> float:
    return float(page.get_by_test_id("epoch").inner_text())


def test_choosing_features_changes_the_network_and_it_trains(page):
    # At full speed: the fifty steps below need not wait for the default pace's slow start.
    _open(page, "?ds=circle&layers=&opt=adam&lr=0.03&speed=0")
    expect(page.get_by_test_id("feature-x1")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".feature")).to_have_count(7)
    assert page.locator(".feature canvas").first.evaluate("c => c.width") == 32
    for name in ("x1", "x2"):
        page.get_by_test_id(f"feature-{name}").click()  # x1 off, then x2 off: the page keeps x2 (one at least)
    expect(page.get_by_test_id("feature-x1")).to_have_attribute("aria-pressed", "false")
    page.get_by_test_id("feature-x1sq").click()
    page.get_by_test_id("feature-x2sq").click()
    page.get_by_test_id("feature-x2").click()
    wait_until(lambda: _network(page).get("spec", {}).get("features") == ["x1sq", "x2sq"],
               what="the network with x1², x2²")
    assert parse_qs(urlsplit(page.url).query)["feat"] == ["x1sq,x2sq"]
    page.wait_for_selector("[data-testid=play]:not([disabled])")
    labels = page.locator("#topology .textpoint text").all_text_contents()
    assert "X₁²" in labels and "X₂²" in labels and "X₁" not in labels
    page.get_by_test_id("play").click()
    wait_until(lambda: _epoch(page) >= 50, what="fifty steps of training")
    page.get_by_test_id("pause").click()
    expect(page.locator("#status")).to_contain_text("Paused")
    exported = _network(page)
    assert exported["steps_trained"] >= 50 and len(exported["weights"]["W1"]) == 2
    expect(page.locator("#boundary .gtitle")).to_contain_text("accuracy")
    page.recorder.assert_clean()


def test_node_thumbnails_fill_the_diagram_and_a_hover_previews_one(page):
    _open(page, "?ds=xor&layers=4-tanh&feat=x1,x2,x1x2")
    # inputs 3 + hidden 4 + outputs 2: each node has its map
    expect(page.locator("#topology")).to_have_attribute("data-thumbnails", "9")
    expect(page.locator("#topology .layer-above image")).to_have_count(9)
    page.get_by_test_id("play").click()
    wait_until(lambda: _epoch(page) > 20, what="some training")
    # While playing the maps are painted on the diagram's canvas: each map's changes are counted.
    def changes() -> list[int]:
        return [int(n) for n in (page.get_attribute("#topology", "data-map-changes") or "").split(",") if n]

    before = changes()
    wait_until(lambda: len(changes()) == 9 and changes()[3] > (before[3] if len(before) > 3 else 0) + 1,
               what="the thumbnails to follow the live frames")  # after the 3 inputs, whose maps stay
    assert int(page.get_attribute("#topology", "data-paints") or 0) > 0
    page.get_by_test_id("pause").click()
    expect(page.locator("#status")).to_contain_text("Paused")
    expect(page.locator("#topology")).to_have_attribute("data-thumbnails", "9")
    neurons = page.locator("#topology .scatterlayer .trace").filter(has=page.locator("text"))
    node = neurons.locator("path.point").nth(4)  # hidden unit 2

    def hover() -> bool:
        """Onto the node (again: a figure redrawn after Pause may end an earlier preview, and a line
        of advice appearing above may move the diagram)."""
        node.scroll_into_view_if_needed()
        box = node.bounding_box()
        page.mouse.move(box["x"] - 20, box["y"] - 20)
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=4)
        page.wait_for_timeout(200)  # a hover event's turn, not the condition: wait_until decides
        # The node's map, large, beside it (a redraw after Pause on a busy machine may end an
        # earlier preview: hover again).
        return page.get_attribute("#topology", "data-preview") == "1,1" and page.locator("#node-preview").is_visible()

    wait_until(hover, what="the node's map beside it")
    page.mouse.move(5, 5)
    expect(page.locator("#node-preview")).to_be_hidden()
    page.recorder.assert_clean()


def test_show_test_data_and_discretize_toggles(page):
    _open(page, "?ds=spiral&test=0.3&layers=6-relu")
    def visible_traces() -> int:
        return page.evaluate("() => document.getElementById('boundary').data"
                             ".filter(t => t.visible !== false && / \\(test\\)$/.test(t.name || '')).length")

    assert visible_traces() == 3
    page.get_by_label("Show test data").uncheck()
    wait_until(lambda: visible_traces() == 0, what="the test points to hide")
    page.get_by_label("Show test data").check()
    wait_until(lambda: visible_traces() == 3, what="the test points to show")

    def bands() -> list:
        return page.evaluate("() => document.getElementById('boundary').data[0].colorscale.map(s => s[1])")

    shaded = bands()
    assert shaded[0] != shaded[1]  # a class's band runs from light to strong
    page.get_by_label("Discretize output").check()
    wait_until(lambda: bands()[0] == bands()[1], what="one colour per class")
    assert bands()[1] == shaded[1]
    page.get_by_label("Discretize output").uncheck()
    wait_until(lambda: bands() == shaded, what="the shades to come back")
    page.recorder.assert_clean()


def test_clicking_an_edge_edits_its_weight(page):
    _open(page, "?ds=xor&layers=3-tanh")
    weights = page.locator("#topology .scatterlayer .trace").filter(has=page.locator("path.point")).nth(0)
    point = weights.locator("path.point").first
    point.scroll_into_view_if_needed()
    box = point.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("#weight-value")).to_be_focused()  # the form under the diagram, with that edge chosen
    layer = int(page.locator("#edit-parameter").input_value().removeprefix("W"))
    i, j = int(page.locator("#edit-from").input_value()), int(page.locator("#edit-to").input_value())
    page.locator("#weight-value").fill("1.25")
    page.locator("#weight-edit button[type=submit]").click()
    expect(page.locator("#status")).to_contain_text(f"W{layer}[{i}, {j}] is now 1.25")
    assert _network(page)["weights"][f"W{layer}"][i][j] == 1.25
    page.recorder.assert_clean()
