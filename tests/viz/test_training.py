import numpy as np
import pytest

from app.nn import LayerSpec, Network, NetworkSpec, TrainConfig, make_dataset, train
from app.viz import (
    dead_units_figure,
    figure_json,
    loss_comparison_figure,
    training_figure,
    update_ratio_figure,
)
from app.viz.training import steps_to_target

from .conftest import assert_finite_json, values


def _record(step, loss, acc=0.5, dead=(0.1,), ratio=(1e-3, 2e-3)):
    return {"step": step, "epoch": step / 10, "train_loss": loss, "reg_loss": 0.01, "train_accuracy": acc,
            "test_loss": loss, "test_accuracy": acc, "dead_fraction": list(dead),
            "update_ratio": None if ratio is None else list(ratio)}


def test_training_curves_from_a_real_history(spiral_run):
    _, result = spiral_run
    fig = training_figure(result.history)
    d = fig.to_dict()
    names = [t["name"] for t in d["data"]]
    assert names == ["train data loss", "test data loss", "regularization loss", "train accuracy", "test accuracy"]
    n = len(result.history)
    for trace in d["data"]:
        assert len(values(trace["x"])) == len(values(trace["y"])) == n
    np.testing.assert_allclose(values(d["data"][0]["y"]), [r["train_loss"] for r in result.history])
    np.testing.assert_allclose(values(d["data"][0]["x"]), [r["step"] for r in result.history])
    assert d["data"][3]["xaxis"] == "x2"
    assert d["layout"]["xaxis"]["title"]["text"].startswith("step")
    assert d["layout"]["yaxis2"]["title"]["text"] == "accuracy (%)"


def test_epochs_and_log_scale(spiral_run):
    _, result = spiral_run
    fig = training_figure(result.history, x_axis="epoch", log_loss=True)
    assert fig.layout.yaxis.type == "log"
    assert fig.layout.xaxis.title.text.startswith("epoch")
    np.testing.assert_allclose(fig.data[0].x, [r["epoch"] for r in result.history])
    with pytest.raises(ValueError, match="x_axis"):
        training_figure(result.history, x_axis="time")


def test_regression_history_shows_r2():
    history = [{"step": i, "epoch": i, "train_loss": 1.0 / (i + 1), "reg_loss": 0.0, "train_r2": i / 10,
                "test_loss": None, "test_r2": None, "dead_fraction": [], "update_ratio": None} for i in range(5)]
    fig = training_figure(history)
    assert [t.name for t in fig.data] == ["train data loss", "regularization loss", "train R²"]
    assert fig.layout.yaxis2.title.text.startswith("R²")


def test_diverged_history_keeps_the_finite_part_and_says_so():
    history = [_record(0, 1.0), _record(10, 5.0), _record(20, None, acc=None, ratio=(None, None))]
    fig = training_figure(history)
    assert list(fig.data[0].y) == [1.0, 5.0]
    notes = [a.text for a in fig.layout.annotations if "Diverged" in a.text]
    assert notes and "step 20" in notes[0]
    assert_finite_json(figure_json(fig))


def test_a_real_diverged_run_is_annotated_from_its_history():
    data = make_dataset("sine", n_points=50)
    net = Network(NetworkSpec(1, (LayerSpec(20, "relu"), LayerSpec(20, "relu")), 1, "mse", "he"), seed=0)
    result = train(net, data, TrainConfig(learning_rate=10.0, reg_strength=0, steps=500))
    assert result.status == "diverged"
    notes = [a.text for a in training_figure(result.history).layout.annotations if "Diverged" in a.text]
    assert notes and f"step {result.diverged_at}" in notes[0]


def test_empty_history_gives_an_explaining_figure():
    fig = training_figure([])
    assert not fig.data and any("No history" in a.text for a in fig.layout.annotations)
    with pytest.raises(ValueError, match="history"):
        training_figure([{"loss": 1}])


def test_dead_units_per_layer():
    history = [_record(s, 1.0, dead=(s / 100, 0.5)) for s in range(0, 50, 10)]
    fig = dead_units_figure(history)
    assert [t.name for t in fig.data] == ["h1", "h2"]
    np.testing.assert_allclose(fig.data[0].y, [0, 0.1, 0.2, 0.3, 0.4])
    assert fig.layout.yaxis.tickformat == ".0%"
    assert "dead" in fig.layout.yaxis.title.text


def test_update_ratio_is_log_with_the_reference_line(spiral_run):
    _, result = spiral_run
    fig = update_ratio_figure(result.history)
    assert [t.name for t in fig.data] == ["W1", "W2", "W3"]
    assert fig.layout.yaxis.type == "log"
    lines = [s for s in fig.layout.shapes if s.y0 == s.y1]
    assert [s.y0 for s in lines] == [1e-3]
    # the rule of thumb is from the notes' Part 3 (learning), not the Part 1 this app follows
    assert [a.text for a in fig.layout.annotations] == ["≈ 1e-3 (rule of thumb, CS231n Part 3)"]
    # the last record has no ratio (no update after it): dropped, not drawn as a gap or NaN
    assert len(fig.data[0].x) == sum(1 for r in result.history if r["update_ratio"])


