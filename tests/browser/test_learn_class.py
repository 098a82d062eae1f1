"""The lesson read by a class: the lecturer's "Follow me" moves two students' /learn to the section
the lecturer reads, and the wall counts how the room answered, never naming anyone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ..waiting import DEADLINE
from .conftest import api, open_page

pytestmark = pytest.mark.browser


def test_follow_me_moves_every_student_s_lesson(browser, server):
    lecturer = open_page(browser, server)
    students = [open_page(browser, server), open_page(browser, server)]
    try:
        lecturer.goto("/classes")
        made = api(lecturer, "POST", "/api/classes", data={"title": "Week 1: the lesson"}).json()
        for student, name in zip(students, ("Ada", "Bob")):
            student.goto("/")
            assert api(student, "POST", "/api/classes/join", data={"code": made["code"], "name": name}).status == 201
            student.goto(f"/learn?class={made['id']}")
            expect(student.get_by_test_id("class-bar")).to_contain_text("You are in Week 1: the lesson.")
            expect(student.get_by_test_id("follow-me")).to_be_hidden()  # only the lecturer leads

        lecturer.goto(f"/learn?class={made['id']}")
        lecturer.get_by_test_id("follow-me").check()
        lecturer.evaluate("() => document.getElementById('layers').scrollIntoView({block: 'start'})")
        expect(lecturer.get_by_test_id("follow-status")).to_contain_text("Your class follows you: §5",
                                                                         timeout=DEADLINE * 1000)
        for student in students:
            expect(student.get_by_test_id("follow-status")).to_contain_text("Following your lecturer: §5",
                                                                            timeout=DEADLINE * 1000)
            expect(student).to_have_url(re.compile("#layers$"))
            top = student.evaluate("() => document.getElementById('layers').getBoundingClientRect().top")
            assert 0 <= top < 120  # the section is at the top of the student's screen, under the header
        lecturer.get_by_test_id("follow-me").uncheck()
        for student in students:
            expect(student.get_by_test_id("follow-status")).to_contain_text("read on your own", timeout=DEADLINE * 1000)

        # Ada answers the parameter count; the wall counts it, and names nobody.
        question = api(students[0], "GET", "/api/learn/questions").json()[0]
        value = question["choices"][0]["value"] if question["choices"] else 26
        answer = {"question": question["id"], "answer": value, "correct": True}
        assert api(students[0], "POST", "/api/learn/answers", data=answer).status == 201
        lecturer.goto(f"/classes/{made['id']}/wall")
        rows = lecturer.get_by_test_id("room-answers")
        expect(rows).to_be_visible()
        expect(rows.locator("tbody tr")).to_have_count(len(api(lecturer, "GET", "/api/learn/questions").json()))
        expect(rows.locator(f"tr[data-question={question['id']}] td").nth(1)).to_have_text("1")  # right: 1
        expect(rows).not_to_contain_text("Ada")
    finally:
        for page in (lecturer, *students):
            page.context.close()
