"""The Playground in a real browser: live training, the transport buttons, the URL, click-to-add."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _epoch(page) -> float:
    return float(page.get_by_test_id("epoch").inner_text())


def _wait_until(page, condition, timeout_ms: int = 10_000) -> None:
    """Poll ``condition()`` from Python (the pages' Content-Security-Policy forbids evaluating strings)."""
    for _ in range(timeout_ms // 100):
        if condition():
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"timed out after {timeout_ms} ms")


def _open(page, query: str = "") -> None:
    page.goto(f"/{query}")
    # Ready: the network exists (Play is enabled) and the boundary of the untrained network is drawn.
    page.wait_for_selector("[data-testid=play]:not([disabled])", timeout=20_000)
    page.wait_for_selector("#boundary[data-drawn=true]", timeout=20_000)


def test_play_pause_step_reset(page, screenshot):
    _open(page, "?ds=spiral&layers=8-relu,8-relu&opt=adam&lr=0.01")
    assert page.get_by_test_id("epoch").inner_text() == "0"
    assert page.get_by_test_id("train-loss").inner_text() == "—"

    page.get_by_test_id("play").click()
    page.wait_for_timeout(2000)
    epoch_playing = _epoch(page)
    loss_playing = page.get_by_test_id("train-loss").inner_text()
    assert epoch_playing > 0
    assert loss_playing != "—"
    updates = int(page.get_attribute("#boundary", "data-updates") or 0)
    assert updates > 0, "the boundary was never updated from the job's events"
    print(f"\nboundary updates while playing: {updates}, "
          f"{page.get_attribute('#boundary', 'data-updates-per-second')} per second")

    page.get_by_test_id("pause").click()
    page.wait_for_selector("[data-testid=pause][disabled]")
    expect(page.locator("#status")).to_contain_text("Paused")
    print(f"pause: the cancel request took {page.get_attribute('[data-testid=pause]', 'data-latency-ms')} ms")
    epoch_paused = _epoch(page)
    loss_paused = page.get_by_test_id("train-loss").inner_text()
    assert epoch_paused >= epoch_playing
    page.wait_for_timeout(800)
    assert _epoch(page) == epoch_paused, "the epoch moved after Pause"
    assert page.get_by_test_id("train-loss").inner_text() == loss_paused, "the loss moved after Pause"
    for figure in ("training", "dead-units", "update-ratio", "hidden-space", "neurons", "topology"):
        expect(page.locator(f"#{figure}[data-drawn=true] .main-svg").first).to_be_attached()
    screenshot(page, "playground-trained")
    exported = page.request.get(page.locator("#export").get_attribute("href")).json()
    assert exported["format"] == "nnviz-network"
    assert exported["steps_trained"] >= epoch_paused  # full batch: one step per epoch

    page.get_by_test_id("step").click()
    _wait_until(page, lambda: _epoch(page) > epoch_paused)
    assert _epoch(page) == pytest.approx(epoch_paused + 1)

    # From the keyboard: focus Reset and press Enter.
    page.get_by_test_id("reset").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("epoch")).to_have_text("0")
    page.wait_for_selector("[data-testid=play]:not([disabled])")
    assert page.get_by_test_id("train-loss").inner_text() == "—"
    assert any("/events" in url for url in page.recorder.requests), "the page did not follow the job's events"
    page.recorder.assert_clean()


