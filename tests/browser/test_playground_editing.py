"""Editing without losing work: limits stated and clamping said, big networks that play, links with
values out of range or data that is gone, network files opened again, and plain upload errors."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from ..waiting import wait_until
from .conftest import api
from .test_playground import _epoch, _network_id, _open

pytestmark = pytest.mark.browser


def test_the_architecture_page_takes_the_server_s_limits_and_says_when_it_clamps(page):
    limits = api(page, "GET", "/api/limits").json()
    page.goto("/architecture")
    note = page.get_by_test_id("layer-limits")
    most = limits["max_units"]
    expect(note).to_contain_text(f"Up to {limits['max_hidden_layers']} hidden layers of 1 to {most} units")
    units = page.locator("#arch-layer-0-units")
    units.fill(str(limits["max_units"]))  # the largest the server builds is taken as it is
    units.press("Enter")
    expect(units).to_have_value(str(limits["max_units"]))
    expect(page.locator("#count-neurons")).to_have_text(str(limits["max_units"] + 2))  # the [3, N, 2] preset
    units.fill(str(limits["max_units"] + 44))
    units.press("Enter")
    expect(units).to_have_value(str(limits["max_units"]))
    expect(note).to_contain_text(f"{limits['max_units'] + 44} units is outside this server's limits")
    page.recorder.assert_clean()


def test_a_link_with_values_out_of_range_uses_the_nearest_valid_ones_and_says_so(page):
    limits = api(page, "GET", "/api/limits").json()
    _open(page, f"?ds=spiral&n=99999&classes=20&layers=4-relu,{limits['max_units'] + 1}-tanh&lr=-1")
    settings = parse_qs(urlsplit(page.url).query)
    assert settings["classes"] == ["8"]  # the spiral's most
    assert settings["n"] == [str(limits["max_points"] // 8)]  # 8 classes within the points limit
    assert settings["layers"] == [f"4-relu,{limits['max_units']}-tanh"]
    message = page.locator("#train-error")
    for replaced in ("classes 20 → 8", f"points 99999 → {limits['max_points'] // 8}",
                     f"layer 2: {limits['max_units'] + 1} units → {limits['max_units']}", "learning rate -1 → 0.005"):
        expect(message).to_contain_text(replaced)
    expect(page.get_by_test_id("play")).to_be_enabled()
    page.recorder.assert_clean()


def test_a_link_whose_upload_is_gone_says_so(page, server):
    _open(page, "?ds=upload:nosuchupload&layers=4-relu")
    expect(page.locator("#train-error")).to_contain_text("uploaded data is not on this server")
    assert parse_qs(urlsplit(page.url).query)["ds"] == ["spiral"]
    expect(page.get_by_test_id("play")).to_be_enabled()
    page.recorder.assert_clean(expected_status=404)


def test_the_biggest_network_plays_in_chunks_that_fit_the_compute_limit(page):
    _open(page, "?ds=spiral&n=100&test=0.2&layers=256-relu,256-relu,256-relu&speed=0")
    jobs = []
    page.on("request", lambda request: jobs.append(request.post_data_json)
            if request.method == "POST" and request.url.endswith("/api/jobs") else None)
    page.get_by_test_id("play").click()
    wait_until(lambda: _epoch(page) > 0, what="the big network to train")
    expect(page.locator("#train-error")).to_be_hidden()
    page.get_by_test_id("pause").click()
    expect(page.locator("#status")).to_contain_text("Paused")
    limits = api(page, "GET", "/api/limits").json()
    parameters = api(page, "GET", f"/api/networks/{_network_id(page)}").json()["counts"]["parameters"]
    steps = jobs[0]["training"]["steps"]
    assert steps * 240 * parameters <= limits["max_compute"] < (steps + 1) * 240 * parameters  # 240 training points
    page.recorder.assert_clean()


def test_a_downloaded_network_opens_again(page, tmp_path):
    _open(page, "?ds=xor&layers=5-tanh&speed=0")
    page.get_by_test_id("step").click()
    wait_until(lambda: _epoch(page) == 1, what="one epoch")
    exported = api(page, "GET", page.locator("#export").get_attribute("href")).json()
    path = tmp_path / "network.json"
    path.write_text(json.dumps(exported))
    _open(page, "?ds=spiral&layers=8-relu")
    page.locator("#open-network").set_input_files(str(path))
    expect(page.locator("#status")).to_contain_text("1 steps trained")
    page.wait_for_selector("[data-testid=play]:not([disabled])")
    settings = parse_qs(urlsplit(page.url).query)
    assert settings["ds"] == ["xor"] and settings["layers"] == ["5-tanh"]
    opened = api(page, "GET", f"/api/networks/{_network_id(page)}/export").json()
    assert opened["weights"] == exported["weights"] and opened["steps_trained"] == 1
    page.recorder.assert_clean()


def test_upload_errors_in_plain_words_name_the_field_once_and_suggest_the_separator(page):
    _open(page)
    bad_csv = {"name": "bad.csv", "mimeType": "text/csv", "buffer": b"x1,x2,label\n0.5,1.0,a\n0.1,oops\n"}
    page.locator("#upload").set_input_files(bad_csv)
    error = page.locator("#train-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("line 3")
    expect(error).to_contain_text("3 values")
    # The page stays usable on the data it had.
    expect(page.get_by_test_id("play")).to_be_enabled()
    semicolons = {"name": "semi.csv", "mimeType": "text/csv", "buffer": b"x1;x2;label\n0.5;1.0;a\n0.1;2;b\n"}
    page.locator("#upload").set_input_files(semicolons)
    expect(error).to_contain_text("separated by semicolons")
    assert "file: file" not in error.inner_text() and "file: line 1" in error.inner_text()
    page.recorder.assert_clean(expected_status=422)


# The boundary's class indices (trace 0: k + 0.99·confidence) and the diagram's edges and bias squares.
PLOTS = """() => {
  const boundary = document.querySelector('#boundary')._fullData[0].z;
  const topology = document.querySelector('#topology').data;
  const trace = (test) => topology.find((t) => test(t.name || '')).customdata.filter(Boolean);
  return { z: Array.from(boundary, (row) => Array.from(row)),
           weights: trace((name) => name === 'weights'), biases: trace((name) => name.startsWith('biases')) };
}"""


def test_a_weight_and_a_bias_edited_by_keyboard_alone(page):
    _open(page)
    page.wait_for_selector("#topology[data-drawn=true]")
    before = page.evaluate(PLOTS)
    page.evaluate(f"() => {{ window.boundaryBefore = JSON.stringify(({PLOTS})().z); }}")
    # The form under the diagram: parameter, from, to, value; W1[1, 0] is x2 → h1 unit 1.
    page.locator("#edit-parameter").focus()
    expect(page.locator("#edit-parameter")).to_have_value("W1")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#edit-from")).to_have_value("1")
    page.keyboard.press("Tab")
    expect(page.locator("#edit-to")).to_be_focused()
    page.keyboard.press("Tab")
    shown = next(w[3] for w in before["weights"] if w[:3] == [1, 1, 0])
    expect(page.locator("#weight-value")).to_have_value(str(shown))  # its current value, from the export
    page.keyboard.press("Control+A")
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_contain_text("W1[1, 0] is now 5")
    page.wait_for_function(f"() => ({PLOTS})().weights.some((w) => w.join() === '1,1,0,5')")
    # The boundary is redrawn too (beside the diagram, in its own time).
    page.wait_for_function(f"() => JSON.stringify(({PLOTS})().z) !== window.boundaryBefore")
    # A bias: the output layer's (b3 of 2 hidden layers), class 0's, so large that class 0 wins everywhere.
    for _ in range(3):
        page.keyboard.press("Shift+Tab")
    expect(page.locator("#edit-parameter")).to_be_focused()
    page.keyboard.press("End")
    expect(page.locator("#edit-parameter")).to_have_value("b3")
    expect(page.locator("#edit-from")).to_be_hidden()  # a bias has no row
    page.keyboard.press("Tab")
    expect(page.locator("#edit-to")).to_be_focused()
    expect(page.locator("#edit-to option:checked")).to_have_text("output unit 1")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("100")
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_contain_text("b3[0] is now 100")
    page.wait_for_function(f"() => ({PLOTS})().biases.some((b) => b.join() === '3,0,100')")
    page.wait_for_function(f"() => Math.max(...({PLOTS})().z.flat()) < 1")  # class 0 wins everywhere
    after_bias = page.evaluate(PLOTS)
    assert [w for w in after_bias["weights"] if w[:3] == [1, 1, 0]] == [[1, 1, 0, 5]]
    page.recorder.assert_clean()
