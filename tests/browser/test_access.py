"""Every page for everyone: axe-core finds nothing serious, a phone (390 × 844) gets a layout made for
it, and the keyboard alone works the Playground and its charts' toolbars (SVG downloads among them)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import expect

from ..waiting import DEADLINE, wait_until
from .conftest import api, axe_violations, open_page
from .layout import layout_problems

pytestmark = pytest.mark.browser

PAGES = ("/", "/learn", "/activations", "/neuron", "/architecture", "/experiments", "/sweeps", "shared", "/classes",
         "/join", "class", "wall")
# How many figures each page draws on its own (the Playground's curves wait for training).
# The lesson draws a section's figures as it comes near the screen: _open scrolls through it.
FIGURES = {"/": 3, "/learn": 7, "/activations": 11, "/neuron": 2, "/architecture": 2, "/experiments": 0, "/sweeps": 0,
           "shared": 3, "/classes": 0, "/join": 0, "class": 0, "wall": 0}
ASSIGNMENT = {"setup": {"data": {"name": "spiral"}}, "prompt": "Make the boundary follow the arms.",
              "unlocked": ["training.learning_rate"]}
PHONE = (390, 844)


@pytest.fixture(scope="module")
def shared_link(browser, server: str) -> str:
    """A share link of a network trained one epoch, made by the Playground's Share once for this
    module's tests: anyone may open it, so each test's own context (another browser, in effect)
    sees the same page."""
    page = open_page(browser, server)
    try:
        page.goto("/")
        page.wait_for_selector("[data-testid=step]:not([disabled])")
        page.get_by_test_id("step").click()
        expect(page.get_by_test_id("epoch")).to_have_text("1")
        network = api(page, "GET", "/api/networks").json()[0]
        page.get_by_test_id("share").click()
        expect(page.get_by_test_id("share-url")).to_be_visible()
        link = page.get_by_test_id("share-url").inner_text()
        shares = api(page, "GET", "/api/shares").json()
        assert [(s["network_id"], s["url"]) for s in shares] == [(network["id"], urlsplit(link).path)]
        assert page.get_by_test_id("share-url").get_attribute("href") == link
    finally:
        page.context.close()
    return urlsplit(link).path


def _a_class(page, server: str) -> str:
    """The page of a class the page's person leads, with a member and an assignment."""
    made = api(page, "POST", "/api/classes", data={"title": "Week 3: the spiral"}).json()
    joined = httpx.post(f"{server}/api/classes/join", json={"code": made["code"], "name": "Ada"}, timeout=DEADLINE)
    assert joined.status_code == 201
    assert api(page, "PUT", f"/api/classes/{made['id']}/assignment", data=ASSIGNMENT).status == 200
    return f"/classes/{made['id']}"


def _open(page, path: str, request: pytest.FixtureRequest | None = None) -> None:
    """Open ``path`` and wait until its figures are drawn and its requests have ended (``request``
    gives the share link when ``path`` is "shared", and the server for "class", a class's page, and
    for "wall", its wall)."""
    if path == "shared":
        page.goto(request.getfixturevalue("shared_link"))
    elif path == "class":
        page.goto(_a_class(page, request.getfixturevalue("server")))
        expect(page.get_by_test_id("member")).to_have_count(1)
        expect(page.locator("#unlocked")).to_be_visible()
    elif path == "wall":
        page.goto(_a_class(page, request.getfixturevalue("server")) + "/wall")
        expect(page.get_by_test_id("wall-tile")).to_have_count(1)
    else:
        page.goto(path)
    if path == "/":
        page.wait_for_selector("[data-testid=play]:not([disabled])")
    if path == "/learn":
        for section in page.locator(".lesson-section").all():
            section.scroll_into_view_if_needed()
            page.wait_for_load_state("networkidle")
        page.evaluate("window.scrollTo(0, 0)")
    if FIGURES[path]:
        expect(page.locator("[data-drawn=true] .main-svg").nth(FIGURES[path] - 1)).to_be_attached()
    page.wait_for_load_state("networkidle")


