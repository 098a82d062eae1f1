"""The pure-NumPy network core: activations, layers, losses, optimizers, networks, training,
data sets and gradient checks. Imports numpy and the standard library only."""

from .activations import ACTIVATION_NAMES, ACTIVATIONS, get_activation
from .datasets import DATASETS, MAX_COORDINATE, Dataset, add_points, check_points, load_csv, make_dataset
from .errors import SpecError
from .features import FEATURE_NAMES, FEATURES, feature_values
from .gradcheck import GradCheck, check_network, jitter_biases, numerical_gradient, rel_error
from .initializers import INIT_NAMES
from .losses import LOSS_NAMES, get_loss
from .network import LayerSpec, Network, NetworkSpec, check_fits, outputs_needed
from .optimizers import OPTIMIZER_NAMES, make_optimizer
from .regularizers import REGULARIZATION_NAMES, Regularizer
from .training import Progress, TrainConfig, Trainer, TrainResult, score, train

__all__ = [
    "ACTIVATIONS", "ACTIVATION_NAMES", "DATASETS", "FEATURES", "FEATURE_NAMES", "INIT_NAMES", "LOSS_NAMES",
    "MAX_COORDINATE", "OPTIMIZER_NAMES",
    "REGULARIZATION_NAMES", "Dataset", "GradCheck", "LayerSpec", "Network", "NetworkSpec", "Progress", "Regularizer",
    "SpecError", "TrainConfig", "TrainResult", "Trainer", "add_points", "check_fits", "check_network", "check_points",
    "feature_values",
    "get_activation", "get_loss", "jitter_biases", "load_csv", "make_dataset", "make_optimizer", "numerical_gradient",
    "outputs_needed", "rel_error", "score", "train",
]
