"""The Playground on one screen: what the first screen holds at 1440 × 900, 1280 × 720 and on a phone
(element boxes against the viewport), a neuron's map large beside it on hover, the transport
staying in view as the page scrolls, the network edited on its diagram, and the learning rate
changed while playing without a pause. How fast the pictures change is measured by
benchmarks/bench_live.py, not asserted here."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ..waiting import wait_until
from .conftest import open_page

pytestmark = pytest.mark.browser

SCREENS = {"wide": (1440, 900), "laptop": (1280, 720), "phone": (390, 844)}


def _open(page, query: str = "") -> None:
    page.goto(f"/{query}")
    page.wait_for_selector("[data-testid=play]:not([disabled])")
    page.wait_for_selector("#topology[data-thumbnails]")
    page.wait_for_selector("#boundary[data-drawn=true] .nsewdrag")


def _box(page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not drawn"
    return box


def _inside(box: dict, width: int, height: int, what: str) -> None:
    assert box["x"] >= 0 and box["y"] >= 0, f"{what} starts outside the screen: {box}"
    assert box["x"] + box["width"] <= width + 1 and box["y"] + box["height"] <= height + 1, \
        f"{what} ends outside the first screen ({width} × {height}): {box}"


def _centre(box: dict) -> tuple[float, float]:
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def _maps(page) -> list[dict]:
    """The boxes of the neurons' maps in the diagram (its layout images at rest)."""
    count = int(page.get_attribute("#topology", "data-thumbnails"))
    images = page.locator("#topology .layer-above image")
    expect(images).to_have_count(count)
    return [images.nth(k).bounding_box() for k in range(count)]


@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_first_screen_holds_the_network_at_work(browser, server, screen):
    width, height = SCREENS[screen]
    page = open_page(browser, server, width, height)
    try:
        _open(page)
        play = _box(page, "[data-testid=play]")
        _inside(play, width, height, "Play")
        area = _box(page, "#boundary .nsewdrag")  # the boundary's plot area
        maps = _maps(page)
        assert len(maps) == 2 + 8 + 8 + 3, "every neuron has its map"
        if screen == "phone":
            _inside(area, width, height, "the boundary's plot area")
            assert area["width"] >= 220, f"the boundary's plot area: {area}"
            assert all(box["width"] >= 40 for box in maps), f"a neuron's map under 40 px: {maps}"
            labels = [page.locator("#topology .textpoint text").nth(k).bounding_box()
                      for k in range(page.locator("#topology .textpoint text").count())]
            for i, a in enumerate(labels):
                for b in labels[i + 1:]:
                    apart = (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                             or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])
                    assert apart, f"labels overlap: {a}, {b}"
            assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
        else:
            parts = {name: _box(page, selector) for name, selector in (
                ("data", "#datasets"), ("features", "#features"), ("diagram", "#topology"),
                ("boundary", "#boundary"), ("loss", "#training"))}
            for name, box in parts.items():
                _inside(box, width, height, name)
            for box in maps:
                _inside(box, width, height, "a neuron's map")
            _inside(area, width, height, "the boundary's plot area")
            lefts = [parts[name]["x"] for name in ("data", "diagram", "boundary", "loss")]
            assert lefts == sorted(lefts), f"not in the order the data flows: {parts}"
            for name in ("lr", "all-activations", "reg", "lam"):
                _inside(_box(page, f"#{name}"), width, height, name)
            if screen == "wide":
                assert min(area["width"], area["height"]) >= 480, f"the boundary's plot area: {area}"
                assert parts["diagram"]["height"] >= area["height"], (parts["diagram"], area)
        page.recorder.assert_clean()
    finally:
        page.context.close()


@pytest.fixture
def wide(browser, server):
    page = open_page(browser, server, *SCREENS["wide"])
    yield page
    page.context.close()


