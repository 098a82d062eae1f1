"""A class in two browsers: the lecturer makes it, a student joins by its code, the lecturer sends a
Playground setup, and the student's pages show the prompt with the locked settings disabled."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import api, open_page

pytestmark = pytest.mark.browser


def test_a_lecturer_and_a_student_learn_together(browser, server):
    lecturer, student = open_page(browser, server), open_page(browser, server)
    try:
        lecturer.goto("/classes")
        lecturer.locator("#class-title").fill("Week 3 <b>spirals</b>")
        lecturer.get_by_test_id("make-class").click()
        expect(lecturer).to_have_url(re.compile(r"/classes/\w+$"))
        class_id = lecturer.url.rsplit("/", 1)[1]
        expect(lecturer.locator("h1")).to_have_text("Week 3 <b>spirals</b>")  # text, never markup
        code = lecturer.get_by_test_id("class-code").inner_text()
        assert re.fullmatch(r"[2-9A-HJKMNP-Z]{6}", code)
        expect(lecturer.locator("#qr svg")).to_be_visible()
        assert lecturer.evaluate("() => { const qr = document.querySelector('#qr svg'); "
                                 "return qr instanceof SVGSVGElement && qr.getBoundingClientRect().width > 100; }")

        student.goto("/join")
        student.locator("#join-code").fill(code.lower())
        student.locator("#join-name").fill("   ")
        student.get_by_test_id("join").click()
        expect(student.get_by_test_id("name-error")).to_be_visible()  # said under the field at fault
        student.locator("#join-name").fill("Ada")
        student.get_by_test_id("join").click()
        expect(student).to_have_url(re.compile(f"/classes/{class_id}$"))
        expect(student.locator("#you")).to_have_text("You joined as Ada.")
        expect(student.locator("#assignment-none")).to_be_visible()
        expect(lecturer.get_by_test_id("member")).to_have_count(0)
        lecturer.reload()
        expect(lecturer.get_by_test_id("member")).to_have_count(1)

        lecturer.goto(f"/?send={class_id}&opt=adam&lr=0.03")
        lecturer.wait_for_selector("[data-testid=play]:not([disabled])")
        expect(lecturer.locator("#send-class")).to_be_visible()
        lecturer.locator("#send-prompt").fill("Which learning rate learns the spiral fastest?")
        lecturer.locator("#send-unlocked label", has_text="learning rate").locator("input").check()
        lecturer.get_by_test_id("send-to-class").click()
        expect(lecturer.get_by_test_id("send-status")).to_contain_text("version 1")

        # The student's class page heard of it on its event stream, without a reload.
        expect(student.get_by_test_id("prompt")).to_have_text("Which learning rate learns the spiral fastest?")
        student.get_by_test_id("open-assignment").click()
        student.wait_for_selector("[data-testid=play]:not([disabled])")
        expect(student.get_by_test_id("class-prompt")).to_contain_text("learns the spiral fastest")
        expect(student.locator("#optimizer")).to_be_disabled()
        expect(student.locator("#optimizer")).to_have_value("adam")
        expect(student.locator("label[for=optimizer] .lock")).to_be_attached()
        for control in student.locator("#layers input, #layers select, #layers button, #features button").all():
            expect(control).to_be_disabled()  # rebuilt by the page, kept disabled
        expect(student.locator("#topology-title .lock")).to_be_attached()
        expect(student.locator("#lr")).to_be_enabled()
        expect(student.locator("#lr")).to_have_value("0.03")
        assert f"class={class_id}" in student.url

        # A new assignment is offered on the student's Playground at once.
        lecturer.locator("#send-prompt").fill("Now with momentum.")
        lecturer.get_by_test_id("send-to-class").click()
        expect(lecturer.get_by_test_id("send-status")).to_contain_text("version 2")
        student.get_by_test_id("load-assignment").click()
        expect(student.get_by_test_id("class-prompt")).to_contain_text("Now with momentum.")
        assert api(student, "GET", f"/api/classes/{class_id}/assignment").json()["hidden_test"] is None
        lecturer.recorder.assert_clean()
        student.recorder.assert_clean(expected_status=422)  # the empty name, refused
    finally:
        lecturer.context.close()
        student.context.close()


CROWD_SETUP = {"data": {"name": "spiral", "n_per_class": 20, "classes": 2, "noise": 0.1, "seed": 0,
                        "test_fraction": 0.25},
               "network": {"hidden": [{"units": 4, "activation": "relu"}], "loss": "softmax", "init": "he"},
               "training": {"optimizer": "adam", "learning_rate": 0.05}}


def test_the_crowd_experiment_draws_the_rooms_runs(browser, server):
    lecturer, student = open_page(browser, server), open_page(browser, server)
    try:
        made = api(lecturer, "POST", "/api/classes", data={"title": "Crowd"}).json()
        base = f"/api/classes/{made['id']}"
        assignment = {"setup": CROWD_SETUP, "unlocked": ["network.hidden", "training.learning_rate"],
                      "crowd": "network.hidden[0].units"}
        assert api(lecturer, "PUT", f"{base}/assignment", data=assignment).ok
        assert api(student, "POST", "/api/classes/join", data={"code": made["code"], "name": "Ada"}).ok
        for units in (3, 6):
            job = {"class_id": made["id"], "data": CROWD_SETUP["data"],
                   "training": CROWD_SETUP["training"] | {"steps": 5},
                   "network": CROWD_SETUP["network"] | {"hidden": [{"units": units, "activation": "relu"}]}}
            assert api(student, "POST", "/api/jobs?wait=true", data=job).json()["status"] == "done"

        student.goto(f"/classes/{made['id']}")
        expect(student.get_by_test_id("crowd-summary")).to_contain_text("2 runs from 1 student at 2 values")
        expect(student.locator("#crowd-plot .main-svg").first).to_be_attached()
        expect(student.locator("#crowd-choose")).to_be_hidden()

        lecturer.goto(f"/classes/{made['id']}")
        expect(lecturer.get_by_test_id("crowd-setting")).to_have_value("network.hidden[0].units")
        lecturer.get_by_test_id("crowd-setting").select_option("training.learning_rate")
        expect(lecturer.get_by_test_id("crowd-summary")).to_contain_text("1 value of learning rate")
        # The student's page asks again by itself.
        expect(student.get_by_test_id("crowd-summary")).to_contain_text("learning rate", timeout=20_000)
        lecturer.recorder.assert_clean()
        student.recorder.assert_clean()
    finally:
        lecturer.context.close()
        student.context.close()