def test_url_restores_the_settings(page, browser, server):
    _open(page)
    page.locator(".dataset-thumb[data-name=xor]").click()
    expect(page).to_have_url(re.compile(r"ds=xor"))
    page.get_by_role("button", name="+ Add a hidden layer").click()
    page.locator("#pg-layer-2-units").fill("5")
    page.locator("#pg-layer-2-units").press("Enter")
    page.locator("#pg-layer-2-activation").select_option("tanh")
    page.locator("#lr").select_option("0.03")
    page.locator("#lam").select_option("0.01")
    page.locator("#optimizer").select_option("momentum")
    page.locator("#test").select_option("0.3")
    expect(page).to_have_url(re.compile(r"lam=0\.01.*&test=0\.3|test=0\.3.*&lam=0\.01"))
    page.wait_for_selector("[data-testid=play]:not([disabled])")
    url = page.url
    settings = parse_qs(urlsplit(url).query)
    assert settings["layers"] == ["8-relu,8-relu,5-tanh"]

    copy = browser.new_page(viewport={"width": 1280, "height": 900})
    copy.goto(url)
    copy.wait_for_selector("[data-testid=play]:not([disabled])", timeout=20_000)
    assert copy.locator(".dataset-thumb[data-name=xor]").get_attribute("aria-pressed") == "true"
    assert copy.locator("#pg-layer-2-units").input_value() == "5"
    assert copy.locator("#pg-layer-2-activation").input_value() == "tanh"
    assert copy.locator("#lr").input_value() == "0.03"
    assert copy.locator("#lam").input_value() == "0.01"
    assert copy.locator("#optimizer").input_value() == "momentum"
    assert copy.locator("#test").input_value() == "0.3"
    assert parse_qs(urlsplit(copy.url).query) == settings
    copy.close()
    page.recorder.assert_clean()


def test_click_adds_a_point(page):
    _open(page, "?ds=gauss&n=50&noise=0.2&classes=2&test=0")
    before = page.request.post("/api/datasets/preview", data={"name": "gauss", "n_per_class": 50, "classes": 2,
                                                              "noise": 0.2, "seed": 0}).json()
    n_before = len(before["train"]["X"])
    page.locator("#class-picker input[name=add-class][value='1']").check()
    box = page.locator("#boundary .nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    expect(page).to_have_url(re.compile(r"ds=upload"), timeout=10_000)
    page.wait_for_selector("[data-testid=play]:not([disabled])")
    upload_id = re.search(r"ds=upload%3A([\w-]+)", page.url).group(1)
    after = page.request.post("/api/datasets/preview", data={"id": upload_id}).json()
    assert len(after["train"]["X"]) == n_before + 1
    assert after["train"]["y"].count(1) == before["train"]["y"].count(1) + 1

    # From the keyboard: type the coordinates of a class-0 point.
    page.locator("#class-picker input[name=add-class][value='0']").check()
    page.locator("#add-x1").fill("0.25")
    page.locator("#add-x2").fill("-0.5")
    page.locator("#add-x2").press("Enter")
    expect(page).not_to_have_url(re.compile(upload_id), timeout=10_000)
    page.wait_for_selector("[data-testid=play]:not([disabled])")
    typed_id = re.search(r"ds=upload%3A([\w-]+)", page.url).group(1)
    typed = page.request.post("/api/datasets/preview", data={"id": typed_id}).json()
    assert len(typed["train"]["X"]) == n_before + 2
    assert [0.25, -0.5] in typed["train"]["X"]
    page.recorder.assert_clean()


def test_api_errors_are_shown_in_plain_words(page):
    _open(page)
    bad_csv = {"name": "bad.csv", "mimeType": "text/csv", "buffer": b"x1,x2,label\n0.5,1.0,a\n0.1,oops\n"}
    page.locator("#upload").set_input_files(bad_csv)
    error = page.locator("#train-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("line 3")
    expect(error).to_contain_text("3 values")
    # The page stays usable on the data it had.
    expect(page.get_by_test_id("play")).to_be_enabled()
    page.recorder.assert_clean(expected_status=422)


def test_speed_paces_the_training(page):
    _open(page, "?ds=gauss&layers=4-relu&speed=100")
    expect(page.locator("#speed")).to_have_value("100")
    page.get_by_test_id("play").click()
    page.wait_for_timeout(1500)
    page.get_by_test_id("pause").click()
    page.wait_for_selector("[data-testid=pause][disabled]")
    expect(page.locator("#status")).to_contain_text("Paused")
    # full batch: one step per epoch; 100 steps/s for about 1.5 s (full speed runs thousands)
    assert 20 <= _epoch(page) <= 400
    page.recorder.assert_clean()