def _train_briefly(page) -> None:
    """Play until the boundary has moved, then Pause: every Playground figure is drawn."""
    page.get_by_test_id("play").click()
    page.wait_for_function("() => Number(document.querySelector('#boundary').dataset.updates || 0) > 0")
    page.get_by_test_id("pause").click()
    page.wait_for_selector("[data-testid=pause][disabled]")
    _every_playground_figure_drawn(page)


def _every_playground_figure_drawn(page) -> None:
    """Wait until the Playground, trained, has drawn every figure and its requests have ended."""
    for figure in ("training", "dead-units", "update-ratio", "hidden-space", "neurons", "topology"):
        expect(page.locator(f"#{figure}[data-drawn=true] .main-svg").first).to_be_attached()
    page.wait_for_load_state("networkidle")


# At a phone's width axe-core checks each page with the phone's other checks (_fits_a_phone).
@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_serious_violation(page, axe_source, path, request):
    _open(page, path, request)
    if path == "/":
        _train_briefly(page)
    assert layout_problems(page) == []
    assert axe_violations(page, axe_source) == []
    page.recorder.assert_clean()


# The two pages whose layout grows with use: a table of trained weights, and a sweep's 20 panels.
@pytest.mark.parametrize("size", [(1440, 900), (1280, 720), PHONE], ids=lambda size: f"{size[0]}x{size[1]}")
def test_no_text_over_text_nor_out_of_its_card_after_use(browser, server: str, size: tuple[int, int]):
    page = open_page(browser, server, *size)
    try:
        page.goto("/neuron")
        page.get_by_test_id("train").click()
        expect(page.locator("#weights-table tbody tr")).to_have_count(1)
        expect(page.locator("#training-plot[data-drawn=true] .main-svg").first).to_be_attached()
        assert layout_problems(page) == []
        page.goto("/sweeps")  # the default plan: 4 learning rates x 5 widths
        page.locator("#steps").fill("30")
        page.locator("#seeds").fill("1")
        expect(page.locator("#plan")).to_contain_text("4 × 5 = 20 settings")
        page.locator("#run").click()
        expect(page.locator("#status")).to_have_text("Done: 20 runs.")
        expect(page.locator("#boundaries-plot[data-drawn=true] .main-svg").first).to_be_attached()
        page.wait_for_load_state("networkidle")
        assert layout_problems(page) == []
        page.recorder.assert_clean()
    finally:
        page.context.close()


# Each figure's parts as boxes in page pixels: its plot areas, titles, axis titles, legend, colour
# bars and annotations (the subplot titles among them).
FIGURE_BOXES = """() => {
  const box = (node) => { const r = node.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const visible = (node) => { const r = node.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  return Array.from(document.querySelectorAll(".js-plotly-plot")).filter(visible).map((plot) => {
    const parts = [];
    const add = (kind, selector) => plot.querySelectorAll(selector).forEach((node) => {
      if (visible(node)) parts.push({ kind, text: (node.textContent || "").slice(0, 40), box: box(node) });
    });
    add("plot area", ".nsewdrag");
    add("title", ".g-gtitle text");
    add("axis title", "[class^='g-x'][class$='title'] text, [class^='g-y'][class$='title'] text");
    add("legend", ".legend .bg");
    add("colour bar", ".colorbar");
    add("annotation", ".annotation-text-g");
    return { id: plot.id, width: plot.getBoundingClientRect().width, parts };
  });
}"""
# Annotations may sit inside a plot area (notes drawn on the plot); every other pair must be apart.
ALLOWED = {frozenset(("plot area", "annotation")), frozenset(("plot area",))}


def _overlap(a: list[float], b: list[float], slack: float = 1.0) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > slack and min(a[3], b[3]) - max(a[1], b[1]) > slack


def _figure_overlaps(figures: list[dict]) -> list[str]:
    found = []
    for figure in figures:
        parts = figure["parts"]
        for i, first in enumerate(parts):
            for second in parts[i + 1:]:
                if frozenset((first["kind"], second["kind"])) in ALLOWED:
                    continue
                if _overlap(first["box"], second["box"]):
                    found.append(f"#{figure['id']}: {first['kind']} {first['text']!r} "
                                 f"over {second['kind']} {second['text']!r}")
    return found


