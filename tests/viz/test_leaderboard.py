"""The leaderboard's figure: every scored submission, the front in parameter order, log x."""

import pytest

from app.nn import SpecError
from app.viz.leaderboard import leaderboard_figure


def test_every_scored_submission_and_the_front_in_parameter_order():
    entries = [{"name": "a", "score": 0.9, "parameters": 100, "pareto": True},
               {"name": "<b>", "score": 0.7, "parameters": 200, "pareto": False},
               {"name": "c", "score": 0.6, "parameters": 10, "pareto": True},
               {"name": "d", "score": None, "parameters": 5, "pareto": False}]
    fig = leaderboard_figure(entries, "r2").to_dict()
    points, front = fig["data"]
    assert len(points["x"]) == 3 and list(front["x"]) == [10, 100] and list(front["y"]) == [0.6, 0.9]
    assert fig["layout"]["xaxis"]["type"] == "log" and fig["layout"]["yaxis"]["title"]["text"] == "R²"
    assert "&lt;b&gt;" in points["text"]


def test_an_unknown_metric_is_named():
    with pytest.raises(SpecError) as raised:
        leaderboard_figure([], "loss")
    assert raised.value.field == "metric"
