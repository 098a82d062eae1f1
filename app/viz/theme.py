"""One look for every figure: colour-blind-safe class colours, a clean white template, fonts.

Class k is drawn in ``CLASS_COLORS[k]`` everywhere (points, regions, legends), with the marker
``CLASS_SYMBOLS[k]``; the colours are taken from the
Okabe–Ito palette, which stays distinguishable under the common colour-vision deficiencies.
Signed quantities (weights, biases, activations around 0) use ``DIVERGING`` (red < 0 < blue);
unsigned ones (a regression output) use ``SEQUENTIAL`` (viridis), both colour-blind safe.
"""

from __future__ import annotations

import plotly.graph_objects as go

# Okabe & Ito (2008), reordered so that the first classes contrast most.
CLASS_COLORS: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
# Each class has its own marker shape as well: under tritanopia classes 0 and 2 (blue, bluish
# green) look alike, and a shape tells them apart without colour at all. "x" marks misclassified points.
CLASS_SYMBOLS: tuple[str, ...] = (
    "circle", "square", "diamond", "triangle-up", "triangle-down", "pentagon", "hexagon", "star",
)
# Lines that are not classes (activations, layers, runs) cycle through the same palette.
SERIES_COLORS = CLASS_COLORS

DIVERGING = "RdBu"  # negative red, positive blue
SEQUENTIAL = "Viridis"
INK = "#1f2933"  # text, outlines, markers of misclassified points
MUTED = "#7b8794"  # secondary lines (grid lines, edges of an untrained spec)
GRID = "#e4e7eb"
FONT_FAMILY = "Inter, 'Segoe UI', system-ui, -apple-system, Helvetica, Arial, sans-serif"

_AXIS = dict(
    showgrid=True, gridcolor=GRID, zeroline=False, showline=True, linecolor="#9aa5b1",
    ticks="outside", tickcolor="#9aa5b1", title=dict(standoff=8), automargin=True,
)

TEMPLATE = go.layout.Template(
    layout=dict(
        font=dict(family=FONT_FAMILY, size=13, color=INK),
        title=dict(font=dict(size=16), x=0.02, xanchor="left"),
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=list(SERIES_COLORS),
        xaxis=_AXIS,
        yaxis=_AXIS,
        legend=dict(bgcolor="rgba(255,255,255,0.85)", bordercolor=GRID, borderwidth=1),
        hoverlabel=dict(font=dict(family=FONT_FAMILY, size=12)),
        margin=dict(l=60, r=30, t=60, b=55),
    )
)


def class_color(k: int) -> str:
    """Colour of class ``k`` (the palette repeats after 8 classes)."""
    return CLASS_COLORS[k % len(CLASS_COLORS)]


def class_symbol(k: int) -> str:
    """Marker shape of class ``k`` (repeats after 8 classes, with the colours)."""
    return CLASS_SYMBOLS[k % len(CLASS_SYMBOLS)]


def series_color(i: int) -> str:
    return SERIES_COLORS[i % len(SERIES_COLORS)]


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


def tint(color: str, strength: float) -> str:
    """``color`` mixed with white: strength 0 is white, 1 the colour itself."""
    r, g, b = (round(255 + (c - 255) * strength) for c in hex_to_rgb(color))
    return f"rgb({r},{g},{b})"


def rgba(color: str, alpha: float) -> str:
    r, g, b = hex_to_rgb(color)
    return f"rgba({r},{g},{b},{alpha})"


def apply_theme(fig: go.Figure, **layout) -> go.Figure:
    """Give ``fig`` the nnviz template (plus any layout overrides) and return it."""
    fig.update_layout(template=TEMPLATE, **layout)
    return fig
