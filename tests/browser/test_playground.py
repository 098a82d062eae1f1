"""The Playground in a real browser: live training, the transport buttons, the URL, click-to-add."""

from __future__ import annotations

import re
import time
from functools import partial
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from app.services.worker import ramp_steps

from ..waiting import wait_until
from .conftest import WAIT_MS, api

pytestmark = pytest.mark.browser


def _epoch(page) -> float:
    return float(page.get_by_test_id("epoch").inner_text())


def _updates(page) -> int:
    """How often the boundary was redrawn from the job's live frames."""
    return int(page.get_attribute("#boundary", "data-updates") or 0)


def _open(page, query: str = "") -> None:
    page.goto(f"/{query}")
    # Ready: the network exists (Play is enabled) and the boundary of the untrained network is drawn.
    page.wait_for_selector("[data-testid=play]:not([disabled])")
    page.wait_for_selector("#boundary[data-drawn=true]")


def test_play_pause_step_reset(page, screenshot):
    _open(page, "?ds=spiral&layers=8-relu,8-relu&opt=adam&lr=0.01")
    assert page.get_by_test_id("epoch").inner_text() == "0"
    assert page.get_by_test_id("train-loss").inner_text() == "—"

    page.get_by_test_id("play").click()
    wait_until(lambda: _epoch(page) > 0 and page.get_by_test_id("train-loss").inner_text() != "—"
               and _updates(page) > 0, what="the epoch, the loss and the boundary to follow the job's events")
    epoch_playing, updates = _epoch(page), _updates(page)
    print(f"\nboundary updates while playing: {updates}, "
          f"{page.get_attribute('#boundary', 'data-updates-per-second')} per second")

    page.get_by_test_id("pause").click()
    page.wait_for_selector("[data-testid=pause][disabled]")
    expect(page.locator("#status")).to_contain_text("Paused")
    print(f"pause: the cancel request took {page.get_attribute('[data-testid=pause]', 'data-latency-ms')} ms")
    epoch_paused = _epoch(page)
    loss_paused = page.get_by_test_id("train-loss").inner_text()
    assert epoch_paused >= epoch_playing
    # Nothing may move after Pause: a while of watching can only miss a late change, never invent one.
    page.wait_for_timeout(1000)
    assert _epoch(page) == epoch_paused, "the epoch moved after Pause"
    assert page.get_by_test_id("train-loss").inner_text() == loss_paused, "the loss moved after Pause"
    for figure in ("training", "dead-units", "update-ratio", "hidden-space", "neurons", "topology"):
        expect(page.locator(f"#{figure}[data-drawn=true] .main-svg").first).to_be_attached()
    screenshot(page, "playground-trained")
    exported = api(page, "GET", page.locator("#export").get_attribute("href")).json()
    assert exported["format"] == "nnviz-network"
    assert exported["steps_trained"] == epoch_paused  # full batch: one step per epoch

    page.get_by_test_id("step").click()
    wait_until(lambda: _epoch(page) > epoch_paused, what="the step")
    assert _epoch(page) == pytest.approx(epoch_paused + 1)

    # From the keyboard: focus Reset and press Enter.
    page.get_by_test_id("reset").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("epoch")).to_have_text("0")
    page.wait_for_selector("[data-testid=play]:not([disabled])")
    assert page.get_by_test_id("train-loss").inner_text() == "—"
    assert any("/events" in url for url in page.recorder.requests), "the page did not follow the job's events"
    page.recorder.assert_clean()


# The boundary shows no test points and, per class, one colour for every confidence.
TOGGLES_APPLIED = """() => { const gd = document.querySelector('#boundary');
  if (!gd.dataset.drawn || !gd.data.length) return false;
  const tests = gd.data.filter((t) => /\\(test\\)$|^test /.test(t.name || ''));
  const scale = gd.data[0].colorscale;
  return tests.length > 0 && tests.every((t) => t.visible === false)
    && scale.every((stop, k) => k % 2 === 1 || stop[1] === scale[k + 1][1]); }"""


