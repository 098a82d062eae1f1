"""The crowd experiment's pure parts: which settings it may vary, and which runs count."""

import pytest

from app.nn import SpecError
from app.services.crowd import check_setting, chosen_setting, crowd_runs, crowd_summary, run_settings
from app.services.sweep_plan import get_path, parse_path

UNITS = "network.hidden[0].units"


def job(owner: str, units: list[int], accuracy: float, status: str = "done", activation: str = "relu") -> dict:
    spec = {"hidden": [{"units": u, "activation": activation} for u in units], "loss": "softmax"}
    return {"owner": owner, "status": status, "request": {"network": {"id": "n"}, "spec": spec, "data": {},
                                                          "training": {"learning_rate": 0.1}},
            "metrics": {"train_accuracy": accuracy, "test_accuracy": accuracy - 0.1, "dead_fraction": [0.5]}}


def test_a_path_is_read_where_a_sweep_would_set_it():
    request = run_settings(job("ada", [3, 5], 0.5)["request"])
    assert get_path(request, parse_path(UNITS, "x")) == 3
    assert get_path(request, parse_path("network.hidden[*].activation", "x")) == "relu"
    assert get_path(request, parse_path("training.learning_rate", "x")) == 0.1
    for missing in ("network.hidden[*].units", "network.hidden[2].units", "training.reg_strength"):
        with pytest.raises(LookupError):
            get_path(request, parse_path(missing, "x"))


def test_the_setting_must_be_left_to_the_students():
    assert check_setting(UNITS, ["network.hidden"], "setting") == UNITS
    assert check_setting("training.optimizer_options.mu", ["training.optimizer"], "setting")
    for path, unlocked in [(UNITS, ["training.learning_rate"]), ("training.steps", ["network.hidden"]),
                           ("network.hiden", ["network.hidden"])]:
        with pytest.raises(SpecError) as caught:
            check_setting(path, unlocked, "setting")
        assert caught.value.field == "setting"
    assert chosen_setting({}, {"crowd": UNITS}, ["network.hidden"]) == UNITS
    assert chosen_setting({}, {"crowd": UNITS}, []) is None
    assert chosen_setting({"crowd": None}, {"crowd": UNITS}, ["network.hidden"]) is None


def test_each_members_newest_run_per_value_counts_once():
    jobs = [job("ada", [3], 0.9), job("ada", [3], 0.2), job("bob", [3], 0.7, "diverged"), job("bob", [8], 0.8),
            job("lecturer", [3], 1.0), job("bob", [2, 2], 0.6)]  # newest first
    values, rows = crowd_runs(jobs, {"ada", "bob"}, UNITS)
    assert values == [2, 3, 8]
    summary = crowd_summary(UNITS, values, rows, 2)
    three = summary["values"][1]
    assert three["students"] == 2 and three["diverged"] == 1
    assert three["train"] == {"mean": pytest.approx(0.8), "min": 0.7, "max": 0.9}
    assert three["test"]["min"] == pytest.approx(0.6)
    assert [v["students"] for v in summary["values"]] == [1, 2, 1] and summary["runs"] == 4
    assert summary["metric"] == "accuracy" and summary["aggregates"][1]["runs"] == 2
