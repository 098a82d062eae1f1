"""Sweep figures from plain rows and aggregates: shapes, values, gaps for what is missing."""

import json

import pytest

from app.nn import LayerSpec, Network, NetworkSpec, SpecError
from app.viz import figure_json
from app.viz.sweeps import (
    Axis,
    boundaries_figure,
    curves_figure,
    default_figure,
    heatmap_figure,
    lines_figure,
    log_spaced,
    panel_label,
    parallel_figure,
    setting_label,
)

RATES = Axis("training.learning_rate", (0.001, 0.01, 0.1, 1.0), log=True)
UNITS = Axis("network.hidden[0].units", (3, 20))
ACTIVATION = Axis("network.hidden[*].activation", ("relu", "tanh"))


def aggregate(settings: dict, mean: float | None, spread: float = 0.1, finished: int = 3) -> dict:
    metrics = {} if mean is None else {"test_accuracy": {"mean": mean, "min": mean - spread, "max": mean + spread}}
    return {"settings": settings, "metrics": metrics, "finished": finished, "runs": 3}


def grid() -> list[dict]:
    return [aggregate({RATES.path: r, UNITS.path: u}, None if (r, u) == (1.0, 20) else i / 10)
            for i, (r, u) in enumerate((r, u) for r in RATES.values for u in UNITS.values)]


def test_the_default_figure_follows_the_sweeps_shape():
    assert [default_figure(n, False) for n in (1, 2, 3)] == ["lines", "heatmap", "parallel"]
    assert default_figure(2, True) == "parallel"
    assert log_spaced((0.001, 0.01, 0.1)) and not log_spaced((1, 2, 3)) and not log_spaced(("a", "b"))


def test_the_heatmap_puts_each_settings_mean_in_its_cell_with_the_spread_on_hover():
    trace = heatmap_figure([RATES, UNITS], grid(), "test_accuracy").to_dict()["data"][0]
    assert trace["x"] == ["0.001", "0.01", "0.1", "1"] and trace["y"] == ["3", "20"]
    assert len(trace["z"]) == 2 and len(trace["z"][0]) == 4
    assert trace["z"][0][1] == pytest.approx(0.2) and trace["z"][1][1] == pytest.approx(0.3)  # (0.01, 3), (0.01, 20)
    assert trace["z"][1][3] is None  # not finished: a gap
    assert trace["customdata"][0][1] == "min 0.1, max 0.3 over 3 of 3 runs"
    json.loads(figure_json(heatmap_figure([RATES, UNITS], grid(), "test_accuracy")))
    with pytest.raises(SpecError, match="2 settings") as caught:
        heatmap_figure([RATES], grid(), "test_accuracy")
    assert caught.value.field == "kind"


def test_lines_draw_the_mean_in_a_min_max_band_on_a_log_axis_for_log_spaced_values():
    fig = lines_figure([RATES, UNITS], grid(), "test_accuracy").to_dict()
    means = [t for t in fig["data"] if t.get("mode") == "lines+markers"]
    assert [t["name"] for t in means] == ["units in hidden layer 1 = 3", "units in hidden layer 1 = 20"]
    assert [t["legendgroup"] for t in means] == ["network.hidden[0].units = 3", "network.hidden[0].units = 20"]
    assert list(means[0]["x"]) == [0.001, 0.01, 0.1, 1.0] and means[0]["y"][1] == pytest.approx(0.2)
    bands = [t for t in fig["data"] if t.get("fill") == "tonexty"]
    assert len(bands) == 2 and bands[0]["y"][1] == pytest.approx(0.1)
    assert fig["layout"]["xaxis"]["type"] == "log"
    one = lines_figure([ACTIVATION], [aggregate({ACTIVATION.path: a}, 0.5) for a in ACTIVATION.values],
                       "test_accuracy").to_dict()
    assert one["layout"]["xaxis"]["type"] == "category" and list(one["data"][-1]["x"]) == ["relu", "tanh"]


