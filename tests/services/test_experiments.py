"""The experiments' summaries follow their numbers; each setting × seed is a lone training run."""

import json

import numpy as np
import pytest

from app.nn import Network, NetworkSpec, SpecError, TrainConfig, train
from app.services.data_specs import build_dataset
from app.services.experiment_text import activations_summary, capacity_summary, count, percent, regularization_summary
from app.services.experiments import assemble, resolve_options, run_record, run_tasks
from app.services.specs import Limits
from app.settings import Settings


def _reg_rows(test: list[float], train_loss: list[float]) -> list[dict]:
    return [{"reg_strength": lam, "parameters": 102, "train_loss": loss, "train_accuracy": 0.86,
             "test_accuracy": acc, "reg_loss": 0.1} for lam, acc, loss in zip((0.001, 0.01, 0.1), test, train_loss)]


def test_formats():
    assert percent(0.857142) == "85.7 %" and percent(None) == "n/a"
    assert count(10_000) == "10,000" and count(None) == "never"


def test_regularization_summary_says_what_the_test_accuracy_did():
    falling = regularization_summary(_reg_rows([0.9, 0.8, 0.7667], [0.2, 0.3, 0.4]), 20)
    assert "test accuracy from 90.0 % to 76.7 %" in falling
    assert "weakest penalty does best" in falling and "strongest penalty does best" not in falling
    rising = regularization_summary(_reg_rows([0.7, 0.8, 0.9], [0.2, 0.3, 0.4]), 20)
    assert "strongest penalty does best" in rising
    middle = regularization_summary(_reg_rows([0.8, 0.9, 0.7], [0.2, 0.3, 0.4]), 20)
    assert "is at λ = 0.01" in middle


def test_capacity_summary_names_the_gap_only_when_there_is_one():
    rows = [{"hidden_units": u, "train_accuracy": tr, "test_accuracy": te}
            for u, tr, te in ((3, 0.857, 0.8), (6, 0.914, 0.9), (20, 1.0, 0.8))]
    text = capacity_summary(rows)
    assert "a gap of 20.0 points" in text and "The best test accuracy, 90.0 %, comes from 6 units" in text
    rows[2]["test_accuracy"] = 0.99
    assert "no large gap" in capacity_summary(rows)


def test_activations_summary_uses_the_tables_baseline():
    rows = [{"activation": name, "steps_to_target": s, "ratio": None if s is None else s / 330}
            for name, s in (("relu", 330), ("tanh", 340), ("sigmoid", 1600), ("leaky_relu", None))]
    text = activations_summary(rows, 0.75, 3000)
    assert "relative to relu" in text and "relu 330, tanh 340, sigmoid 1,600, leaky_relu never" in text
    assert "tanh takes 1.03× ReLU's steps" in text
    assert "(or never there): sigmoid, leaky_relu" in text and "Within 1.5× of relu: tanh." in text


def alone(name: str, options: dict) -> dict:
    """The experiment's result with each run trained alone, one after another, in this process:
    the reference a group of runs on the workers must match number for number."""
    payloads = []
    for task in run_tasks(name, options):
        net = Network(NetworkSpec.from_dict(task["network"]["spec"]), seed=task["network"]["seed"])
        result = train(net, build_dataset(task["data"]), TrainConfig(**task["training"]))
        payloads.append({"status": result.status, "error": None, "history": result.history,
                         "steps_trained": net.steps_trained, "seconds": result.seconds, "weights": net.get_weights()})
    seeds = options["seeds"]
    return assemble(name, options, [run_record(name, i, seeds, payload) for i, payload in enumerate(payloads)])


