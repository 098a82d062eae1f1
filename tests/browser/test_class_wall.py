"""A class's wall in the browser: the lecturer sees a tile for each student, live from the class's
event stream; sorting works; a click opens that student's live view."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ..waiting import wait_until
from .conftest import api, open_page

pytestmark = pytest.mark.browser

SETUP = {"data": {"name": "spiral", "n_per_class": 40, "classes": 2, "noise": 0.1, "seed": 0, "test_fraction": 0.2},
         "network": {"hidden": [{"units": 6, "activation": "relu"}], "loss": "softmax", "init": "he"},
         "training": {"optimizer": "adam", "learning_rate": 0.03}}


def _class_of(lecturer, title: str, students: dict) -> tuple[dict, str]:
    """A class the lecturer's page leads, with the assignment and each student page joined under its name."""
    made = api(lecturer, "POST", "/api/classes", data={"title": title}).json()
    base = f"/api/classes/{made['id']}"
    assert api(lecturer, "PUT", f"{base}/assignment",
               data={"setup": SETUP, "unlocked": ["training.learning_rate"]}).status == 200
    for page, name in students.items():
        assert api(page, "POST", "/api/classes/join", data={"code": made["code"], "name": name}).status == 201
    return made, base


def test_the_lecturer_s_wall_follows_the_students(browser, server):
    lecturer, zoe, ada = (open_page(browser, server) for _ in range(3))
    try:
        made, base = _class_of(lecturer, "Wall", {zoe: "Zoe", ada: "Ada"})
        lecturer.goto(f"/classes/{made['id']}")
        lecturer.get_by_test_id("wall-link").click()
        expect(lecturer.get_by_test_id("wall-tile")).to_have_count(2)
        expect(lecturer.get_by_test_id("flag")).to_have_count(2)  # neither has started

        job = {"class_id": made["id"], "data": SETUP["data"], "network": SETUP["network"],
               "training": SETUP["training"] | {"steps": 3000}, "live": {"grid": 24, "steps_per_second": 100}}
        playing = api(zoe, "POST", "/api/jobs", data=job)
        assert playing.status == 202, playing.text()
        done = api(ada, "POST", "/api/jobs?wait=true", data=job | {"training": SETUP["training"] | {"steps": 20},
                                                                   "live": {}})
        assert done.status == 200
        # The students' tiles arrive on the stream, without a reload.
        expect(lecturer.get_by_test_id("flag")).to_have_count(0)
        expect(lecturer.locator("[data-testid=wall-tile]:not([disabled])")).to_have_count(2)

        lecturer.locator("[data-testid=wall-tile]", has_text="Zoe").click()
        expect(lecturer.get_by_test_id("wall-focus")).to_be_visible()
        expect(lecturer.locator("#focus-name")).to_have_text("Zoe")
        expect(lecturer.get_by_test_id("focus-numbers")).to_contain_text("step")
        first = lecturer.get_by_test_id("focus-numbers").inner_text()
        expect(lecturer.get_by_test_id("focus-numbers")).not_to_have_text(first)  # it follows her job
        lecturer.get_by_test_id("focus-close").click()
        expect(lecturer.get_by_test_id("wall-focus")).to_be_hidden()
        api(zoe, "POST", f"/api/jobs/{playing.json()['id']}/cancel")

        names = lecturer.get_by_test_id("wall-name")
        lecturer.get_by_test_id("wall-sort").select_option("name")
        expect(names).to_have_text(["Ada", "Zoe"])
        # Zoe's job stopped, her epoch stays put: the wall's order by epoch is the snapshot's
        wait_until(lambda: api(lecturer, "GET", f"{base}/wall").json()["tiles"][0]["job"]["status"] == "cancelled")
        tiles = api(lecturer, "GET", f"{base}/wall").json()["tiles"]
        by_epoch = [t["name"] for t in sorted(tiles, key=lambda t: (-t["epoch"], t["name"]))]
        lecturer.get_by_test_id("wall-sort").select_option("epoch")
        expect(names).to_have_text(by_epoch)
        lecturer.get_by_test_id("wall-filter").select_option("not_started")
        expect(names).to_have_count(0)
        lecturer.get_by_test_id("wall-filter").select_option("")
        expect(names).to_have_count(2)

        zoe.goto(f"/classes/{made['id']}/wall")
        expect(zoe.locator("#wall-state")).to_have_text("Only the class's lecturer sees its wall.")
        lecturer.recorder.assert_clean()
    finally:
        for page in (lecturer, zoe, ada):
            page.context.close()


def test_a_student_submits_the_lecturer_pins_and_another_opens_a_copy(browser, server):
    lecturer, ada, zoe = (open_page(browser, server) for _ in range(3))
    try:
        made, _base = _class_of(lecturer, "Gallery", {ada: "Ada", zoe: "Zoe"})
        job = {"class_id": made["id"], "data": SETUP["data"], "network": SETUP["network"],
               "training": SETUP["training"] | {"steps": 30}}
        assert api(ada, "POST", "/api/jobs?wait=true", data=job).status == 200
        ada.goto(f"/classes/{made['id']}")
        ada.get_by_test_id("submit-network").click()
        expect(ada.locator("#submit-status")).to_contain_text("Submitted")
        expect(ada.get_by_test_id("leaderboard-row")).to_have_count(1)

        lecturer.goto(f"/classes/{made['id']}")
        lecturer.once("dialog", lambda dialog: dialog.accept("Small and sure"))
        lecturer.get_by_test_id("leaderboard-row").get_by_role("button", name="Pin").click()
        expect(lecturer.get_by_test_id("gallery-item")).to_contain_text("Small and sure")

        zoe.goto(f"/classes/{made['id']}")
        expect(zoe.get_by_test_id("gallery-item")).to_contain_text("Ada")
        zoe.get_by_test_id("open-copy").click()
        zoe.wait_for_url("**/?network=*")
        zoe.wait_for_selector("[data-testid=play]:not([disabled])")
        lecturer.recorder.assert_clean()
    finally:
        for page in (lecturer, ada, zoe):
            page.context.close()
