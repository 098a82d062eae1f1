"""A CSV's class labels reach the figures, the owner's and a share link's, as the text itself."""

import csv
import io
import re

from app.pages.routes import STATIC_DIR

LABELS = ['<a href="https://example.com">click</a>', '<span style="font-size:60px">big</span>', "%{x}"]


def hostile_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for k, label in enumerate(LABELS):
        writer.writerows([[0.1 * k, 0.2, label], [-0.3, 0.1 * k, label]])
    return out.getvalue()


def test_class_labels_are_text_in_the_owners_and_the_shared_figures(client):
    upload = client.post("/api/datasets", files={"file": ("d.csv", hostile_csv())}, data={"task": "classification"})
    assert upload.status_code == 201 and sorted(upload.json()["class_names"]) == sorted(LABELS)
    network = client.post("/api/networks", json={"hidden": [{"units": 3}], "data": {"id": upload.json()["id"]}}).json()
    token = client.post(f"/api/networks/{network['id']}/share").json()["token"]
    for path in (f"/api/networks/{network['id']}/figures/decision-boundary?grid=8",
                 f"/api/shared/{token}/figures/decision-boundary?grid=8"):
        figure = client.get(path).json()
        names = [trace["name"] for trace in figure["data"] if trace.get("name", "").startswith("class ")]
        hovers = [trace["hovertemplate"] for trace in figure["data"] if trace.get("name", "").startswith("class ")]
        assert 'class &lt;a href="https://example.com"&gt;click&lt;/a&gt; (train)' in names
        assert 'class &lt;span style="font-size:60px"&gt;big&lt;/span&gt; (train)' in names
        assert "class %&#123;x} (train)" in names
        assert not any("<a" in text or "<span" in text or "class %{x}" in text for text in names + hovers)


def test_the_pages_scripts_never_write_markup_from_strings():
    """Names, labels and messages reach the pages' DOM as text (``textContent``, ``ui.js`` ``el``)."""
    markup = re.compile(r"\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|createContextualFragment")
    offenders = [str(path.relative_to(STATIC_DIR)) for path in STATIC_DIR.rglob("*.js")
                 if markup.search(path.read_text())]
    assert offenders == []
