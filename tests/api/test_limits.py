"""``GET /api/limits`` states the running server's limits: the ones its checks and schema enforce."""

from .conftest import open_client


def test_the_limits_are_the_settings_and_the_schemas(tmp_path):
    with open_client(tmp_path, workers=1, max_units=16, max_hidden_layers=2, max_compute=1e9) as small:
        limits = small.get("/api/limits")
        schema = small.get("/openapi.json").json()["components"]["schemas"]
        too_wide = small.post("/api/networks", json={"input_dim": 2, "output_dim": 2, "hidden": [{"units": 17}]})
    assert limits.status_code == 200
    stated = limits.json()
    assert stated["max_units"] == 16 == schema["LayerSpec"]["properties"]["units"]["maximum"]
    assert stated["max_hidden_layers"] == 2 == schema["NetworkSpec"]["properties"]["hidden"]["maxItems"]
    assert stated["max_compute"] == 1e9
    assert too_wide.status_code == 422  # one more than stated is refused
    assert set(stated) >= {"max_points", "max_steps", "max_grid", "max_added_points", "min_interval_ms"}
