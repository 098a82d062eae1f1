"""A class's leaderboard as a figure: each submission's score against its parameter count (log x),
the Pareto front (the smallest network for its score) joined by a line."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from app.nn import SpecError

from .common import plain_text
from .theme import apply_theme, series_color

METRIC_TITLES = {"accuracy": "accuracy", "r2": "R²"}


def leaderboard_figure(entries: list[dict[str, Any]], metric: str = "accuracy") -> go.Figure:
    """``entries``: the leaderboard's rows (``name``, ``score``, ``parameters``, ``pareto``); those
    without a score are left out. Two traces: every submission, and the front in parameter order."""
    if metric not in METRIC_TITLES:
        raise SpecError("metric", f"unknown metric {metric!r}; expected one of: {', '.join(METRIC_TITLES)}")
    scored = [entry for entry in entries if entry["score"] is not None]
    front = sorted((entry for entry in scored if entry["pareto"]), key=lambda entry: entry["parameters"])
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=[entry["parameters"] for entry in scored], y=[entry["score"] for entry in scored], mode="markers",
        name="submissions", text=[plain_text(entry["name"]) for entry in scored],
        marker={"size": 9, "color": series_color(0), "opacity": 0.7},
        hovertemplate="%{text}<br>%{x} parameters<br>%{y:.3f}<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=[entry["parameters"] for entry in front], y=[entry["score"] for entry in front], mode="lines+markers",
        name="Pareto front", line={"shape": "hv", "color": series_color(1)},
        marker={"size": 12, "symbol": "star", "color": series_color(1)},
        text=[plain_text(entry["name"]) for entry in front],
        hovertemplate="%{text} (on the front)<br>%{x} parameters<br>%{y:.3f}<extra></extra>"))
    fig.update_xaxes(title_text="parameters (log scale)", type="log")
    fig.update_yaxes(title_text=METRIC_TITLES[metric])
    return apply_theme(fig, title={"text": f"{METRIC_TITLES[metric]} against size: {len(scored)} submissions"})