def test_each_setting_and_seed_is_a_lone_training_run():
    options = resolve_options("regularization", {"steps": 300, "seeds": 2}, Limits.from_settings(Settings()))
    tasks = run_tasks("regularization", options, checkpoint_seconds=0.5)
    assert len(tasks) == 3 * 2 and sum(task["training"]["steps"] for task in tasks) == 3 * 2 * 300
    # Run i * seeds + k: setting i with seed k, which adds k to the network's and the training's seed.
    assert [task["training"]["reg_strength"] for task in tasks] == [0.001, 0.001, 0.01, 0.01, 0.1, 0.1]
    assert [task["network"]["seed"] for task in tasks] == [task["training"]["seed"] for task in tasks] == [0, 1] * 3
    assert {task["live"] for task in tasks} == {None} and {task["checkpoint_seconds"] for task in tasks} == {0.5}
    assert [(layer["units"], layer["activation"]) for layer in tasks[0]["network"]["spec"]["hidden"]] == [(20, "relu")]
    result = alone("regularization", options)
    assert result["figure"]["layout"]["title"]["text"] == "Decision regions compared"
    assert result["seeds"] == 2 and [row["reg_strength"] for row in result["table"]] == [0.001, 0.01, 0.1]


def test_a_run_brings_back_what_the_result_needs():
    payload = {"status": "done", "error": None, "steps_trained": 10, "seconds": 0.5,
               "history": [{"step": 0}, {"step": 10, "train_loss": 0.5}], "weights": {"W1": np.ones((2, 3))}}
    first, second = run_record("capacity", 3, 3, payload), run_record("capacity", 4, 3, payload)
    assert first["weights"] == {"W1": [[1.0] * 3] * 2} and second["weights"] is None  # the boundary's: seed 1
    assert first["history"] == [{"step": 10, "train_loss": 0.5}]  # the final metrics only
    assert run_record("activations", 4, 3, payload)["history"] == payload["history"]  # its curves need them all
    assert json.loads(json.dumps(first)) == first


def test_seeds_give_each_setting_a_mean_and_a_range():
    limits = Limits.from_settings(Settings())
    options = resolve_options("capacity", {"steps": 300, "seeds": 3, "units": [3, 20]}, limits)
    result = alone("capacity", options)
    for row in result["table"]:
        for key in ("train_loss", "train_accuracy", "test_accuracy"):
            low, high = row["spread"][key]
            assert low - 1e-12 <= row[key] <= high + 1e-12  # a mean of equal values may round
    assert result["table"][1]["spread"]["train_loss"][0] < result["table"][1]["spread"]["train_loss"][1]  # seeds differ
    assert "spread" not in [column["key"] for column in result["columns"]]
    assert "(seed 1 of 3)" in result["figure"]["layout"]["annotations"][0]["text"]
    assert "means over 3 seeds" in result["summary"]
    # The held-out accuracy against the units: the mean in a band from the seeds' min to max.
    high, low, mean = result["bands"]["data"]
    assert list(mean["x"]) == [3, 20] and low["fill"] == "tonexty"
    for i, row in enumerate(result["table"]):
        assert mean["y"][i] == row["test_accuracy"]
        assert [low["y"][i], high["y"][i]] == row["spread"]["test_accuracy"]
    single = alone("capacity", options | {"seeds": 1})
    assert "spread" not in single["table"][0] and "One seed per setting" in single["summary"]
    assert "bands" not in single


def test_an_experiment_s_budget_is_the_sum_of_its_runs():
    # capacity on its moons (70 training points): 3, 6 and 20 units of 2 inputs and 2 outputs, 5 seeds each
    options = {"steps": 1000, "seeds": 5}
    parameters = [units * 2 + units + units * 2 + 2 for units in (3, 6, 20)]  # W1, b1, W2, b2
    cost = sum(5 * 1000 * 70 * p for p in parameters)
    assert resolve_options("capacity", options, Limits.from_settings(Settings(max_compute=cost)))["seeds"] == 5
    with pytest.raises(SpecError) as caught:
        resolve_options("capacity", options, Limits.from_settings(Settings(max_compute=cost - 1)))
    assert caught.value.field == "steps" and "summed over its runs" in caught.value.message
