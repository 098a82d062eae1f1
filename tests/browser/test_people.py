"""Two people at once, each in their own browser context (their own cookie): both train, each sees
only their own networks; a share link opens a copy in the other's Playground."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import WAIT_MS, api

pytestmark = pytest.mark.browser

QUERY = "?ds=spiral&layers=8-relu,8-relu&opt=adam&lr=0.01"


def _person(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    return context, page


def _ready(page, query: str = QUERY) -> None:
    page.goto(f"/{query}")
    page.wait_for_selector("[data-testid=play]:not([disabled])")
    page.wait_for_selector("#boundary[data-drawn=true]")


def _updates(page) -> int:
    return int(page.get_attribute("#boundary", "data-updates") or 0)


def test_two_people_play_at_once_and_each_sees_only_their_own(browser, server):
    (ann_context, ann), (bob_context, bob) = _person(browser, server), _person(browser, server)
    try:
        for page in (ann, bob):
            _ready(page)
        for page in (ann, bob):
            page.get_by_test_id("play").click()
        for page in (ann, bob):  # both boundaries move while both play
            page.wait_for_function("() => Number(document.querySelector('#boundary').dataset.updates || 0) > 3")
        for page in (ann, bob):
            page.get_by_test_id("pause").click()
            page.wait_for_selector("[data-testid=pause][disabled]")
            expect(page.locator("#status")).to_contain_text("Paused")
        mine = [[n["id"] for n in api(page, "GET", "/api/networks").json()] for page in (ann, bob)]
        assert len(mine[0]) == 1 and len(mine[1]) == 1 and mine[0] != mine[1]
        assert api(bob, "GET", f"/api/networks/{mine[0][0]}").status == 404
        assert api(ann, "GET", "/api/jobs").json()[0]["network_id"] == mine[0][0]
        assert ann.errors == [] and bob.errors == []
    finally:
        ann_context.close()
        bob_context.close()


def test_a_share_link_opens_a_copy_in_the_other_persons_playground(browser, server):
    (ann_context, ann), (bob_context, bob) = _person(browser, server), _person(browser, server)
    try:
        _ready(ann)
        ann.get_by_test_id("step").click()
        expect(ann.get_by_test_id("epoch")).to_have_text("1")
        network = api(ann, "GET", "/api/networks").json()[0]
        link = api(ann, "POST", f"/api/networks/{network['id']}/share").json()
        bob.goto(link["url"])
        expect(bob.locator("#summary")).to_contain_text("trained 1 steps")
        bob.wait_for_selector("#decision-boundary[data-drawn=true]")
        bob.get_by_test_id("copy").click()
        bob.wait_for_url("**/?network=*")
        bob.wait_for_selector("[data-testid=play]:not([disabled])")
        expect(bob.get_by_test_id("epoch")).to_have_text("1")
        copies = api(bob, "GET", "/api/networks").json()
        assert [n["id"] for n in copies] != [network["id"]] and copies[0]["steps_trained"] == 1
        bob.get_by_test_id("play").click()
        bob.wait_for_function("() => Number(document.querySelector('#boundary').dataset.updates || 0) > 0")
        bob.get_by_test_id("pause").click()
        bob.wait_for_selector("[data-testid=pause][disabled]")
        assert api(ann, "GET", f"/api/networks/{network['id']}").json()["steps_trained"] == 1  # untouched
        assert ann.errors == [] and bob.errors == []
    finally:
        ann_context.close()
        bob_context.close()