def test_lines_draw_several_metrics_each_in_its_band_and_name_what_the_runs_differ_by():
    crowd = [{"settings": {UNITS.path: units}, "finished": 2, "runs": 4, "metrics": {
        "train_accuracy": {"mean": train, "min": train - 0.1, "max": train + 0.1},
        "test_accuracy": {"mean": train - 0.2, "min": train - 0.3, "max": train - 0.1}}}
        for units, train in ((3, 0.6), (20, 0.9))]
    fig = lines_figure([UNITS], crowd, ("train_accuracy", "test_accuracy"), over="students").to_dict()
    means = [t for t in fig["data"] if t.get("mode") == "lines+markers"]
    assert [t["name"] for t in means] == ["training accuracy", "test accuracy"]
    assert [list(t["y"]) for t in means] == [pytest.approx([0.6, 0.9]), pytest.approx([0.4, 0.7])]
    assert all(list(t["x"]) == [3, 20] for t in means)
    bands = [t for t in fig["data"] if t.get("fill") == "tonexty"]
    assert [list(t["y"]) for t in bands] == [pytest.approx([0.5, 0.8]), pytest.approx([0.3, 0.6])]
    assert len({t["legendgroup"] for t in means}) == 2 and fig["layout"]["showlegend"]
    assert fig["layout"]["title"]["text"] == ("training accuracy and test accuracy against units in hidden layer 1 "
                                              "(band: min–max over students)")
    json.loads(figure_json(lines_figure([UNITS], crowd, ("train_accuracy", "test_accuracy"))))
    with pytest.raises(SpecError) as caught:
        lines_figure([UNITS], crowd, ())
    assert caught.value.field == "metric"


def test_parallel_coordinates_have_one_dimension_per_setting_and_the_metric():
    rows = [{"settings": {RATES.path: r, ACTIVATION.path: a}, "test_accuracy": 0.5 + r / 10}
            for r in RATES.values for a in ACTIVATION.values] + [
        {"settings": {RATES.path: 0.1, ACTIVATION.path: "relu"}, "test_accuracy": None}]
    trace = parallel_figure([RATES, ACTIVATION], rows, "test_accuracy").to_dict()["data"][0]
    labels = [d["label"] for d in trace["dimensions"]]
    assert labels == ["log₁₀ learning rate", "activation of every hidden layer", "test accuracy"]
    assert len(trace["dimensions"][0]["values"]) == 8  # the unfinished row is left out
    assert list(trace["dimensions"][1]["ticktext"]) == ["relu", "tanh"]
    assert list(trace["dimensions"][0]["values"][:2]) == [-3.0, -3.0]


def test_curves_are_coloured_by_one_setting_with_one_legend_entry_per_value():
    history = [{"step": s, "train_loss": 1.0 / (s + 1)} for s in range(0, 50, 10)]
    runs = [({ACTIVATION.path: a}, history) for a in ("relu", "relu", "tanh")]
    data = curves_figure(runs, ACTIVATION, "train_loss").to_dict()["data"]
    assert len(data) == 3 and [t["showlegend"] for t in data] == [True, False, True]
    assert data[0]["line"]["color"] == data[1]["line"]["color"] != data[2]["line"]["color"]
    assert list(data[0]["x"]) == [0, 10, 20, 30, 40]
    numeric = curves_figure([({RATES.path: r}, history) for r in RATES.values], RATES).to_dict()["data"]
    assert len({t["line"]["color"] for t in numeric}) == 4