def _settled(page, script: str):
    """What ``script`` reads from the page once two reads 250 ms apart agree: the figures' redraws
    after the screenshot's resize have ended (a page of many figures, the lesson, takes a while)."""
    def same_twice():
        before = page.evaluate(script)
        page.wait_for_timeout(250)
        after = page.evaluate(script)
        return (after,) if after == before else None  # a tuple: no figures at all is an answer too

    return wait_until(same_twice, DEADLINE, "the figures to stop moving")[0]


def _fits_a_phone(page, path: str, axe_source: str, screenshot) -> None:
    """The phone's checks of the page ``path`` as it is now: no sideways scrolling, a small header,
    figures at least 300 px wide with no part over another, panels apart, targets of 24 px, and
    nothing serious for axe-core."""
    name = "home" if path == "/" else path.strip("/")
    # Before the screenshot: a whole-page screenshot resizes the page for a moment, and the figures'
    # redraws that follow it leave text over text until they end.
    problems = layout_problems(page)
    screenshot(page, f"phone-{name}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0], "the page scrolls sideways"
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 56, f"the sticky header takes {header['height']} px"
    figures = _settled(page, FIGURE_BOXES)
    assert len(figures) >= FIGURES[path]
    narrow = {figure["id"]: round(figure["width"]) for figure in figures if figure["width"] < 300}
    assert narrow == {}, f"figures narrower than 300 px: {narrow}"
    assert _figure_overlaps(figures) == []
    assert problems == []
    cards = page.locator("main .card").evaluate_all(
        "(cards) => cards.filter((c) => c.offsetParent).map((c) => { const r = c.getBoundingClientRect(); "
        "return [r.left, r.top, r.right, r.bottom]; })")
    assert not any(_overlap(a, b) for i, a in enumerate(cards) for b in cards[i + 1:]), "panels overlap"
    # Targets of at least 24 × 24 px: every visible button, field and menu (links inside text aside).
    small = page.evaluate("""() => Array.from(document.querySelectorAll(
        "main button, main select, main input, main summary, .site-header a")).filter((n) => n.offsetParent)
        .map((n) => { const r = n.getBoundingClientRect(); return [n.id || n.textContent.trim().slice(0, 30) || n.type,
        Math.round(r.width), Math.round(r.height)]; }).filter(([, w, h]) => w < 24 || h < 24)""")
    assert small == [], f"targets smaller than 24 px: {small}"
    # axe-core at the phone's width, last: while it runs it adds nodes of its own to the page.
    assert axe_violations(page, axe_source) == []
    page.recorder.assert_clean()


# The Playground's phone checks are made, trained, by test_phone_playground_puts_the_plot_and_play_first.
@pytest.mark.parametrize("path", [path for path in PAGES if path != "/"])
def test_phone_layout_and_axe(phone, path, screenshot, axe_source, request):
    _open(phone, path, request)
    _fits_a_phone(phone, path, axe_source, screenshot)


# The page's tab stops in order (no positive tabindex: the source's order), each with the part of the
# Playground it is in and its box.
TAB_STOPS = """() => {
  const parts = [['transport', '#transport'], ['data', 'section:has(#datasets)'], ['network', 'section:has(#topology)'],
    ['plot', 'section:has(#boundary)'], ['settings', 'section[aria-label=Settings]']];
  const stops = Array.from(document.querySelectorAll('a[href], button, input, select, summary, [tabindex]'))
    .filter((n) => n.tabIndex >= 0 && !n.disabled && n.offsetParent);
  return { positive: Array.from(document.querySelectorAll('[tabindex]')).filter((n) => n.tabIndex > 0).length,
    stops: stops.map((n) => { const part = parts.find(([, selector]) => n.closest(selector));
      const r = n.getBoundingClientRect();
      return { name: n.id || n.textContent.trim().slice(0, 30), part: part ? part[0] : null,
               left: r.left, top: r.top + scrollY }; }) };
}"""


def _tab_order_follows_the_layout(page, wide: bool) -> None:
    """Skip link first; then Play and the rest of the transport, and the parts of the page in the
    order they are laid out: on a wide screen the data, the network and the plot side by side (the
    order the data flows), the settings under them; on a phone the plot first, then the network and
    the data, one above the other, the settings last."""
    order = page.evaluate(TAB_STOPS)
    assert order["positive"] == 0
    assert order["stops"][0]["name"] == "Skip to Play and the plot"
    first = {}
    for index, stop in enumerate(order["stops"]):
        if stop["part"]:
            first.setdefault(stop["part"], (index, stop))
    middle = ["data", "network", "plot"] if wide else ["plot", "network", "data"]
    parts = ["transport", *middle, "settings"]
    assert [part for part, _ in sorted(first.items(), key=lambda item: item[1][0])] == parts
    assert first["transport"][1]["name"] == "play"
    boxes = [first[part][1] for part in parts]
    if wide:
        row = boxes[1:4]
        assert [box["left"] for box in row] == sorted(box["left"] for box in row), row
        assert boxes[4]["top"] > max(box["top"] for box in row), boxes
    else:
        assert [box["top"] for box in boxes] == sorted(box["top"] for box in boxes), boxes


def test_phone_playground_puts_the_plot_and_play_first(phone, screenshot, axe_source):
    page = phone
    _open(page, "/")
    _tab_order_follows_the_layout(page, wide=False)
    play = page.get_by_test_id("play").bounding_box()
    assert play["y"] + play["height"] <= PHONE[1], "Play is below the first screen"
    epoch = page.get_by_test_id("epoch").bounding_box()
    middle = epoch["y"] + epoch["height"] / 2
    assert play["y"] <= middle <= play["y"] + play["height"], "the epoch counter is not beside Play"
    boundary = page.locator("#boundary").bounding_box()
    settings = page.get_by_role("region", name="Settings").bounding_box()
    assert boundary["y"] < settings["y"], "the settings come before the plot"
    area = page.locator("#boundary .nsewdrag").first.bounding_box()
    assert area["width"] >= 220, f"the boundary's plot area is {area['width']} px wide"
    legend = page.locator("#boundary .legend").bounding_box()
    assert legend["y"] >= area["y"] + area["height"], "the legend is not below the plot"
    # While it plays, the title's new scores keep the phone's wrapping of the title.
    title = "() => document.querySelector('#boundary').layout.title.text"
    drawn = page.evaluate(title)
    assert "winning<br>probability" in drawn, drawn
    page.locator("#speed").select_option("0")  # full speed: the scores change at once
    page.get_by_test_id("play").click()
    page.wait_for_function(f"(drawn) => ({title})() !== drawn", arg=drawn)
    playing = page.evaluate(title)
    assert playing.split("<span")[0] == drawn.split("<span")[0], playing
    page.get_by_test_id("pause").click()
    page.wait_for_selector("[data-testid=pause][disabled]")
    # Trained, every figure drawn: the phone's checks of every page.
    _every_playground_figure_drawn(page)
    page.evaluate("window.scrollTo(0, 0)")
    _fits_a_phone(page, "/", axe_source, screenshot)


def _focused(page) -> dict:
    return page.evaluate("""() => { const n = document.activeElement;
        return { id: n.id, testid: n.dataset ? n.dataset.testid : null, tag: n.tagName,
                 inTransport: Boolean(n.closest('[aria-label="Training controls"]')) }; }""")


def _contrast(color: str, background: tuple[int, int, int] = (255, 255, 255)) -> float:
    """WCAG contrast ratio of an ``rgb(r, g, b)`` colour against ``background``."""
    def luminance(rgb) -> float:
        channels = [c / 255 for c in rgb]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    rgb = tuple(int(v) for v in re.findall(r"\d+", color)[:3])
    lighter, darker = sorted((luminance(rgb), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_keyboard_plays_and_pauses_without_losing_focus(page):
    _open(page, "/")
    _tab_order_follows_the_layout(page, wide=True)
    # The first tab stop skips to Play.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to Play and the plot"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert _focused(page)["testid"] == "play"
    ring = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return { color: s.outlineColor, width: parseFloat(s.outlineWidth), style: s.outlineStyle }; }""")
    assert ring["style"] != "none" and ring["width"] >= 2 and _contrast(ring["color"]) >= 3, ring

    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=pause]:not([disabled])")
    assert _focused(page)["inTransport"], f"Play dropped the focus: {_focused(page)}"
    expect(page.get_by_test_id("play")).to_have_attribute("aria-keyshortcuts", "Alt+P")
    expect(page.locator("#shortcut")).to_contain_text("Alt")
    page.keyboard.press("Alt+KeyP")
    page.wait_for_selector("[data-testid=pause][disabled]")
    expect(page.locator("#status")).to_contain_text("Paused")
    assert _focused(page)["inTransport"], f"Pause dropped the focus: {_focused(page)}"
    # The shortcut works wherever the focus is.
    page.locator("#seed").focus()
    page.keyboard.press("Alt+KeyP")
    page.wait_for_selector("[data-testid=pause]:not([disabled])")
    page.keyboard.press("Alt+KeyP")
    page.wait_for_selector("[data-testid=pause][disabled]")
    page.recorder.assert_clean()


def test_each_chart_is_one_tab_stop_whose_toolbar_the_arrows_walk_and_offers_an_svg_download(page):
    _open(page, "/")
    stops = page.evaluate("""() => Array.from(document.querySelectorAll(".js-plotly-plot")).map((plot) =>
        [plot.id, Array.from(plot.querySelectorAll("button, a[href], input, select, [tabindex]"))
                      .filter((n) => n.tabIndex >= 0).length])""")
    assert stops and all(count == 1 for _, count in stops), stops
    buttons = page.locator("#boundary .modebar button")
    expect(page.locator("#boundary .modebar")).to_have_attribute("aria-label", re.compile("^Chart tools: "))
    first = buttons.nth(0)
    first.focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement === document.querySelectorAll('#boundary .modebar button')[1]")
    expect(buttons.nth(1)).to_have_attribute("tabindex", "0")
    expect(first).to_have_attribute("tabindex", "-1")
    # A focused toolbar is visible (Plotly shows it on hover only; it fades in).
    page.wait_for_function("() => getComputedStyle(document.querySelector('#boundary .modebar-group')).opacity === '1'")
    # Every figure offers an SVG download beside the PNG, here and on the other pages.
    page.locator("#topology").hover()
    button = page.locator("#topology .modebar-btn[data-title='Download plot as SVG']")
    expect(button).to_have_count(1)
    expect(page.locator("#topology .modebar-btn[data-title='Download plot as a PNG']")).to_have_count(1)
    with page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename == "topology.svg"
    page.goto("/activations")
    page.wait_for_selector(".plot[data-drawn=true]")
    expect(page.locator(".modebar-btn[data-title='Download plot as SVG']").first).to_be_attached()
    page.recorder.assert_clean()


@pytest.mark.parametrize(("path", "ready", "other"), [
    ("/docs", ".opblock", "/redoc"),
    ("/redoc", ".api-content", "/docs"),
])
def test_api_docs_lead_back_and_load_nothing_from_elsewhere(page, path, ready, other):
    page.goto(path)
    expect(page.locator(ready).first).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.recorder.assert_clean()  # the recorder aborts and lists any request to another host
    expect(page.locator(f'nav[aria-label=nnviz] a[href="{other}"]')).to_be_visible()
    page.get_by_role("link", name=re.compile("back to the Playground")).click()
    page.wait_for_selector("[data-testid=play]:not([disabled])")
    expect(page).to_have_url(re.compile(r"^http://[^/]+/(\?.*)?$"))
    page.recorder.assert_clean()


def test_phone_navigation_says_it_scrolls(phone):
    """On a phone the pages' links are one line that scrolls sideways: an arrow over its faded end
    says so until it is scrolled to the end."""
    phone.goto("/activations")
    nav = "document.querySelector('.site-header nav')"
    assert phone.evaluate(f"() => {nav}.scrollWidth > {nav}.clientWidth")
    arrow = "() => Number(getComputedStyle(document.querySelector('.site-header'), '::after').opacity)"
    assert phone.evaluate(arrow) == 1
    phone.evaluate(f"() => {{ {nav}.scrollLeft = {nav}.scrollWidth; }}")
    phone.wait_for_function(f"() => ({arrow})() === 0")
    phone.recorder.assert_clean()
