"""Each operation's body limit: a 413 naming the limit before the body is read, while a legal large
import still works. (Chunked bodies, counted as they arrive: tests/api/test_edge_server.py.)"""

import json

from .conftest import open_client

NEURON = {"w1": 1.0, "w2": -0.5, "b": 0.1, "activation": "tanh", "data": {"name": "xor"}, "grid": 10}
WIDE = {"input_dim": 2, "hidden": [{"units": 256}] * 4, "output_dim": 3}


def test_an_oversized_body_is_refused_by_its_length_before_it_is_read(client):
    """A 15.9 MB body to the neuron figure was parsed (3.7 s) before its 422; now its length alone answers."""
    huge = json.dumps(NEURON | {"data": {"name": "xor", "points": [[0.123456789, 0.987654321, 1]] * 495_000}})
    assert 15_000_000 < len(huge) < 16_000_000  # the attack's size, below the largest limit
    response = client.post("/api/figures/neuron", content=huge, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["detail"] == ("the body is larger than this operation's limit of 512000 bytes "
                                         "(NNVIZ_MAX_REQUEST_BYTES)")
    assert response.headers["connection"] == "close"
    # That it is refused before it is read, on the way in, is test_edge_server's (a real socket).


def test_each_operation_has_its_own_limit_and_the_schema_states_it(tmp_path):
    with open_client(tmp_path, workers=1, max_request_bytes=5_000, max_body_bytes=6_000_000) as small:
        network = small.post("/api/networks", json=WIDE).json()
        exported = small.get(f"/api/networks/{network['id']}/export").json()
        body = json.dumps(exported)
        assert 5_000 < len(body) < 6_000_000
        imported = small.post("/api/networks/import", content=body, headers={"content-type": "application/json"})
        points = [[0.5, 0.5, 1]] * 500
        figure = small.post("/api/figures/neuron", json=NEURON | {"data": {"name": "xor", "points": points}})
        paths = small.get("/openapi.json").json()["paths"]
    assert imported.status_code == 201, imported.text  # a large import is legal ...
    assert small.get(f"/api/networks/{imported.json()['id']}/export").json()["weights"] == exported["weights"]
    assert figure.status_code == 413  # ... where 500 points of a neuron figure are not (with this small limit)
    assert "5000 bytes (NNVIZ_MAX_REQUEST_BYTES)" in figure.json()["detail"]
    assert paths["/api/networks/import"]["post"]["x-max-body-bytes"] == 6_000_000
    assert paths["/api/figures/{kind}"]["post"]["x-max-body-bytes"] == 6_000_000
    assert paths["/api/datasets"]["post"]["x-max-body-bytes"] == 1_000_000
    assert "x-max-body-bytes" not in paths["/api/figures/neuron"]["post"]  # the default: NNVIZ_MAX_REQUEST_BYTES


def test_the_default_limit_takes_the_largest_legal_small_bodies(client, trained):
    """500 added points at full precision, and predicting 10,000 points, fit NNVIZ_MAX_REQUEST_BYTES."""
    points = [[0.12345678901234567, -0.9876543210987654, 1]] * 500
    figure = client.post("/api/figures/neuron", json=NEURON | {"data": {"name": "xor", "points": points}})
    assert figure.status_code == 200, figure.text
    rows = [[0.12345678901234567, -0.9876543210987654]] * 10_000
    predicted = client.post(f"/api/networks/{trained['network_id']}/predict", json={"inputs": rows})
    assert predicted.status_code == 200, predicted.text
    assert len(predicted.json()["labels"]) == 10_000
