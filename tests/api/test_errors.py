import math

import numpy as np
import pytest

from app.api.errors import SafeJSONResponse, dumps
from app.nn import SpecError
from app.nn import network as core_network

from .conftest import SPIRAL


def test_a_422_names_the_field_once(client):
    response = client.post("/api/jobs", json={"network": {"hidden": [{"units": 4}, {"units": 0}]}, "data": SPIRAL})
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert set(problem) == {"loc", "field", "msg", "type"}
    assert problem["field"] == "network.hidden[1].units" and problem["loc"] == ["body", "network", "hidden", 1,
                                                                                  "units"]
    assert "units" not in problem["msg"] and problem["msg"].startswith("Input should be greater than")


def test_the_cores_structured_error_reaches_the_client_with_the_request_prefix(client):
    response = client.post("/api/jobs", json={"network": {"hidden": [{"units": 4}], "input_dim": 3},
                                              "data": SPIRAL})
    assert response.json()["detail"] == [{
        "loc": ["body", "network", "input_dim"], "field": "network.input_dim", "type": "value_error",
        "msg": "the network has 3 inputs but the data has 2"}]


def test_a_reworded_core_message_does_not_move_the_blame(client, monkeypatch):
    def validate(self):
        raise SpecError("activation", "Nobody has heard of that one.")

    monkeypatch.setattr(core_network.LayerSpec, "validate", validate)
    response = client.post("/api/networks", json={"input_dim": 2, "output_dim": 2,
                                                   "hidden": [{"units": 3}, {"units": 3}]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "hidden[0].activation"
    assert response.json()["detail"][0]["msg"] == "Nobody has heard of that one."


def test_no_nan_or_infinity_ever_reaches_json():
    body = {"loss": math.nan, "values": [1.0, math.inf, -math.inf], "array": np.array([0.5, np.nan]),
            "scalar": np.float32(2.5), "nested": {"deeper": [(math.nan,)]}}
    assert dumps(body) == (b'{"loss":null,"values":[1.0,null,null],"array":[0.5,null],"scalar":2.5,'
                           b'"nested":{"deeper":[[null]]}}')
    assert SafeJSONResponse({"x": math.inf}).body == b'{"x":null}'


@pytest.mark.parametrize("body", [b"\xff\xfe{", b'{"a": 1'])
def test_unreadable_bodies_are_a_documented_400_or_422(client, body):
    response = client.post("/api/networks", content=body, headers={"content-type": "application/json"})
    assert response.status_code in (400, 422)
    documented = client.get("/openapi.json").json()["paths"]["/api/networks"]["post"]["responses"]
    assert str(response.status_code) in documented