def test_a_neurons_map_shows_large_beside_it(wide):
    page = wide
    _open(page)
    neurons = page.locator("#topology .scatterlayer .trace").filter(has=page.locator("text"))
    node = neurons.locator("path.point").nth(4)  # the third unit of hidden layer 1

    def hover() -> bool:
        box = node.bounding_box()
        page.mouse.move(box["x"] - 30, box["y"] - 30)
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=4)
        page.wait_for_timeout(200)  # a hover event's turn: wait_until decides
        return page.locator("#node-preview").is_visible()

    wait_until(hover, what="the neuron's map, large")
    assert page.get_attribute("#topology", "data-preview") == "1,2"
    preview = _box(page, "#node-preview")
    _inside(preview, *SCREENS["wide"], "the preview")
    assert preview["width"] >= 150
    network = _box(page, "section:has(#topology)")
    boundary = _box(page, "#boundary .nsewdrag")
    assert network["x"] <= preview["x"] and preview["x"] + preview["width"] <= network["x"] + network["width"] + 1
    assert preview["x"] + preview["width"] <= boundary["x"], "the preview covers the decision boundary"
    expect(page.locator("#node-preview figcaption")).to_contain_text("hidden 1 unit 3")
    page.mouse.move(5, 5)
    expect(page.locator("#node-preview")).to_be_hidden()
    page.recorder.assert_clean()


def test_a_neuron_focused_from_the_keyboard_shows_its_map_large(wide):
    page = wide
    _open(page)
    spots = page.locator("#node-spots .node-spot")
    expect(spots).to_have_count(2 + 8 + 8 + 3)
    assert [spots.nth(k).get_attribute("tabindex") for k in range(3)] == ["0", "-1", "-1"]  # one tab stop
    page.get_by_test_id("reset").focus()
    while page.evaluate("() => document.activeElement.className") != "node-spot":
        page.keyboard.press("Tab")
    expect(page.locator("#node-preview")).to_be_visible()
    assert page.get_attribute("#topology", "data-preview") == "0,0"
    expect(page.locator("#node-preview figcaption")).to_contain_text("input 1")
    for _ in range(4):  # the arrow keys go on to the third unit of hidden layer 1
        page.keyboard.press("ArrowDown")
    expect(page.get_by_role("button", name="hidden 1 unit 3: its output over the plane")).to_be_focused()
    assert page.get_attribute("#topology", "data-preview") == "1,2"
    expect(page.locator("#node-preview figcaption")).to_contain_text("hidden 1 unit 3")
    spot, node = _box(page, "#node-spots .node-spot >> nth=4"), _maps(page)[4]
    assert all(abs(a - b) < 2 for a, b in zip(_centre(spot), _centre(node), strict=True)), (spot, node)  # on its map
    page.keyboard.press("Tab")  # on out of the diagram
    expect(page.locator("#node-preview")).to_be_hidden()
    page.recorder.assert_clean()


# A point of the diagram's trace `name` (index `k`) in the page's pixels, from the figure's own axes.
POINT = """([name, k]) => { const plot = document.querySelector('#topology');
  const trace = plot.data.find((t) => t.name === name); const { xaxis, yaxis } = plot._fullLayout;
  const box = plot.getBoundingClientRect();
  return [box.left + xaxis._offset + xaxis.l2p(trace.x[k]), box.top + yaxis._offset + yaxis.l2p(trace.y[k])]; }"""
# The value a weight's hover label shows, and the newest frame's value of that weight (as painted).
HOVER_VALUES = """() => { const plot = document.querySelector('#topology');
  const k = Number(plot.dataset.hoverPoint.split(',')[1]);
  return [Number(plot.dataset.hoverValue), plot.data.find((t) => t.name === 'weights').marker.color[k]]; }"""
LABEL = "() => document.querySelector('#topology .hoverlayer .hovertext text.nums').textContent"


def test_a_weights_hover_label_follows_the_frames_while_playing(wide):
    page = wide
    _open(page, "?speed=10")  # slow: the weights change a little with every frame
    page.get_by_test_id("play").click()
    page.wait_for_function("() => Number(document.querySelector('#topology').dataset.paints || 0) > 5")
    x, y = page.evaluate(POINT, ["weights", 30])

    def hover() -> bool:
        page.mouse.move(x - 20, y - 20)
        page.mouse.move(x, y, steps=4)
        page.wait_for_timeout(200)  # a hover event's turn: wait_until decides
        return (page.get_attribute("#topology", "data-hover-point") or "").startswith("weights,")

    wait_until(hover, what="a weight's hover label")
    first = page.evaluate(LABEL)
    assert "≈" in first, first
    page.wait_for_function(f"(first) => ({LABEL})() !== first", arg=first)  # the label follows the frames
    shown, painted = page.evaluate(HOVER_VALUES)
    assert shown == painted
    page.get_by_test_id("pause").click()
    page.wait_for_selector("[data-testid=play]:not([disabled])")
    page.recorder.assert_clean()


