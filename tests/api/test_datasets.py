import numpy as np
import pytest

from .conftest import SPIRAL, field_of


def test_list_generators_with_their_parameters(client):
    datasets = {d["name"]: d for d in client.get("/api/datasets").json()}
    assert {"spiral", "circle", "xor", "gauss", "moons", "linear", "sine", "abs", "step", "plane"} <= set(datasets)
    spiral = datasets["spiral"]
    assert spiral["task"] == "classification"
    assert spiral["params"]["n_per_class"]["default"] == 100 and spiral["params"]["classes"]["default"] == 3
    assert datasets["sine"]["task"] == "regression" and "n_points" in datasets["sine"]["params"]


def test_preview_is_the_notes_spiral(client):
    body = client.post("/api/datasets/preview", json=SPIRAL).json()
    assert body["task"] == "classification" and body["n_classes"] == 3 and body["class_names"] == ["0", "1", "2"]
    X = np.asarray(body["train"]["X"])
    assert X.shape == (300, 2) and body["test"] == {"X": [], "y": []}
    rs = np.random.RandomState(0)  # the notes' generator after np.random.seed(0)
    r, t = np.linspace(0.0, 1, 100), np.linspace(0, 4, 100) + rs.randn(100) * 0.2
    assert np.allclose(X[:100], np.c_[r * np.sin(t), r * np.cos(t)])


def test_preview_gives_each_class_the_figures_colour_and_marker_shape(client):
    body = client.post("/api/datasets/preview", json={"name": "spiral", "classes": 5}).json()
    assert body["class_styles"] == [
        {"color": "#0072B2", "symbol": "circle"}, {"color": "#E69F00", "symbol": "square"},
        {"color": "#009E73", "symbol": "diamond"}, {"color": "#CC79A7", "symbol": "triangle-up"},
        {"color": "#D55E00", "symbol": "triangle-down"}]
    figure = client.post("/api/figures/decision-boundary", json={
        "spec": {"input_dim": 2, "output_dim": 5}, "data": {"name": "spiral", "classes": 5}}).json()
    drawn = {trace["marker"]["symbol"] for trace in figure["data"][1:] if "marker" in trace}
    assert {style["symbol"] for style in body["class_styles"]} <= drawn
    assert client.post("/api/datasets/preview", json={"name": "sine"}).json()["class_styles"] == []


def test_preview_split(client):
    body = client.post("/api/datasets/preview", json={"name": "moons", "test_fraction": 0.25}).json()
    assert len(body["train"]["y"]) == 150 and len(body["test"]["y"]) == 50


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "spiral", "n_per_class": -1}, "n_per_class"),
    ({"name": "spiral", "noise": "loud"}, "noise"),
    ({"name": "spiral", "test_fraction": 0.95}, "test_fraction"),
    ({"name": "spiral", "classes": 9}, "classes"),
    ({"name": "moons", "classes": 3}, "classes"),
    ({"name": "nope"}, "name"),
    ({}, "body"),
    ({"name": "spiral", "id": "x"}, "body"),
    ({"name": "spiral", "extra": 1}, "extra"),
])
def test_preview_errors(client, body, field):
    response = client.post("/api/datasets/preview", json=body)
    assert response.status_code == 422
    assert field in field_of(response)


def csv_upload(client, text: str, task: str = "classification"):
    return client.post("/api/datasets", files={"file": ("data.csv", text.encode())}, data={"task": task})


def test_upload_classification_csv(client):
    text = "x1,x2,label\n0,0,cat\n1,1,dog\n0.5,0.2,cat\n-1,2,bird\n"
    response = csv_upload(client, text)
    assert response.status_code == 201
    body = response.json()
    assert body["rows"] == 4 and body["n_classes"] == 3 and body["class_names"] == ["bird", "cat", "dog"]
    preview = client.post("/api/datasets/preview", json={"id": body["id"]}).json()
    assert preview["train"]["X"][0] == [0.0, 0.0] and preview["train"]["y"] == [1, 2, 1, 0]


def test_upload_regression_csv(client):
    body = csv_upload(client, "0,0,0.5\n1,1,1.5\n2,2,2.5\n", task="regression").json()
    assert body["task"] == "regression" and body["rows"] == 3


@pytest.mark.parametrize(("text", "message"), [
    ("0,0,a\n1,x,b\n", "line 2"),
    ("0,0\n1,1\n", "expected 3 values"),
    ("0,0,a\n", "at least 2"),
    ("0,0,a\n1,1,a\n", "2 distinct labels"),
    ("0,nan,a\n1,1,b\n", "finite"),
])
def test_upload_errors_name_the_line(client, text, message):
    response = csv_upload(client, text)
    assert response.status_code == 422 and field_of(response) == ["file"]
    assert message in response.json()["detail"][0]["msg"]


def test_upload_limits(client):
    too_many = "\n".join(f"{i},{i},{i % 2}" for i in range(10_001))
    response = csv_upload(client, too_many)
    assert response.status_code == 422 and "10000 rows" in response.json()["detail"][0]["msg"]
    too_big = "0,0,0\n" * 200_000
    response = csv_upload(client, too_big)
    assert response.status_code == 413 and "1000000 bytes (NNVIZ_MAX_UPLOAD_BYTES)" in response.json()["detail"]
    assert csv_upload(client, "0,0,a\n1,1,b\n", task="ranking").status_code == 422
    binary = client.post("/api/datasets", files={"file": ("x.csv", b"\xff\xfe\x00")})
    assert binary.status_code == 422 and field_of(binary) == ["file"]
    assert client.post("/api/datasets", data={"task": "classification"}).status_code == 422
    assert client.post("/api/datasets/preview", json={"id": "unknown"}).status_code == 404


def test_labels_stay_integers(client):
    body = client.post("/api/datasets/preview", json={"name": "xor", "n_per_class": 3}).json()
    assert all(isinstance(label, int) for label in body["train"]["y"])
    assert isinstance(client.get("/api/datasets").json()[0]["params"]["n_per_class"]["default"], int)


def test_request_bodies_are_bounded(tmp_path):
    from .conftest import open_client

    with open_client(tmp_path, workers=1, max_request_bytes=10_000) as small:
        response = small.post("/api/datasets/preview", content=b"{" + b" " * 20_000 + b"}",
                              headers={"content-type": "application/json"})
        assert response.status_code == 413
        assert response.json()["detail"].endswith("limit of 10000 bytes (NNVIZ_MAX_REQUEST_BYTES)")
