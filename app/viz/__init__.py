"""Figure builders: networks, data sets and training histories -> plotly figures.

Pure functions (no web framework): each validates its input, computes arrays and returns a
``plotly.graph_objects.Figure``; ``figure_json`` serialises one for the browser.
"""

from . import theme
from .activation import activation_figure, activation_values
from .boundary import boundary_comparison_figure, boundary_grid, data_bounds, decision_boundary_figure
from .common import figure_json
from .inside import forward_trace_figure, hidden_space_figure
from .neuron import neuron_figure, neuron_maps_figure
from .theme import CLASS_COLORS, CLASS_SYMBOLS, apply_theme, class_color, class_symbol
from .thumbnails import feature_maps, node_maps
from .topology import topology_figure
from .training import dead_units_figure, loss_comparison_figure, training_figure, update_ratio_figure

__all__ = [
    "CLASS_COLORS", "CLASS_SYMBOLS", "activation_figure", "activation_values", "apply_theme",
    "boundary_comparison_figure",
    "boundary_grid", "class_color", "class_symbol", "data_bounds", "dead_units_figure", "decision_boundary_figure",
    "feature_maps",
    "figure_json",
    "forward_trace_figure", "hidden_space_figure", "loss_comparison_figure", "neuron_figure", "neuron_maps_figure",
    "node_maps",
    "theme", "topology_figure", "training_figure", "update_ratio_figure",
]
