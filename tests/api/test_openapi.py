"""The schema states what the server enforces, with the running server's own limits."""

from app.services.figures import NETWORK_FIGURES
from app.settings import Settings

from .conftest import SPIRAL, field_of, open_client


def test_limits_come_from_the_settings_into_the_checks_and_the_schema(tmp_path):
    with open_client(tmp_path, workers=1, max_units=16, max_hidden_layers=2, max_points=500) as small:
        too_wide = small.post("/api/networks", json={"input_dim": 2, "output_dim": 2, "hidden": [{"units": 17}]})
        assert field_of(too_wide) == ["hidden[0].units"]
        assert too_wide.json()["detail"][0]["msg"] == "at most 16 units per layer"
        too_deep = small.post("/api/networks", json={"input_dim": 2, "output_dim": 2, "hidden": [{"units": 2}] * 3})
        assert too_deep.json()["detail"][0]["msg"] == "at most 2 hidden layers"
        too_many = small.post("/api/datasets/preview", json=SPIRAL | {"n_per_class": 200})
        assert too_many.json()["detail"][0]["msg"] == "600 points is more than the limit of 500"
        schema = small.get("/openapi.json").json()["components"]["schemas"]
    assert schema["LayerSpec"]["properties"]["units"]["maximum"] == 16
    assert schema["NetworkSpec"]["properties"]["hidden"]["maxItems"] == 2
    spiral = next(branch for branch in schema["DataSpec"]["oneOf"] if branch["title"] == "spiral")
    per_class = {case["properties"].get("classes", {}).get("const"): case["properties"]["n_per_class"]
                 for case in spiral["anyOf"]}
    maximum = {classes: (value.get("anyOf") or [value])[0]["maximum"] for classes, value in per_class.items()}
    assert maximum[3] == 500 // 3 and maximum[8] == 500 // 8 and maximum[None] == 500 // 3  # 3: the default
    assert "n_per_class" in next(case for case in spiral["anyOf"] if case["properties"]["classes"].get("const") == 8)[
        "required"]  # 8 classes of the default 100 points would pass the limit
    assert "x-nnviz-limits" not in str(schema)


def test_default_limits_are_the_settings_defaults(client):
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert schema["LayerSpec"]["properties"]["units"]["maximum"] == Settings.model_fields["max_units"].default
    steps = schema["TrainingSpec"]["properties"]["steps"]["anyOf"][0]
    assert steps["maximum"] == Settings.model_fields["max_steps"].default


def test_the_figure_kinds_are_the_registrys(client):
    parameters = client.get("/openapi.json").json()["paths"]["/api/networks/{network_id}/figures/{kind}"]["get"]
    kind = next(p for p in parameters["parameters"] if p["name"] == "kind")
    assert kind["schema"]["enum"] == list(NETWORK_FIGURES)