def test_url_restores_the_settings(page, browser, server):
    _open(page)
    page.locator(".dataset-thumb[data-name=xor]").click()
    expect(page).to_have_url(re.compile(r"ds=xor"))
    # The address changes at once; the xor data (two classes) and its network arrive later.
    # A network change before then is another test's subject (below).
    expect(page.locator("#class-picker input[name=add-class]")).to_have_count(2)
    expect(page.get_by_test_id("play")).to_be_enabled()
    page.get_by_role("button", name="+ Add a hidden layer").click()
    page.locator("#pg-layer-2-units").fill("5")
    page.locator("#pg-layer-2-units").press("Enter")
    page.locator("#pg-layer-2-activation").select_option("tanh")
    page.locator("#lr").select_option("0.03")
    page.locator("#lam").select_option("0.01")
    page.locator("#optimizer").select_option("momentum")
    page.locator("#test").select_option("0.3")
    expect(page).to_have_url(re.compile(r"lam=0\.01.*&test=0\.3|test=0\.3.*&lam=0\.01"))
    page.get_by_label("Show test data").uncheck()
    page.get_by_label("Discretize output").check()
    expect(page).to_have_url(re.compile(r"showtest=0&discrete=1"))
    page.wait_for_selector("[data-testid=play]:not([disabled])")
    url = page.url
    settings = parse_qs(urlsplit(url).query)
    assert settings["layers"] == ["8-relu,8-relu,5-tanh"]

    copy = browser.new_page(viewport={"width": 1280, "height": 900})
    copy.set_default_timeout(WAIT_MS)
    copy.goto(url)
    copy.wait_for_selector("[data-testid=play]:not([disabled])")
    assert copy.locator(".dataset-thumb[data-name=xor]").get_attribute("aria-pressed") == "true"
    assert copy.locator("#pg-layer-2-units").input_value() == "5"
    assert copy.locator("#pg-layer-2-activation").input_value() == "tanh"
    assert copy.locator("#lr").input_value() == "0.03"
    assert copy.locator("#lam").input_value() == "0.01"
    assert copy.locator("#optimizer").input_value() == "momentum"
    assert copy.locator("#test").input_value() == "0.3"
    expect(copy.get_by_label("Show test data")).not_to_be_checked()
    expect(copy.get_by_label("Discretize output")).to_be_checked()
    # The plot follows them: the test points hidden, each class's region one colour.
    copy.wait_for_function(TOGGLES_APPLIED)
    assert parse_qs(urlsplit(copy.url).query) == settings
    copy.close()
    page.recorder.assert_clean()


def test_a_network_change_while_new_data_loads(page):
    _open(page)  # the spiral: three classes
    # The new data's answer held back, as by a busy server, until the layer has been added.
    held = []
    page.route("**/api/datasets/preview", lambda route: held.append(route))
    with page.expect_request("**/api/datasets/preview"):
        page.locator(".dataset-thumb[data-name=xor]").click()  # two classes
    page.get_by_role("button", name="+ Add a hidden layer").click()
    assert len(held) == 1, "the new data's request was not held"
    held[0].continue_()
    page.unroute("**/api/datasets/preview")
    expect(page.locator("#class-picker input[name=add-class]")).to_have_count(2)
    expect(page.get_by_test_id("play")).to_be_enabled()
    network = api(page, "GET", f"/api/networks/{_network_id(page)}").json()
    assert network["spec"]["output_dim"] == 2 and len(network["spec"]["hidden"]) == 3
    page.recorder.assert_clean()


def _network_id(page) -> str:
    return re.search(r"/api/networks/(\w+)/export", page.locator("#export").get_attribute("href")).group(1)


def _added_points(page) -> list[list[float]]:
    """The added points in the address bar: "x1_x2_class_…"."""
    values = [float(v) for v in parse_qs(urlsplit(page.url).query).get("pts", [""])[0].split("_") if v]
    return [values[i:i + 3] for i in range(0, len(values), 3)]


