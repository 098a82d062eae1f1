import numpy as np
import pytest

from app.nn import ACTIVATION_NAMES

from .conftest import field_of


def test_list_has_every_activation_with_a_verdict(client):
    body = client.get("/api/activations").json()
    assert [a["name"] for a in body] == list(ACTIVATION_NAMES)
    assert all(a["description"] and a["verdict"] and a["label"] for a in body)
    verdicts = {a["name"]: a["verdict"].lower() for a in body}
    assert "avoid" in verdicts["sigmoid"] and "default" in verdicts["relu"]
    assert {a["name"]: a["label"] for a in body}["leaky_relu"] == "Leaky ReLU"
    assert [a["name"] for a in body if a["in_notes"]] == ["sigmoid", "tanh", "relu", "leaky_relu", "prelu", "maxout"]


def test_values_of_sigmoid(client):
    body = client.get("/api/activations/sigmoid?start=-2&stop=2&num=5").json()
    x = np.asarray(body["x"])
    assert np.allclose(x, [-2, -1, 0, 1, 2])
    assert np.allclose(body["y"], 1 / (1 + np.exp(-x)))
    assert np.allclose(body["dy"], np.asarray(body["y"]) * (1 - np.asarray(body["y"])))


def test_values_of_leaky_relu_with_a_slope(client):
    body = client.get("/api/activations/leaky_relu?start=-1&stop=1&num=3&slope=0.1").json()
    assert np.allclose(body["y"], [-0.1, 0, 1])


@pytest.mark.parametrize(("query", "field"), [
    ("/api/activations/nope", "name"), ("/api/activations/relu?num=1", "num"),
    ("/api/activations/relu?start=abc", "start"), ("/api/activations/relu?start=nan", "start"),
    ("/api/activations/relu?start=inf", "start"), ("/api/activations/relu?num=100000", "num"),
])
def test_value_errors(client, query, field):
    response = client.get(query)
    assert response.status_code == 422 and field in field_of(response)


def test_figure(client):
    response = client.get("/api/activations/tanh/figure?compare=sigmoid,relu&tanh_identity=true")
    assert response.status_code == 200
    figure = response.json()
    assert len(figure["data"]) >= 3
    assert field_of(client.get("/api/activations/tanh/figure?compare=nope")) == ["compare"]
    assert client.get("/api/activations/nope/figure").status_code == 422


def test_maxout_with_its_own_pieces(client):
    # max(1·x + 0, 0.25·x + 0.5) at x = -2, 0, 2: max(-2, 0) = 0, max(0, 0.5) = 0.5, max(2, 1) = 2
    body = client.get("/api/activations/maxout?start=-2&stop=2&num=3&pieces=1,0,0.25,0.5").json()
    assert np.allclose(body["y"], [0.0, 0.5, 2.0])
    assert np.allclose(body["dy"], [0.25, 0.25, 1.0])
    figure = client.get("/api/activations/maxout/figure?pieces=1,0,0.25,0.5,-1,0")
    assert figure.status_code == 200
    names = " ".join(trace.get("name", "") for trace in figure.json()["data"])
    assert "0.25" in names


@pytest.mark.parametrize("pieces", ["1,0,2", "a,b", "1,0,nan,0", "1e9,0", ",".join(["1,0"] * 9)])
def test_maxout_piece_errors(client, pieces):
    for path in ("/api/activations/maxout", "/api/activations/maxout/figure"):
        response = client.get(f"{path}?pieces={pieces}")
        assert response.status_code == 422 and field_of(response) == ["pieces"], response.text
    # Like the slope, pieces only matter where maxout is drawn: elsewhere a well-formed value is ignored.
    relu = client.get("/api/activations/relu?start=-1&stop=1&num=3&pieces=1,0")
    assert relu.status_code == 200 and relu.json()["y"] == [0.0, 0.0, 1.0]