def test_steps_to_target():
    xs = np.array([0, 10, 20, 30.0])
    assert steps_to_target(xs, np.array([1.0, 0.6, 0.4, 0.2]), 0.5, higher_is_better=False) == 20
    assert steps_to_target(xs, np.array([0.1, 0.5, 0.8, 0.9]), 0.75, higher_is_better=True) == 20
    assert steps_to_target(xs, np.array([1.0, 0.9, 0.8, 0.7]), 0.5, higher_is_better=False) is None


def test_loss_comparison_marks_steps_to_target_and_ratio():
    fast = [_record(s, 1.0 / (1 + s)) for s in range(0, 100, 5)]
    slow = [_record(s, 1.0 / (1 + s / 6)) for s in range(0, 100, 5)]
    fig = loss_comparison_figure([("relu", fast), ("tanh", slow)], target=0.1)
    lines = [t for t in fig.data if t.mode == "lines"]
    assert [t.name for t in lines] == ["relu", "tanh"]
    assert len(lines[0].x) == len(fast)
    summary = fig.layout.annotations[-1].text
    assert "relu: 10 steps" in summary and "tanh: 55 steps (5.50× relu)" in summary
    assert fig.layout.yaxis.title.text == "train loss"


def test_loss_comparison_ratios_to_a_named_baseline_with_whole_steps():
    fast = [_record(s, 1.0 / (1 + s)) for s in range(0, 20_000, 1000)]
    slow = [_record(s, 1.0 / (1 + s / 2)) for s in range(0, 20_000, 1000)]
    summary = loss_comparison_figure([("leaky", fast), ("relu", slow)], target=1e-3, baseline="relu").layout
    text = summary.annotations[-1].text
    assert "relu: 2,000 steps" in text and "leaky: 1,000 steps (0.50× relu)" in text  # never "1.00e+03"
    with pytest.raises(ValueError, match="baseline"):
        loss_comparison_figure([("relu", fast)], target=0.1, baseline="tanh")


def test_loss_comparison_error_metric_and_bad_input():
    runs = [("a", [_record(s, 1.0, acc=s / 100) for s in range(0, 100, 10)])]
    fig = loss_comparison_figure(runs, target=0.25, metric="train_error", x_axis="epoch")
    np.testing.assert_allclose(fig.data[0].y, [1 - s / 100 for s in range(0, 100, 10)])
    assert "a: 8 epochs" in fig.layout.annotations[-1].text
    with pytest.raises(ValueError, match="metric"):
        loss_comparison_figure(runs, metric="speed")
    with pytest.raises(ValueError, match="runs"):
        loss_comparison_figure([])


def test_update_ratio_axis_labels_stay_few_over_many_decades():
    narrow = [_record(s, 1.0, ratio=(1e-3, 2e-3)) for s in range(0, 50, 10)]
    assert update_ratio_figure(narrow).layout.yaxis.dtick == 1
    wide = [_record(s, 1.0, ratio=(10.0 ** -(s / 10 + 2), 1e-3)) for s in range(0, 130, 10)]  # 1e-2 .. 1e-14
    assert update_ratio_figure(wide).layout.yaxis.dtick == 2


def test_each_curve_names_the_history_value_it_draws(spiral_run):
    """A live page extends each line with new records by its ``meta``: [key] or [key, index]."""
    _, result = spiral_run
    for fig, x_key in ((training_figure(result.history, x_axis="epoch"), "epoch"),
                       (dead_units_figure(result.history), "step"), (update_ratio_figure(result.history), "step")):
        for trace in fig.data:
            key, *index = trace.meta
            drawn = [(r[x_key], r[key][index[0]] if index else r[key]) for r in result.history
                     if r.get(key) is not None and (not index or r[key][index[0]] is not None)]
            np.testing.assert_allclose(trace.x, [x for x, _ in drawn])
            np.testing.assert_allclose(trace.y, [y for _, y in drawn])


def test_loss_comparison_over_seeds_draws_the_mean_in_a_band():
    seeds = [[_record(s, (1 + k) / (1 + s)) for s in range(0, 50, 10)] for k in range(3)]
    short = seeds[2][:2]  # a seed that stopped early drops out of the later points, not to NaN
    fig = loss_comparison_figure([("relu", [seeds[0], seeds[1], short])], target=0.1)
    high, low, mean = fig.data[:3]
    assert low.fill == "tonexty" and "min–max over 3 seeds" in low.name and mean.name == "relu (mean of 3 seeds)"
    np.testing.assert_allclose(mean.y, [(1 + 2 + 3) / 3, (1 + 2 + 3) / 33, 1.5 / 21, 1.5 / 31, 1.5 / 41])
    np.testing.assert_allclose(low.y, [1, 1 / 11, 1 / 21, 1 / 31, 1 / 41])
    np.testing.assert_allclose(high.y, [3, 3 / 11, 2 / 21, 2 / 31, 2 / 41])
    assert "relu: 20 steps" in fig.layout.annotations[-1].text  # where the mean reaches 0.1