def _stored_points(page, network_id: str) -> list:
    return (api(page, "GET", f"/api/networks/{network_id}").json()["data"] or {}).get("points", [])


def test_click_adds_a_point(page):
    _open(page, "?ds=gauss&n=50&noise=0.2&classes=2&test=0")
    spec = {"name": "gauss", "n_per_class": 50, "classes": 2, "noise": 0.2, "seed": 0}
    before = api(page, "POST", "/api/datasets/preview", data=spec).json()
    network_id = _network_id(page)
    page.locator("#class-picker input[name=add-class][value='1']").check()
    box = page.locator("#boundary .nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    expect(page.get_by_test_id("added-count")).to_have_text("1 added")
    (point,) = _added_points(page)
    assert point[2] == 1 and abs(point[0]) < 0.5 and abs(point[1]) < 0.5  # about the middle of the plot
    after = api(page, "POST", "/api/datasets/preview", data=spec | {"points": [point]}).json()
    assert after["train"]["X"] == before["train"]["X"] + [point[:2]]
    assert after["train"]["y"].count(1) == before["train"]["y"].count(1) + 1
    # Still the generator's data set, not an upload: points, noise and classes stay editable.
    assert parse_qs(urlsplit(page.url).query)["ds"] == ["gauss"]
    for control in ("#points", "#noise", "#classes"):
        expect(page.locator(control)).to_be_enabled()
    wait_until(lambda: _stored_points(page, network_id) == [point], what="the point stored with the same network")
    assert _network_id(page) == network_id

    # From the keyboard: type the coordinates of a class-0 point.
    page.locator("#class-picker input[name=add-class][value='0']").check()
    page.locator("#add-x1").fill("0.25")
    page.locator("#add-x2").fill("-0.5")
    page.locator("#add-x2").press("Enter")
    expect(page.get_by_test_id("added-count")).to_have_text("2 added")
    assert _added_points(page) == [point, [0.25, -0.5, 0]]
    wait_until(lambda: _stored_points(page, network_id) == [point, [0.25, -0.5, 0]], what="both points stored")

    # The address holds them: a copy of the page starts with both.
    copy = page.context.new_page()
    copy.goto(page.url)
    expect(copy.get_by_test_id("added-count")).to_have_text("2 added")
    copy.close()
    page.locator("#clear-points").click()
    expect(page.get_by_test_id("added-count")).to_have_text("")
    assert "pts=" not in page.url
    wait_until(lambda: _stored_points(page, network_id) == [], what="the points cleared on the server")
    page.recorder.assert_clean()


def test_quick_clicks_while_playing_add_every_point_and_keep_training(page, screenshot):
    _open(page, "?ds=gauss&n=50&noise=0.2&classes=2&test=0&layers=4-relu&speed=300")
    network_id = _network_id(page)
    page.get_by_test_id("play").click()
    wait_until(lambda: _epoch(page) >= 5, what="5 epochs")
    epoch_before = _epoch(page)
    box = page.locator("#boundary .nsewdrag").first.bounding_box()
    for share in (0.3, 0.5, 0.7):  # three clicks in quick succession
        page.mouse.click(box["x"] + box["width"] * share, box["y"] + box["height"] * share)
    expect(page.get_by_test_id("added-count")).to_have_text("3 added")
    assert len(_added_points(page)) == 3

    epochs = []

    def trained_on_with_all_three() -> bool:
        epochs.append(_epoch(page))
        return len(_stored_points(page, network_id)) == 3 and epochs[-1] > epoch_before + 5

    wait_until(trained_on_with_all_three, what="5 more epochs on all three points")
    assert min(epochs) >= epoch_before, f"the epoch counter went back: {epochs}"
    expect(page.get_by_test_id("pause")).to_be_enabled()  # still playing, the same network
    assert _network_id(page) == network_id
    screenshot(page, "playground-added-points")
    page.get_by_test_id("pause").click()
    page.wait_for_selector("[data-testid=pause][disabled]")
    exported = api(page, "GET", f"/api/networks/{network_id}/export").json()
    assert exported["steps_trained"] >= epochs[-1] and len(exported["data"]["points"]) == 3
    page.recorder.assert_clean()


MISFIT = "?ds=gauss&classes=2&pts=0.1_0.2_5"  # no class 5 in a two-class set


def test_added_points_that_do_not_fit_are_dropped_and_the_message_stays(page, server):
    _open(page, MISFIT)
    # Once ready the page is still: the message must be there to read, not only while the data reloads.
    assert "points[0]" in page.locator("#train-error").inner_text()
    expect(page.get_by_test_id("added-count")).to_have_text("")
    assert "pts=" not in page.url
    assert page.recorder.failed_responses == [f"422 POST {server}/api/datasets/preview"]
    page.recorder.assert_clean(expected_status=422)


def test_a_kept_network_survives_reset(page):
    _open(page, "?ds=xor&layers=4-relu")
    network_id = _network_id(page)
    page.locator("#keep-name").fill("my xor net")
    page.locator("#keep-name").press("Enter")
    expect(page.locator("#status")).to_contain_text("my xor net")
    expect(page.locator("#keep")).to_be_hidden()
    page.get_by_test_id("reset").click()
    wait_until(lambda: _network_id(page) != network_id, what="a new network")
    page.wait_for_selector("[data-testid=play]:not([disabled])")
    kept = api(page, "GET", f"/api/networks/{network_id}")
    assert kept.status == 200 and kept.json()["name"] == "my xor net"
    page.recorder.assert_clean()


def test_speed_paces_the_training(page):
    pace = 100
    _open(page, f"?ds=gauss&layers=4-relu&speed={pace}")
    expect(page.locator("#speed")).to_have_value(str(pace))
    pressed = time.monotonic()
    page.get_by_test_id("play").click()
    wait_until(lambda: _epoch(page) >= 20, what="20 paced epochs")
    page.get_by_test_id("pause").click()
    expect(page.locator("#status")).to_contain_text("Paused")
    elapsed = time.monotonic() - pressed
    # Full batch: one step per epoch. The job takes step n no earlier than (n - 1) / pace seconds
    # after its first, however slow the machine; at full speed this network runs thousands a second.
    assert 20 <= _epoch(page) <= pace * elapsed + 1, (_epoch(page), elapsed)
    page.recorder.assert_clean()


def _boundary(page, expression: str):
    """``expression`` evaluated on the boundary plot's figure (``gd``: its div, with Plotly's ``data``)."""
    # The server's arrays arrive as typed arrays ({dtype: "f4", bdata: base64}), restyled ones as lists.
    return page.evaluate("(() => { const gd = document.getElementById('boundary');"
                         " const length = (a) => a.length ?? atob(a.bdata).length / Number(a.dtype.slice(1));"
                         f" return {expression}; }})()")


def _overlay(page) -> tuple[str, int, int, int]:
    """What the boundary plot shows: (the subtitle's scores, × markers drawn, the count in their
    legend entry (the trace's name: the legend is under the plot on a phone only), points drawn).
    While playing, the × are painted on the canvas over the points (``data-crosses``: how many), the
    trace's own markers out of sight; at rest, the trace's markers."""
    return tuple(_boundary(page, """[
        gd.layout.title.text.replace(/.*<span[^>]*>|<\\/span>.*/g, ""),
        ((trace) => (trace.hoverinfo !== "skip" ? length(trace.x) : Number(gd.dataset.crosses || 0)))(
            gd.data.find((t) => t.legendgroup === "misclassified")),
        ((trace) => Number(trace.name.match(/\\d+/)[0]))(gd.data.find((t) => t.legendgroup === "misclassified")),
        gd.data.filter((t) => (t.legendgroup || "").startsWith("class-")).reduce((n, t) => n + length(t.x), 0),
    ]"""))


def test_the_overlay_follows_the_live_frames(page):
    _open(page, "?ds=spiral&test=0&layers=8-tanh&opt=adam&lr=0.01&speed=0")
    before = _overlay(page)
    page.get_by_test_id("play").click()

    def changed_while_playing(*, crosses_painted: bool | None):
        score, crosses, counted, points = _overlay(page)
        playing = page.get_by_test_id("pause").is_enabled()
        painted = _boundary(page, "gd.dataset.crosses !== undefined")
        shown = crosses_painted in (None, painted)
        return playing and score != before[0] and shown and (score, crosses, counted, points)

    # From the first change on (the first frame's × are the markers' trace, soon after painted), and
    # once they are painted.
    for crosses_painted in (None, True):
        score, crosses, counted, points = wait_until(partial(changed_while_playing, crosses_painted=crosses_painted),
                                                     what=f"the scores to change while playing ({crosses_painted=})")
        # The legend counts the × drawn, and the training accuracy is the share of points without one.
        assert counted == crosses
        accuracy = float(re.search(r"train ([\d.]+) %", score).group(1))
        assert accuracy == pytest.approx(100 * (1 - crosses / points), abs=0.051)
    page.get_by_test_id("pause").click()
    page.wait_for_selector("[data-testid=pause][disabled]")
    page.recorder.assert_clean()


def test_by_default_play_starts_slow_at_step_one(page):
    jobs = []
    page.on("request", lambda request: jobs.append(request.post_data_json)
            if request.method == "POST" and request.url.endswith("/api/jobs") else None)
    _open(page, "?ds=spiral&layers=8-relu,8-relu")
    assert page.locator("#speed").input_value() == "ramp"
    pressed = time.monotonic()
    page.get_by_test_id("play").click()
    first = wait_until(lambda: _epoch(page), what="the first step")
    seconds = time.monotonic() - pressed
    # Full batch: an epoch is a step. The ramp never allows more than ramp_steps(t) by t seconds after
    # the job's start (later than the click): tens of steps in the first second, where full speed
    # would be thousands.
    assert 0 < first <= ramp_steps(seconds) + 1, (first, seconds)
    wait_until(lambda: _epoch(page) > 5 * first, what="the pace to pick up")
    assert jobs[0]["live"]["ramp"] is True
    page.get_by_test_id("pause").click()
    page.wait_for_selector("[data-testid=pause][disabled]")
    page.recorder.assert_clean()


def test_a_plain_warning_under_the_plot(page):
    _open(page, "?ds=spiral&layers=8-relu&speed=0&lr=10&opt=sgd")
    for rate, advice in (("10", "lower the learning rate"), ("0.00001", "raise the learning rate")):
        if page.locator("#lr").input_value() != rate:  # after Reset: a new, untrained network
            page.locator("#lr").select_option(rate)
            expect(page).to_have_url(re.compile(rf"lr={re.escape(rate)}(&|$)"))
        expect(page.get_by_test_id("advice")).to_be_hidden()
        page.get_by_test_id("play").click()
        expect(page.get_by_test_id("advice")).to_contain_text(advice)
        page.get_by_test_id("reset").click()
        expect(page.get_by_test_id("advice")).to_be_hidden()
    page.recorder.assert_clean()


def test_waiting_for_a_free_worker_says_so(page):
    _open(page, "?ds=gauss&layers=4-relu&speed=0")
    # A person's four jobs run at once (NNVIZ_PERSON_RUNNING_JOBS); four slow ones fill them.
    slow = {"network": {"input_dim": 2, "output_dim": 2, "hidden": [{"units": 2}]},
            "data": {"name": "gauss", "n_per_class": 10}, "training": {"steps": 5_000},
            "live": {"steps_per_second": 10}}  # 500 s: a paced job may run 600 (NNVIZ_MAX_PACED_SECONDS)
    blockers = [api(page, "POST", "/api/jobs", data=slow).json()["id"] for _ in range(4)]
    try:
        page.get_by_test_id("play").click()
        expect(page.locator("#status")).to_have_text("Waiting for a free worker (position 1)…")
        assert _epoch(page) == 0
        api(page, "POST", f"/api/jobs/{blockers[0]}/cancel")
        expect(page.locator("#status")).to_have_text("Training…")
        wait_until(lambda: _epoch(page) > 0, what="the job to start")
    finally:
        for job_id in blockers:
            api(page, "POST", f"/api/jobs/{job_id}/cancel")
    page.get_by_test_id("pause").click()
    page.wait_for_selector("[data-testid=pause][disabled]")
    page.recorder.assert_clean()


def _followed(page) -> dict[str, list]:
    """What the figures that follow the frames show now: the neuron maps' pictures (the heatmaps'
    own, painted anew), the edges' and bias squares' values, some of the hidden-space view's coordinates."""
    return page.evaluate("""() => {
        const traces = (id, has) => document.getElementById(id).data.filter((t) => t.meta && has(t.meta));
        return {
            neurons: Array.from(document.querySelectorAll("#neurons g.hm image"), (p) => p.getAttribute("href")),
            topology: Array.from(traces("topology", (m) => m.edge_ends)[0].marker.color),
            biases: Array.from(document.getElementById("topology").data
                .find((t) => (t.name || "").startsWith("biases")).marker.color),
            "hidden-space": traces("hidden-space", (m) => m.hidden_rows).map((t) => t.x[30]),
        };
    }""")


def test_the_charts_follow_the_frames_between_redraws(page):
    # The charts below the first screen follow the frames while in view: a window tall enough for all.
    page.set_viewport_size({"width": 1280, "height": 4000})
    _open(page, "?ds=spiral&layers=8-relu,8-tanh&speed=0")
    page.wait_for_selector("#hidden-space[data-drawn=true]")
    page.get_by_test_id("play").click()
    curves = ("training", "dead-units", "update-ratio")
    followed = ("neurons", "topology", "hidden-space")

    def updates(ids) -> list[int]:
        return [int(page.get_attribute(f"#{plot}", "data-updates") or 0) for plot in ids]

    # From the first update on (before it the curves have no stored history to extend).
    first = wait_until(lambda: min(counts := updates(curves + followed)) >= 1 and counts, what="each chart updated")
    shown = _followed(page)
    began = time.monotonic()

    def five_more() -> list[int]:
        counts = updates(curves + followed)
        return min(c - f for c, f in zip(counts, first)) >= 5 and counts

    counts = wait_until(five_more, what="each chart updated five times more")
    elapsed = time.monotonic() - began
    now = _followed(page)
    for plot in (*followed, "biases"):
        assert now[plot] != shown[plot], f"{plot} did not change while playing"
    rates = ", ".join(f"{c} {(n - f) / elapsed:.1f}/s" for c, n, f in zip(curves + followed, counts, first))
    boundary = page.get_attribute("#boundary", "data-updates-per-second")
    print(f"\nchart updates while playing: {rates}, boundary {boundary}/s")
    page.get_by_test_id("pause").click()
    page.wait_for_selector("[data-testid=pause][disabled]")
    page.recorder.assert_clean()


def test_every_data_set_plays_with_no_console_error(page):
    """Each generator's frames (classes, 1-D and 2-D regression) are drawn live without an error."""
    names = [d["name"] for d in api(page, "GET", "/api/datasets").json()]
    assert {"spiral", "sine", "plane"} <= set(names)
    for name in names:
        _open(page, f"?ds={name}&layers=4-tanh")
        page.get_by_test_id("play").click()
        wait_until(lambda: _epoch(page) > 0 and _updates(page) > 1, what=f"{name}: live frames drawn")
        page.get_by_test_id("pause").click()
        page.wait_for_selector("[data-testid=pause][disabled]")
        page.recorder.assert_clean()


def test_an_address_naming_a_network_that_is_gone_says_so_after_the_page_is_ready(page):
    _open(page, "?network=0123456789abcdef")
    # Said once the page is ready, so the reset that starts a new network does not clear it.
    expect(page.locator("#train-error")).to_contain_text("0123456789abcdef, which is not on this server for you")
    expect(page.locator("#train-error")).to_be_visible()
    page.recorder.assert_clean(expected_status=404)
