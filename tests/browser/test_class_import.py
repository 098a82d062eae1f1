"""Importing a class file on the Classes page: the new class opens with the imported members marked,
and a file that is not a class says so."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from .conftest import api, open_page

pytestmark = pytest.mark.browser


def test_a_lecturer_imports_a_class_file_and_the_new_class_opens(browser, server):
    lecturer, student, importer = (open_page(browser, server) for _ in range(3))
    try:
        made = api(lecturer, "POST", "/api/classes", data={"title": "Spirals from elsewhere"}).json()
        assert api(student, "POST", "/api/classes/join", data={"code": made["code"], "name": "Ada"}).status == 201
        document = api(lecturer, "GET", f"/api/classes/{made['id']}/export").json()

        importer.goto("/classes")
        importer.get_by_test_id("import-class").set_input_files(
            {"name": "notes.json", "mimeType": "application/json", "buffer": b"not json"})
        expect(importer.locator("#page-error")).to_contain_text("notes.json is not a class file")
        importer.get_by_test_id("import-class").set_input_files(
            {"name": "class.json", "mimeType": "application/json", "buffer": json.dumps(document).encode()})
        expect(importer).to_have_url(re.compile(r"/classes/\w+$"))
        assert importer.url.rsplit("/", 1)[1] != made["id"]
        expect(importer.locator("h1")).to_have_text("Spirals from elsewhere")
        expect(importer.get_by_test_id("member")).to_have_text(re.compile(r"^Ada \(imported\)"))
        assert importer.get_by_test_id("class-code").inner_text() != made["code"]
        importer.recorder.assert_clean()
    finally:
        for page in (lecturer, student, importer):
            page.context.close()
