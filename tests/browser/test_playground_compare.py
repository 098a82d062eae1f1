"""The Playground's Compare view: the network and a copy of it (``POST /api/networks/{id}/fork``) with
one setting changed, played in step side by side. The API shows what the screen claims: the same
weights before Play, the same step after Pause, different weights from the different setting."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import api, axe_violations, open_page
from .layout import layout_problems

pytestmark = pytest.mark.browser

SIDES = ("original", "copy")
PAINTED = "(side) => Number(document.querySelector(`[data-side=${side}] .compare-boundary`).dataset.updates || 0) >= 10"


def _open_compare(page, setting: str = "learning_rate", value: str = "0.1", playing: bool = False) -> list[str]:
    """Opens the Playground, forks its network with ``setting`` changed to ``value`` (``playing``:
    pressing Compare while the network plays); returns the two networks' ids (the original's first)."""
    page.goto("/")
    page.wait_for_selector("[data-testid=play]:not([disabled])")
    page.wait_for_selector("#boundary[data-drawn=true] .nsewdrag")
    if playing:
        page.get_by_test_id("play").click()
        page.wait_for_function("() => Number(document.querySelector('#boundary').dataset.updates || 0) >= 5")
    page.get_by_test_id("compare").click()
    page.get_by_test_id("compare-setting").select_option(setting)
    page.get_by_test_id("compare-value").select_option(value)
    page.get_by_test_id("compare-start").click()
    for side in SIDES:
        page.wait_for_selector(f"[data-side={side}] .compare-boundary[data-drawn=true] .nsewdrag")
    return [page.get_attribute(f"[data-side={side}]", "data-network") for side in SIDES]


def _weights(page, network_id: str) -> dict:
    return api(page, "GET", f"/api/networks/{network_id}/export").json()["weights"]


@pytest.fixture
def wide(browser, server):
    page = open_page(browser, server, 1440, 900)
    yield page
    page.context.close()


def test_compare_plays_two_networks_in_step_from_the_same_weights(wide, axe_source):
    page = wide
    original, copy = _open_compare(page)
    # Side by side on one screen: each side's boundary and loss curve in view, the copy's to the right.
    boxes = {(side, part): page.locator(f"[data-side={side}] .compare-{part}").bounding_box()
             for side in SIDES for part in ("boundary", "curve")}
    for where, box in boxes.items():
        assert box["x"] >= 0 and box["y"] >= 0, where
        assert box["x"] + box["width"] <= 1440 and box["y"] + box["height"] <= 900, where
    assert boxes["copy", "boundary"]["x"] > boxes["original", "curve"]["x"] + boxes["original", "curve"]["width"]
    assert boxes["copy", "boundary"]["y"] == boxes["original", "boundary"]["y"]
    assert original != copy
    # the original keeps the Playground's default learning rate
    expect(page.locator("[data-side=original] .compare-caption")).to_have_text("learning rate 0.005")
    expect(page.locator("[data-side=copy] .compare-caption")).to_have_text("learning rate 0.1")
    assert "compare=learning_rate%3A0.1" in page.url  # a reload opens the view again
    assert _weights(page, original) == _weights(page, copy)  # before Play: the same weights, bit for bit
    assert axe_violations(page, axe_source) == []

    page.get_by_test_id("play").click()
    for side in SIDES:  # both boundaries painted from the frames
        page.wait_for_function(PAINTED, arg=side)
    # Frames are shown paired by step: the two sides are never more than a few steps apart on screen.
    steps = page.evaluate("() => [...document.querySelectorAll('.compare-boundary')].map((n) => +n.dataset.step)")
    assert abs(steps[0] - steps[1]) <= 30, steps
    page.get_by_test_id("pause").click()
    page.wait_for_selector("[data-testid=play]:not([disabled])")
    networks = [api(page, "GET", f"/api/networks/{network_id}").json() for network_id in (original, copy)]
    assert networks[0]["steps_trained"] == networks[1]["steps_trained"] > 0  # Pause leaves both at one step
    expect(page.locator("[data-side=original] [data-show=step]")).to_have_text(str(networks[0]["steps_trained"]))
    expect(page.locator("[data-side=copy] [data-show=step]")).to_have_text(str(networks[0]["steps_trained"]))
    assert _weights(page, original) != _weights(page, copy)  # the learning rates parted them
    for side in SIDES:  # trained: each side's loss curve is drawn
        page.wait_for_selector(f"[data-side={side}] .compare-curve[data-drawn=true]")

    # End compare, deleting the copy: the single view again, with the network it had.
    page.get_by_test_id("compare-delete").click()
    expect(page.locator("#compare-view")).to_be_hidden()
    expect(page.locator("#boundary")).to_be_visible()
    assert "compare=" not in page.url
    assert api(page, "GET", f"/api/networks/{copy}").status == 404
    assert api(page, "GET", f"/api/networks/{original}").status == 200
    page.recorder.assert_clean()


def test_compare_reopens_from_its_address_and_step_keeps_both_at_one_step(page):
    _open_compare(page, "optimizer", "sgd", playing=True)  # Compare pauses the Play first
    page.reload()
    page.wait_for_selector("[data-side=copy] .compare-boundary[data-drawn=true] .nsewdrag")
    expect(page.locator("[data-side=copy] .compare-caption")).to_have_text("optimizer SGD")
    ids = [page.get_attribute(f"[data-side={side}]", "data-network") for side in SIDES]
    page.get_by_test_id("step").click()
    page.wait_for_selector("[data-testid=step]:not([disabled])")
    steps = [api(page, "GET", f"/api/networks/{network_id}").json()["steps_trained"] for network_id in ids]
    assert steps[0] == steps[1] > 0
    # Reset: a fresh network and a fresh copy of it, with the same change; the old copy is deleted.
    page.get_by_test_id("reset").click()
    page.wait_for_function("(old) => document.querySelector('[data-side=copy]').dataset.network !== old", arg=ids[1])
    page.wait_for_selector("[data-side=copy] .compare-boundary[data-drawn=true] .nsewdrag")
    expect(page.locator("[data-side=copy] [data-show=step]")).to_have_text("0")
    assert api(page, "GET", f"/api/networks/{ids[1]}").status == 404
    ids = [page.get_attribute(f"[data-side={side}]", "data-network") for side in SIDES]
    assert _weights(page, ids[0]) == _weights(page, ids[1])
    # End compare, keeping the copy: it has a name now, so it stays.
    page.get_by_test_id("compare-keep").click()
    expect(page.locator("#compare-view")).to_be_hidden()
    assert api(page, "GET", f"/api/networks/{ids[1]}").json()["name"] == "optimizer SGD (compare)"
    page.recorder.assert_clean()


def test_compare_on_a_phone_stacks_both_sides_without_text_over_text(browser, server):
    page = open_page(browser, server, 390, 844)
    try:
        _open_compare(page)
        boxes = []
        for side in SIDES:
            plot = page.locator(f"[data-side={side}] .compare-boundary")
            plot.scroll_into_view_if_needed()
            box = plot.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1, f"the {side}'s boundary is cut: {box}"
            assert box["width"] >= 300, box
            top = "(selector) => document.querySelector(selector).getBoundingClientRect().top + scrollY"
            boxes.append(page.evaluate(top, f"[data-side={side}]"))
        assert boxes[0] < boxes[1], "the copy is not under the network"
        assert layout_problems(page) == []
        page.recorder.assert_clean()
    finally:
        page.context.close()
