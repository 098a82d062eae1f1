"""The lesson (/learn) as a new learner reads it: every section asks first, its live figure answers,
the page judges the answer (right, then wrong) without a reload, and the person's progress is kept;
every figure's link opens its full page, and each of those pages leads back to its section."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import WAIT_MS, api

pytestmark = pytest.mark.browser

# Per question: the answer the live result makes right on this server (its seeds fixed), and a wrong one.
ANSWERS = {
    "nonlinearity-circle": ("relu", "linear"),
    "neuron-scale": ("stays", "moves"),
    "classifier-xor": ("no", "yes"),
    "activations-dead": ("relu", "tanh"),
    "layers-params": (41, 36),
    "power-width": ("no", "yes"),
    "sizes-capacity": ("20", "3"),
    "sizes-lambda": ("0.001", "0.1"),
    "spiral-linear": ("50", "98"),
}


def _answer(page, question: str, answer) -> None:
    form = page.get_by_test_id(f"question-{question}")
    if isinstance(answer, int):
        form.locator("input[type=number]").fill(str(answer))
    else:
        form.locator(f"input[value='{answer}']").check()
    form.get_by_role("button", name="Answer").click()


def _verdict(page, question: str):
    return page.get_by_test_id(f"verdict-{question}")


def _ask_then_find_out(page, question: str, find_out) -> None:
    """Answer right before the live result exists (the page waits for it), find out, then answer wrong."""
    right, wrong = ANSWERS[question]
    _answer(page, question, right)
    find_out()
    expect(_verdict(page, question)).to_have_text(re.compile("^Right: "))
    _answer(page, question, wrong)
    expect(_verdict(page, question)).to_have_text(re.compile("^Not this time: "))


def _drawn(page, plot: str) -> None:
    expect(page.locator(f"{plot}[data-drawn=true] .main-svg").first).to_be_attached()


def _title(page, plot: str) -> str:
    return page.evaluate(f"() => document.querySelector('{plot}').layout.title.text")


def test_a_new_learner_reads_the_lesson_answering_each_question_with_the_kept_experiments(page):
    """("experiments" in its name: it runs after the other browser tests, by when the server has
    computed the kept results it shows in §7.)"""
    page.goto("/learn")
    expect(page.locator("#progress-summary")).to_contain_text("0 of 8 sections read")
    _drawn(page, "#nonlinearity-relu")

    # §1: two networks, with and without the max, trained on the circle.
    expect(_verdict(page, "nonlinearity-circle")).to_be_hidden()
    _answer(page, "nonlinearity-circle", "relu")
    expect(_verdict(page, "nonlinearity-circle")).to_contain_text("Press “Train both networks”")
    before = _title(page, "#nonlinearity-relu")
    page.get_by_test_id("nonlinearity-train").click()
    expect(_verdict(page, "nonlinearity-circle")).to_have_text(re.compile("^Right: "))
    assert _title(page, "#nonlinearity-relu") != before
    expect(page.locator("#nonlinearity-product .katex")).to_be_attached()
    _answer(page, "nonlinearity-circle", "linear")
    expect(_verdict(page, "nonlinearity-circle")).to_have_text(re.compile("^Not this time: "))

    # §2: one neuron; a slider redraws it, typing a point shows its arithmetic.
    page.goto("/learn#neuron")
    _drawn(page, "#neuron-plot")
    expect(page.locator("#neuron-worked .katex").first).to_be_attached()
    worked = page.get_by_test_id("neuron-worked").inner_text()
    page.locator("#neuron-x1").fill("-0.7")
    expect(page.get_by_test_id("neuron-worked")).not_to_have_text(worked)
    before = _title(page, "#neuron-plot")
    page.locator("#neuron-w1").fill("2")
    page.wait_for_function("(before) => document.querySelector('#neuron-plot').layout.title.text !== before",
                           arg=before)
    _ask_then_find_out(page, "neuron-scale", lambda: page.get_by_test_id("neuron-double").click())

    # §3: the neuron as a classifier; a click on the plot adds a point and trains again.
    page.locator("#classifier").scroll_into_view_if_needed()
    expect(page.locator("#classifier-table tbody tr")).to_have_count(1)
    _drawn(page, "#classifier-plot")
    page.locator("#classifier-plot .nsewdrag").first.click()
    expect(page.locator("#classifier-table tbody tr")).to_have_count(2)
    expect(page.locator("#classifier-table tbody tr").nth(1).locator("td").nth(1)).to_have_text("1")
    _ask_then_find_out(page, "classifier-xor", lambda: page.locator("#classifier-data").select_option("xor"))

    # §4: three networks at a high learning rate; the dead units counted.
    page.locator("#activations").scroll_into_view_if_needed()
    _drawn(page, "#activations-tanh")
    _ask_then_find_out(page, "activations-dead", lambda: page.get_by_test_id("activations-run").click())
    dead = page.locator("#activations-table tr[data-activation=relu] td").nth(1).inner_text()
    assert int(dead.split()[0]) > 0, dead

    # §5: build the notes' networks and count them.
    page.locator("#layers").scroll_into_view_if_needed()
    expect(page.get_by_test_id("layers-counts")).to_contain_text("= 26 learnable parameters")
    _ask_then_find_out(page, "layers-params", lambda: None)  # answering builds [3, 4, 4, 1] and counts it
    expect(page.get_by_test_id("layers-counts")).to_contain_text("= 41 learnable parameters")
    expect(page.locator("#layers-forward tbody tr")).to_have_count(3)

    # §6: one hidden layer of the chosen width fits a sine.
    page.locator("#power").scroll_into_view_if_needed()
    _ask_then_find_out(page, "power-width", lambda: page.get_by_test_id("power-fit").click())
    _drawn(page, "#power-plot")
    page.locator("#power-width").select_option("32")
    page.get_by_test_id("power-fit").click()
    expect(page.locator("#power-status")).to_contain_text("32 hidden units")

    # §7: the kept capacity and regularization experiments.
    page.locator("#sizes").scroll_into_view_if_needed()
    right, wrong = ANSWERS["sizes-lambda"]
    _answer(page, "sizes-lambda", right)
    def show_results():  # the kept results: at once, unless the server is still computing them
        page.get_by_test_id("sizes-show").click()
        page.wait_for_selector("#sizes-results:not([hidden])", timeout=5 * WAIT_MS)

    _ask_then_find_out(page, "sizes-capacity", show_results)
    expect(_verdict(page, "sizes-lambda")).to_have_text(re.compile("^Right: "))
    _answer(page, "sizes-lambda", wrong)
    expect(_verdict(page, "sizes-lambda")).to_have_text(re.compile("^Not this time: "))
    _drawn(page, "#sizes-capacity-plot")

    # §8: the case study, trained now.
    page.locator("#spiral").scroll_into_view_if_needed()
    _ask_then_find_out(page, "spiral-linear", lambda: page.get_by_test_id("spiral-run").click())
    _drawn(page, "#spiral-plot")

    # Every section read and every question answered (last: wrong), kept for this person.
    for end in page.locator(".lesson-section .open-links").all():  # read to the end of each section
        end.scroll_into_view_if_needed()
    expect(page.locator("#progress-summary")).to_contain_text(
        "8 of 8 sections read; 9 of 9 questions answered, 0 right")
    progress = api(page, "GET", "/api/learn/progress").json()
    assert all(section["read"] for section in progress["sections"])
    assert {a["question"]: a["correct"] for a in progress["answers"]} == dict.fromkeys(ANSWERS, False)
    page.reload()
    expect(page.locator("#progress-summary")).to_contain_text("8 of 8 sections read")

    page.get_by_test_id("reset-progress").click()
    expect(page.locator("#progress-summary")).to_contain_text("0 of 9 questions answered")
    assert api(page, "GET", "/api/learn/progress").json()["answers"] == []
    page.recorder.assert_clean()


# Each page a figure opens, with the element that shows it has loaded.
READY = {"/": "[data-testid=play]:not([disabled])", "/neuron": "#neuron-plot[data-drawn=true]",
         "/activations": ".plot[data-drawn=true]", "/architecture": "#topology[data-drawn=true]",
         "/experiments": "#exp-capacity"}


def test_every_figure_opens_its_page_and_each_page_leads_back_to_its_section(page):
    page.goto("/learn")
    for section in ("nonlinearity", "classifier", "activations", "power"):  # their links carry the live setup
        page.locator(f"#{section}").scroll_into_view_if_needed()
        expect(page.locator(f"#{section} .open-links a[href='/']")).to_have_count(0)
    links = page.locator(".lesson-section").evaluate_all("""(sections) => sections.flatMap((s) =>
        Array.from(s.querySelectorAll('.open-links a'), (a) => [s.id, a.getAttribute('href')]))""")
    sections = page.locator(".lesson-section").evaluate_all("(sections) => sections.map((s) => s.id)")
    assert len(sections) == 8 and {section for section, _ in links} == set(sections)
    for section, href in links:
        path = href.split("?")[0].split("#")[0]
        page.goto(f"/learn#{section}")
        page.locator(f"#{section} .open-links a[href='{href}']").click()
        page.wait_for_selector(READY[path])
        if path == "/":  # the Playground opens with the section's setup in its address
            settings = dict(part.split("=", 1) for part in href.split("?", 1)[1].split("&"))
            expect(page).to_have_url(re.compile(re.escape(f"ds={settings['ds']}")))
        page.locator(f".lesson-link a[href='/learn#{section}']").click()
        expect(page).to_have_url(re.compile(f"/learn#{section}$"))
        expect(page.locator(f"#{section}-title")).to_be_focused()
    page.recorder.assert_clean()
