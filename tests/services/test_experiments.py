"""The experiments' summaries follow their numbers; progress counts training steps."""

from app.services.experiments import (
    activations_summary,
    capacity,
    capacity_summary,
    count,
    percent,
    regularization,
    regularization_summary,
    resolve_options,
)
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


class Recorder:
    def __init__(self):
        self.calls: list[tuple[int, int]] = []

    def progress(self, step: int, total_steps: int) -> None:
        self.calls.append((step, total_steps))

    def cancelled(self) -> bool:
        return False


def test_progress_counts_steps_over_all_runs_and_seeds():
    options = resolve_options("regularization", {"steps": 300, "seeds": 2}, Limits.from_settings(Settings()))
    recorder = Recorder()
    result = regularization(options, recorder)
    assert {total for _, total in recorder.calls} == {3 * 2 * 300}
    steps = [step for step, _ in recorder.calls]
    assert steps == sorted(steps) and {0, 300, 600, 900, 1200, 1500} <= set(steps)  # each run's start
    assert result["figure"]["layout"]["title"]["text"] == "Decision regions compared"
    assert result["seeds"] == 2


def test_seeds_give_each_setting_a_mean_and_a_range():
    limits = Limits.from_settings(Settings())
    options = resolve_options("capacity", {"steps": 300, "seeds": 3, "units": [3, 20]}, limits)
    result = capacity(options, Recorder())
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
    single = capacity(options | {"seeds": 1}, Recorder())
    assert "spread" not in single["table"][0] and "One seed per setting" in single["summary"]
    assert "bands" not in single