def test_the_transport_stays_in_view_as_the_page_scrolls(wide):
    page = wide
    _open(page)
    page.locator("section[aria-label=Settings]").scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 500
    for selector in ("[data-testid=play]", "[data-testid=epoch]", "[data-testid=train-loss]", "#lr", "#reg", "#lam"):
        box = _box(page, selector)
        assert box["y"] >= 0 and box["y"] + box["height"] <= 200, f"{selector} scrolled away: {box}"
    page.recorder.assert_clean()


def test_the_diagram_edits_the_network(wide):
    page = wide
    _open(page, "?layers=4-relu,4-relu")
    expect(page.locator("#topology")).to_have_attribute("data-thumbnails", str(2 + 4 + 4 + 3))
    page.get_by_test_id("units-plus-1").click()
    expect(page.locator("#topology")).to_have_attribute("data-thumbnails", str(2 + 5 + 4 + 3))
    assert "layers=5-relu%2C4-relu" in page.url or "layers=5-relu,4-relu" in page.url
    expect(page.locator("#pg-layer-0-units")).to_have_value("5")  # the settings card's editor follows
    page.get_by_test_id("units-minus-2").click()
    expect(page.locator("#topology")).to_have_attribute("data-thumbnails", str(2 + 5 + 3 + 3))
    page.get_by_test_id("layers-plus").click()
    expect(page.locator("#topology")).to_have_attribute("data-thumbnails", str(2 + 5 + 3 + 3 + 3))
    expect(page.locator("#status")).to_contain_text("4 layers")
    page.get_by_test_id("activation-3").select_option("tanh")
    wait_until(lambda: "3-tanh" in page.url.replace("%2C", ","), what="the third layer's activation in the address")
    expect(page.locator("#all-activations")).to_have_value("")  # mixed
    page.locator("#all-activations").select_option("tanh")
    wait_until(lambda: "5-tanh,3-tanh,3-tanh" in page.url.replace("%2C", ","), what="every layer's activation")
    page.get_by_test_id("layers-minus").click()
    expect(page.locator("#topology")).to_have_attribute("data-thumbnails", str(2 + 5 + 3 + 3))
    page.recorder.assert_clean()


def test_a_new_learning_rate_applies_while_playing_without_a_pause(wide):
    page = wide
    _open(page, "?speed=0")
    statuses: list[str] = []

    def note(status: str) -> None:
        statuses.append(status)

    page.expose_function("noteStatus", note)
    page.evaluate("""() => new MutationObserver(() => window.noteStatus(document.getElementById('status').textContent))
        .observe(document.getElementById('status'), { childList: true, characterData: true, subtree: true })""")
    page.get_by_test_id("play").click()
    wait_until(lambda: int(page.get_attribute("#boundary", "data-updates") or 0) > 3, what="the Play's frames")
    with page.expect_request(lambda request: request.method == "POST" and request.url.endswith("/api/jobs")) as asked:
        page.locator("#lr").select_option("0.03")
    assert asked.value.post_data_json["training"]["learning_rate"] == 0.03
    updates = int(page.get_attribute("#boundary", "data-updates") or 0)
    wait_until(lambda: int(page.get_attribute("#boundary", "data-updates") or 0) > updates + 3,
               what="the frames of the new job")
    expect(page.get_by_test_id("pause")).to_be_enabled()
    assert not any("Paused" in status for status in statuses), statuses
    assert "lr=0.03" in page.url
    page.get_by_test_id("pause").click()
    expect(page.locator("#status")).to_contain_text("Paused")
    page.recorder.assert_clean()