def test_boundaries_are_small_multiples_six_to_a_row(spiral_data):
    panels = [(f"{u} units", Network(NetworkSpec(2, (LayerSpec(u),), 3), seed=0), spiral_data) for u in range(1, 8)]
    fig = boundaries_figure(panels).to_dict()
    heatmaps = [t for t in fig["data"] if t["type"] == "heatmap"]
    assert len(heatmaps) == 7 and heatmaps[6]["xaxis"] == "x7"
    assert fig["layout"]["xaxis3"]["domain"][0] > fig["layout"]["xaxis2"]["domain"][0]  # 3 to a row for 7
    assert fig["layout"]["yaxis4"]["domain"][1] < fig["layout"]["yaxis"]["domain"][0]  # the 4th starts row 2
    # Between two rows, room for the upper row's tick labels and x-axis title and the lower row's
    # two-line titles, however many rows: the same pixels as a 2 x 2 grid's.
    for count, second_row in ((4, "yaxis3"), (7, "yaxis4")):  # 2 x 2 and 3 x 3
        layout = boundaries_figure(panels[:count]).to_dict()["layout"]
        plot_height = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
        gap = layout["yaxis"]["domain"][0] - layout[second_row]["domain"][1]
        assert gap * plot_height == pytest.approx(110)
    with pytest.raises(SpecError):
        boundaries_figure([])
    with pytest.raises(SpecError, match="1 to 36"):
        boundaries_figure(panels * 6)


def test_boundary_panels_are_titled_by_their_values_and_the_figure_names_the_settings(spiral_data):
    settings = [{"training.learning_rate": rate, "network.hidden[0].units": units}
                for rate in (0.001, 0.1) for units in (2, 8, 32)]
    assert panel_label(settings[1]) == "0.001 · 8"
    panels = [(panel_label(s), Network(NetworkSpec(2, (LayerSpec(s["network.hidden[0].units"]),), 3), seed=0),
               spiral_data) for s in settings]
    fig = boundaries_figure(panels, list(settings[0])).to_dict()
    layout = fig["layout"]
    assert layout["title"]["text"] == "Decision regions, each titled learning rate · units in hidden layer 1"
    titles = [a["text"].split("<br>")[0] for a in layout["annotations"]]
    assert titles == ["0.001 · 2", "0.001 · 8", "0.001 · 32", "0.1 · 2", "0.1 · 8", "0.1 · 32"]
    # 6 panels, 3 to a row: the x axes' name under the lower row only, the y axes' at the left only.
    named_x = [name for name in ("xaxis", *(f"xaxis{i}" for i in range(2, 7)))
               if layout[name].get("title", {}).get("text")]
    named_y = [name for name in ("yaxis", *(f"yaxis{i}" for i in range(2, 7)))
               if layout[name].get("title", {}).get("text")]
    assert named_x == ["xaxis4", "xaxis5", "xaxis6"] and named_y == ["yaxis", "yaxis4"]


@pytest.mark.parametrize(("path", "label"), [
    ("network.hidden[0].units", "units in hidden layer 1"),
    ("network.hidden[2].activation", "activation of hidden layer 3"),
    ("network.hidden[*].units", "units in every hidden layer"), ("training.learning_rate", "learning rate"),
    ("training.reg_strength", "regularization strength λ"), ("training.optimizer_options.mu", "momentum μ"),
    ("data.noise", "data noise"), ("network.init", "initialization"), ("training.optimizer", "optimizer"),
    ("network.hidden", "hidden layers"), ("training.some_new_setting", "some new setting"),
])
def test_settings_are_named_as_people_read_them(path, label):
    assert setting_label(path) == label


def test_figures_name_settings_in_words_and_lines_keep_their_paths_as_the_key():
    rates = Axis("training.learning_rate", (0.01, 0.1))
    units = Axis("network.hidden[0].units", (2, 8))
    aggregates = [aggregate({rates.path: r, units.path: u}, 0.5) for r in rates.values for u in units.values]
    heat = heatmap_figure([rates, units], aggregates, "test_accuracy").to_dict()["layout"]
    titles = (heat["xaxis"]["title"]["text"], heat["yaxis"]["title"]["text"])
    assert titles == ("learning rate", "units in hidden layer 1")
    lines = lines_figure([rates, units], aggregates, "test_accuracy").to_dict()
    assert lines["layout"]["xaxis"]["title"]["text"] == "learning rate"
    named = [t for t in lines["data"] if t.get("showlegend") is not False]
    assert [t["name"] for t in named] == ["units in hidden layer 1 = 2", "units in hidden layer 1 = 8"]
    assert [t["legendgroup"] for t in named] == ["network.hidden[0].units = 2", "network.hidden[0].units = 8"]
