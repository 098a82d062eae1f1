"""The pure-NumPy network core: activations, layers, losses, optimizers, networks, training,
data sets and gradient checks. Imports numpy and the standard library only."""

from .activations import ACTIVATION_NAMES, describe, get_activation
from .datasets import DATASETS, Dataset, add_points, check_points, load_csv, make_dataset
from .gradcheck import check_network, numerical_gradient, rel_error
from .initializers import INIT_NAMES
from .losses import LOSS_NAMES, compute_loss, get_loss
from .network import LayerSpec, Network, NetworkSpec
from .optimizers import OPTIMIZER_NAMES, make_optimizer
from .regularizers import REGULARIZATION_NAMES, Regularizer
from .training import Progress, TrainConfig, Trainer, TrainResult, train

__all__ = [
    "ACTIVATION_NAMES", "DATASETS", "INIT_NAMES", "LOSS_NAMES", "OPTIMIZER_NAMES", "REGULARIZATION_NAMES",
    "Dataset", "LayerSpec", "Network", "NetworkSpec", "Progress", "Regularizer", "TrainConfig", "TrainResult",
    "Trainer", "add_points", "check_network", "check_points", "compute_loss", "describe", "get_activation",
    "get_loss", "load_csv",
    "make_dataset", "make_optimizer", "numerical_gradient", "rel_error", "train",
]
