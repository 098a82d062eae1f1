"""The Sweeps page: the Playground's setup swept over two settings with two seeds, by keyboard; the
picture, the table and the CSV agree, and a run opens in the Playground."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from .conftest import api

pytestmark = pytest.mark.browser

# A small Playground setup (its address keys), quick to train.
SETUP = ("ds=moons&n=40&noise=0.2&classes=2&test=0.25&dseed=0&layers=4-relu&loss=softmax&init=he&seed=0"
         "&opt=adam&lr=0.03&batch=0&reg=l2&lam=0.001&speed=0")


def _fill(page, selector: str, text: str) -> None:
    """Type into a field from the keyboard: focus, select all, type."""
    page.focus(selector)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def test_playground_links_to_a_sweep_of_its_setup(page):
    page.goto(f"/?{SETUP}")
    link = page.get_by_role("link", name="Sweep this setup")
    expect(link).to_have_attribute("href", re.compile(r"^/sweeps\?.*ds=moons"))
    link.click()
    expect(page).to_have_url(re.compile(r"/sweeps\?"))
    expect(page.locator("#base-summary")).to_contain_text("moons data")
    expect(page.locator("#base-summary")).to_contain_text("4 ReLU")
    page.recorder.assert_clean()


def test_a_sweep_of_the_setup_keeps_its_input_features(page):
    """The Playground's address keys are the Sweeps page's: its input features reach the sweep's base."""
    page.goto(f"/sweeps?{SETUP}&feat=x1,x2,x1x2&steps=20&seeds=1")
    expect(page.locator("#base-summary")).to_contain_text("inputs x1, x2, x1x2")
    with page.expect_request(lambda request: request.method == "POST" and "/api/sweeps" in request.url) as posted:
        page.locator("#run").click()
    assert posted.value.post_data_json["base"]["network"]["features"] == ["x1", "x2", "x1x2"]
    expect(page.locator("#status")).to_have_text(re.compile(r"^Done: \d+ runs\.$"))
    page.recorder.assert_clean()


def test_the_address_holds_the_sweep(page):
    page.goto(f"/sweeps?{SETUP}&steps=200&seeds=4&metric=train_loss"
              "&vary=network.hidden%5B*%5D.activation%3Arelu%2Ctanh")
    expect(page.locator("#axis-0-setting")).to_have_value("network.hidden[*].activation")
    checked = page.locator("#axes input[type=checkbox]:checked")
    expect(checked).to_have_count(2)
    assert sorted(checked.evaluate_all("boxes => boxes.map(b => b.value)")) == ["relu", "tanh"]
    expect(page.locator("#plan")).to_have_text("2 = 2 settings × 4 seeds = 8 runs of 200 steps.")
    expect(page.locator("#metric")).to_have_value("train_loss")
    # Which figures a sweep has comes with its first run: until then the choice says so.
    expect(page.locator("#figure-kind")).to_be_disabled()
    expect(page.locator("#figure-kind option")).to_have_text(["after the first run"])
    page.get_by_role("checkbox", name="sigmoid").check()  # the address follows the form
    expect(page).to_have_url(re.compile(r"vary=network.hidden%5B\*%5D.activation%3Arelu%2Ctanh%2Csigmoid"))
    page.recorder.assert_clean()


def test_two_by_two_sweep_with_two_seeds_picture_agrees_with_table(page, screenshot):
    page.goto(f"/sweeps?{SETUP}")
    expect(page.locator("#axis-1-setting")).to_have_value("network.hidden[0].units")
    _fill(page, "#steps", "150")
    _fill(page, "#axis-0-values", "0.01, 0.1")
    _fill(page, "#axis-1-values", "2, 8")
    _fill(page, "#seeds", "2")
    expect(page.locator("#plan")).to_have_text("2 × 2 = 4 settings × 2 seeds = 8 runs of 150 steps.")
    page.focus("#run")
    page.keyboard.press("Enter")
    status = page.locator("#status")
    expect(status).to_have_text("Done: 8 runs.")
    expect(page.locator("#run")).to_be_enabled()

    # The heatmap's cells are the table's means: x the learning rate, y the units.
    expect(page.locator("#sweep-plot .main-svg").first).to_be_attached()
    trace = page.evaluate("() => { const t = document.querySelector('#sweep-plot').data[0];"
                          " return {type: t.type, x: t.x, y: t.y, z: t.z}; }")
    assert trace["type"] == "heatmap" and trace["x"] == ["0.01", "0.1"] and trace["y"] == ["2", "8"]
    rows = page.locator("#aggregates-table tbody tr")
    expect(rows).to_have_count(4)
    for i in range(4):
        cells = rows.nth(i).locator("td")
        rate, units = cells.nth(0).inner_text(), cells.nth(1).inner_text()
        assert cells.nth(2).inner_text() == "2 of 2"
        mean = float(cells.nth(3).get_attribute("data-value"))
        assert trace["z"][trace["y"].index(units)][trace["x"].index(rate)] == pytest.approx(mean, rel=1e-12)
        assert re.fullmatch(r"\d{1,3}\.\d %", cells.nth(3).inner_text())
    # One boundary panel per setting.
    expect(page.locator("#boundaries-plot .main-svg").first).to_be_attached()
    panels = page.evaluate("() => document.querySelector('#boundaries-plot').data.filter(t => t.type === 'heatmap')"
                           ".length")
    assert panels == 4

    # The CSV behind the download link: one line per run, the same settings.
    href = page.locator("#csv").get_attribute("href")
    table = list(csv.DictReader(io.StringIO(api(page, "GET", href).text())))
    assert len(table) == 8 and {row["seed"] for row in table} == {"0", "1"}
    assert {(row["training.learning_rate"], row["network.hidden[0].units"]) for row in table} == {
        ("0.01", "2"), ("0.01", "8"), ("0.1", "2"), ("0.1", "8")}
    # The API panel shows the calls as curl commands.
    expect(page.locator(".api-call-item pre").filter(has_text="/api/sweeps").first).to_contain_text("curl -X POST")
    screenshot(page, "sweeps")

    # A cell opens its first seed's network in the Playground.
    page.evaluate("() => document.querySelector('#sweep-plot').emit('plotly_click',"
                  " {points: [{x: '0.1', y: '8', curveNumber: 0}]})")
    expect(page).to_have_url(re.compile(r"/\?network="))
    network_id = parse_qs(urlsplit(page.url).query)["network"][0]
    ids = {row["network_id"] for row in table if row["training.learning_rate"] == "0.1"
           and row["network.hidden[0].units"] == "8" and row["seed"] == "0"}
    assert ids == {network_id}
    expect(page.locator("#layers input[type=number]").first).to_have_value("8")
    page.recorder.assert_clean()
