"""Every page in a real browser: loads clean (no console errors, nothing fetched from elsewhere),
draws its figures from the API, and shows what the notes say."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from ..waiting import wait_until
from .conftest import WAIT_MS, api
from .test_access import FIGURE_BOXES, _figure_overlaps

pytestmark = pytest.mark.browser

EXPERIMENTS = ("capacity", "regularization", "activations", "dead-relu", "approximation", "case-study")


def _network_ids(page) -> set[str]:
    return {network["id"] for network in api(page, "GET", "/api/networks").json()}


def _drawn(page, minimum: int) -> None:
    """Wait until at least ``minimum`` Plotly figures are on the page."""
    expect(page.locator("[data-drawn=true] .main-svg").nth(minimum - 1)).to_be_attached()


def test_navigation_links_every_page(page):
    page.goto("/activations")
    links = page.get_by_role("navigation", name="Pages").get_by_role("link")
    expected = ["Playground", "Lesson", "Activations", "One neuron", "Architecture", "Experiments", "Sweeps",
                "Classes", "REST API"]
    assert links.all_inner_texts() == expected
    expect(page.get_by_role("link", name="Activations")).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name="Architecture").click()
    expect(page).to_have_url(re.compile(r"/architecture$"))
    # The API panel: a runnable curl command for each call, with a copy button.
    command = page.locator(".api-call-item pre").first
    expect(command).to_contain_text("curl -X POST")
    expect(command).to_contain_text("/api/networks")
    page.wait_for_load_state("networkidle")  # the page's calls are listed: no later one takes the first place
    page.locator(".api-call-item button").first.click()
    expect(page.locator(".api-call-item button").first).to_have_text(re.compile(r"Copied|Selected"))
    page.recorder.assert_clean()


def test_playground_draws_every_figure_from_versioned_scripts_and_styles(page, screenshot):
    page.goto("/")
    _drawn(page, 3)  # boundary, neuron maps, topology (the curves wait for training)
    assets = [urlsplit(url).path for url in page.recorder.requests if "/static/" in url or "/vendor/" in url]
    assert all(re.fullmatch(r"/(static|vendor)/[0-9a-f]{12}/.+", path) for path in assets), assets
    # The page's module and those it imports (./api.js ...) from the same version, and plotly.js.
    assert {"playground.js", "api.js", "ui.js", "layers.js", "live.js", "style.css", "plotly.min.js"} <= {
        path.rsplit("/", 1)[1] for path in assets}
    assert len({path.split("/")[2] for path in assets if path.startswith("/static/")}) == 1
    expect(page.locator(".dataset-thumb")).to_have_count(11)  # ten generators and the upload
    for kind in ("spiral", "circle", "xor", "gauss", "moons", "linear", "sine", "plane"):
        expect(page.locator(f".dataset-thumb[data-name={kind}]")).to_be_visible()
    expect(page.locator("#api-call-list")).to_contain_text("/api/networks")
    page.wait_for_load_state("networkidle")
    screenshot(page, "playground")
    page.recorder.assert_clean()


def test_activations_gallery(page, screenshot):
    page.goto("/activations")
    headings = page.locator("#gallery h2")
    expect(headings.first).to_have_text("Sigmoid")
    names = headings.all_inner_texts()
    for name in ("Sigmoid", "tanh", "ReLU", "Leaky ReLU", "PReLU", "Maxout"):
        assert name in names
    _drawn(page, len(names))
    expect(page.locator("#card-sigmoid .verdict")).to_contain_text("saturat")
    expect(page.locator("#card-relu")).to_contain_text("die")
    # The tanh = 2σ(2x) − 1 overlay is a separate trace in the tanh figure.
    expect(page.locator("#plot-tanh .legend")).to_contain_text("2σ(2x)")
    page.wait_for_load_state("networkidle")
    screenshot(page, "activations")
    page.locator("#identity").uncheck()
    expect(page.locator("#plot-tanh .legend")).not_to_contain_text("2σ(2x)")
    # The leaky ReLU slope control redraws with the new slope.
    page.locator("#slope").fill("0.3")
    expect(page.locator("#plot-leaky_relu")).to_contain_text("0.3")
    # Maxout's pieces are editable: a new weight redraws the figure with that piece.
    weight = page.get_by_label("piece 2 weight")
    expect(weight).to_be_enabled()
    weight.fill("0.25")
    expect(page.locator("#plot-maxout .legend")).to_contain_text("0.25")
    page.recorder.assert_clean()


def test_architecture_presets_and_forward_pass(page, screenshot):
    before = _network_ids(page)
    page.goto("/architecture")
    expect(page.get_by_test_id("param-count")).to_have_text("26")
    expect(page.get_by_test_id("neuron-count")).to_have_text("6")
    page.get_by_role("button", name="[3, 4, 4, 1]").click()
    expect(page.get_by_test_id("param-count")).to_have_text("41")
    expect(page.get_by_test_id("neuron-count")).to_have_text("9")
    expect(page.get_by_test_id("weight-count")).to_have_text("32")
    expect(page.get_by_test_id("bias-count")).to_have_text("9")
    # The forward pass of the 3-layer net: W1 [4×3], W2 [4×4], W3 [1×4].
    rows = page.locator("#forward-table tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(1)).to_contain_text("4 × 3")
    expect(rows.nth(2)).to_contain_text("4 × 4")
    expect(rows.nth(3)).to_contain_text("1 × 4")
    page.locator("#forward-input").fill("1, 2")
    expect(page.locator("#forward-error")).to_contain_text("3")
    page.locator("#forward-input").fill("1, 0, -1")
    expect(page.locator("#forward-error")).to_be_hidden()
    _drawn(page, 2)
    page.locator("#arch-layer-0-units").fill("7")
    page.locator("#arch-layer-0-units").press("Enter")
    expect(page.get_by_test_id("param-count")).to_have_text(str(3 * 7 + 7 * 4 + 4 + 7 + 4 + 1))
    page.wait_for_load_state("networkidle")
    screenshot(page, "architecture")
    # Counting, drawing and tracing as you type stores nothing.
    assert _network_ids(page) == before
    assert not any(url.endswith("/api/networks") for url in page.recorder.requests)
    page.recorder.assert_clean(expected_status=422)  # the 2-value input, answered inline


def test_neuron_page_trains_and_regularization_shrinks_weights(page, screenshot):
    before = _network_ids(page)
    page.goto("/neuron")
    _drawn(page, 2)
    for value in ("2", "-3", "0.5"):  # moving a slider redraws from w and b alone
        page.locator("#w1").fill(value)
    expect(page.locator("#output-reading")).to_contain_text("0.5·x1")
    assert _network_ids(page) == before
    page.get_by_test_id("train").click()
    rows = page.locator("#weights-table tbody tr")
    expect(rows).to_have_count(1)
    page.locator("#reg").fill("7")  # λ = 1
    expect(rows).to_have_count(2)
    norms = [float(rows.nth(i).locator("td").nth(6).inner_text()) for i in range(2)]
    assert norms[1] < norms[0], f"‖w‖ did not shrink with λ: {norms}"
    # Each row names the data set it was trained on.
    expect(page.locator("#weights-table th").first).to_have_text("data set")
    assert rows.nth(0).locator("td").first.inner_text() == rows.nth(1).locator("td").first.inner_text() == "linear"
    _drawn(page, 3)
    # The classifier panel draws the line w·x + b = 0 its heading promises.
    assert "w·x + b = 0" in page.evaluate("document.querySelector('#classifier-plot').data.map((t) => t.name)")
    # Arrow keys move λ one step per press; training starts once it settles, not once per press.
    def jobs() -> int:
        return sum(url.endswith("/api/jobs?wait=true") for url in page.recorder.requests)

    started = jobs()
    page.locator("#reg").focus()
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    expect(rows).to_have_count(3)
    expect(page.locator("#reg-value")).to_have_text("0.03")
    expect(rows.nth(2).locator("td").nth(2)).to_have_text("0.03")
    assert jobs() - started < 3, f"{jobs() - started} trainings for 3 key presses"
    wait_until(lambda: _network_ids(page) == before, what="each training's network deleted once read")
    assert not any("/api/networks/import" in url for url in page.recorder.requests)
    page.wait_for_load_state("networkidle")
    screenshot(page, "neuron")
    page.recorder.assert_clean()


def _experiments_drawn(page) -> None:
    """Open the Experiments page and wait until every card shows its kept result."""
    page.goto("/experiments")
    for name in EXPERIMENTS:  # no click: each card shows the result the server keeps
        card = page.locator(f"#exp-{name}")
        # On first use the server computes all six as batch work: minutes on a busy machine.
        expect(card.locator(".summary")).to_be_visible(timeout=5 * WAIT_MS)
        expect(card.locator(".plot .main-svg").first).to_be_attached()
        expect(card.locator("table tbody tr").first).to_be_attached()
    page.wait_for_load_state("networkidle")


def test_experiments_show_kept_results_and_run_again(page, phone, screenshot):
    _experiments_drawn(page)
    # Nothing in a figure covers another part of it (the boundary comparisons' titles and axis
    # titles above all), on a wide screen and on a phone.
    assert _figure_overlaps(page.evaluate(FIGURE_BOXES)) == []
    _experiments_drawn(phone)
    assert _figure_overlaps(phone.evaluate(FIGURE_BOXES)) == []
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390, "the page scrolls sideways"
    phone.recorder.assert_clean()
    expect(page.locator("#exp-case-study .summary")).to_contain_text("49.")
    expect(page.locator("#exp-case-study table")).to_contain_text("10,000")  # steps, never 1.00e+4
    accuracy = page.locator("#exp-capacity table tbody tr").first.locator("td").nth(3)
    # The mean over the seeds, and under it their range.
    expect(accuracy).to_have_text(re.compile(r"^\d{1,3}\.\d %(\d{1,3}\.\d % – \d{1,3}\.\d %|every seed)$"))
    expect(page.locator("#exp-capacity table caption")).to_have_text(re.compile(r"^Means over 5 seeds"))
    for name in ("capacity", "regularization"):  # the held-out score over the seeds, in a band
        expect(page.locator(f"#exp-{name} .plot.bands .main-svg").first).to_be_attached()
    expect(page.locator("#exp-capacity .sweep-link a")).to_have_attribute(
        "href", re.compile(r"^/sweeps\?ds=moons.*&vary=network.hidden%5B0%5D.units%3A3%2C6%2C20"))
    # Run again: the case study, the experiment of fewest steps (10,200), as the person's own job.
    page.get_by_test_id("run-case-study").click()
    card = page.locator("#exp-case-study")
    expect(card.locator(".status-line")).to_contain_text("Done in", timeout=5 * WAIT_MS)
    expect(card.locator(".summary")).to_contain_text("49.")
    page.wait_for_load_state("networkidle")
    screenshot(page, "experiments")
    page.recorder.assert_clean()
