"""The training loop: steps or epochs, full batch or shuffled minibatches, seeded.

Each step: forward and backward on a batch, add the regularization gradient, back up the weights,
update. The loop reuses its caches (no new arrays per step) and checks every step's loss: if it is
NaN or inf, training stops with status ``diverged`` and the weights of the last finite step are put
back. At the record steps (``is_record_step``: every step of a network's first 100, then spaced
evenly in log(step), at most ``history_every`` apart) it records, over the whole training and test
sets: data loss, regularization loss, accuracy (R² for regression), the fraction of dead units per
hidden layer and the update/weight norm ratio per weight matrix (the notes' ~1e-3 heuristic).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .cache import Cache
from .datasets import Dataset
from .errors import SpecError
from .network import Network, check_fits
from .optimizers import make_optimizer
from .regularizers import Regularizer

HISTORY_RECORDS = 200  # default history_every: the run's steps over this (records of its plain stretch)
# A network's loss moves fastest in its first steps: they are all recorded, and after them the gap
# between records doubles each time the step count does, RECORDS_PER_DOUBLING records per doubling
# (evenly spaced in log(step)), so a loss curve is smooth where it bends and a few hundred records
# cover any run.
DENSE_HISTORY_STEPS = 100
RECORDS_PER_DOUBLING = 50


def record_gap(step: int, every: int) -> int:
    """The spacing of history records at network step ``step``: 1 for its first
    ``DENSE_HISTORY_STEPS`` steps, then 2 up to step 200, 4 up to 400, ... (``RECORDS_PER_DOUBLING``
    per doubling), never more than ``every``."""
    if step < DENSE_HISTORY_STEPS:
        return 1
    doublings = (step // DENSE_HISTORY_STEPS).bit_length() - 1  # step in [100 * 2**d, 100 * 2**(d + 1))
    return max(1, min(every, (DENSE_HISTORY_STEPS // RECORDS_PER_DOUBLING) << doublings))


def is_record_step(step: int, every: int) -> bool:
    """Whether the weights after ``step`` steps of a network's life are recorded (a run also records
    its first and last weights). A function of the network's step alone, so the records of a run cut
    into jobs or slices, or resumed from a checkpoint, fall on the same steps. Region boundaries
    (100 * 2**d) are multiples of both gaps around them, so consecutive gaps never shrink."""
    return step % record_gap(step, every) == 0


@dataclass
class TrainConfig:
    """How to train. Give ``steps`` or ``epochs`` (an epoch is one pass over the training set);
    ``batch_size=None`` means full batch. ``optimizer_options`` holds e.g. ``mu`` or ``decay``."""

    optimizer: str = "sgd"
    learning_rate: float = 1.0
    regularization: str = "l2"
    reg_strength: float = 1e-3
    batch_size: int | None = None
    steps: int | None = None
    epochs: int | None = None
    seed: int = 0
    history_every: int | None = None
    optimizer_options: dict[str, float] = field(default_factory=dict)

    def validate(self) -> None:
        """Raise ``SpecError`` naming the field (``learning_rate``, ``optimizer_options.mu``, ...)."""
        make_optimizer(self.optimizer, self.learning_rate, **self.optimizer_options)
        Regularizer(self.regularization, self.reg_strength)
        if self.batch_size is not None and (not _positive_int(self.batch_size)):
            raise SpecError("batch_size", "must be an integer >= 1 (or null for full batch)")
        if (self.steps is None) == (self.epochs is None):
            raise SpecError("steps", "give exactly one of steps and epochs")
        if self.steps is not None and (not _positive_int(self.steps)):
            raise SpecError("steps", "must be an integer >= 1")
        if self.epochs is not None and (not _positive_int(self.epochs)):
            raise SpecError("epochs", "must be an integer >= 1")
        if self.history_every is not None and not _positive_int(self.history_every):
            raise SpecError("history_every", "must be an integer >= 1")

    def steps_per_epoch(self, n_train: int) -> int:
        batch = min(self.batch_size or n_train, n_train)
        return math.ceil(n_train / batch)

    def total_steps(self, n_train: int) -> int:
        if self.steps is not None:
            return self.steps
        return self.epochs * self.steps_per_epoch(n_train)


def _positive_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 1


@dataclass
class Progress:
    """What a progress callback sees: the run's position and the latest history record."""

    step: int  # steps completed in this run
    total_steps: int
    epoch: float  # epochs completed in total (warm starts included)
    batch_loss: float
    record: dict[str, Any] | None


@dataclass
class TrainResult:
    status: str  # "done", "diverged" or "cancelled"
    steps: int  # steps completed in this run
    history: list[dict[str, Any]]
    seconds: float
    diverged_at: int | None = None

    @property
    def metrics(self) -> dict[str, Any]:
        """The final history record (whole training and test sets, final weights)."""
        return self.history[-1] if self.history else {}


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


class _Evaluator:
    """Metrics of the current weights on a fixed set, with caches kept between calls."""

    def __init__(self, net: Network, X: np.ndarray, y: np.ndarray, caches: list[Cache]):
        self.net, self.X, self.y, self.caches = net, X, y, caches
        self.target = net.loss.encode(y, net.spec.output_dim)

    def __call__(self) -> dict[str, float | None]:
        scores = self.net.forward(self.X, self.caches)
        loss, _ = self.net.loss.forward_backward(scores, self.target, self.caches[-1])
        return self.metrics(scores, loss)

    def metrics(self, scores: np.ndarray, loss: float) -> dict[str, float | None]:
        """The metrics of the set's ``scores`` and their mean ``loss`` (a forward pass over the set)."""
        net = self.net
        if not np.all(np.isfinite(scores)):
            return {"loss": None, "metric": None}
        return {"loss": _finite(loss), "metric": _metric(net, scores, self.target, self.y)}


def _metric(net: Network, scores: np.ndarray, target: np.ndarray, y: np.ndarray) -> float | None:
    """Accuracy of finite ``scores`` (N, C) against labels ``y`` (N,); for regression R² = 1 − SS_res / SS_tot
    against ``target`` (N, T) (None when the targets do not vary)."""
    if net.loss.task == "regression":
        residual = float(np.sum((scores - target) ** 2))
        spread = float(np.sum((target - target.mean(axis=0)) ** 2))
        return 1.0 - residual / spread if spread > 0 else None
    return float(np.mean(net.loss.predict(scores) == y))


def score(net: Network, X: np.ndarray, y: np.ndarray) -> float | None:
    """The network's accuracy (R² for regression) on ``X`` (N, D) with labels or targets ``y`` (N,);
    None when its scores are not finite (or the targets do not vary)."""
    scores = net.forward(X)
    if not np.all(np.isfinite(scores)):
        return None
    return _metric(net, scores, net.loss.encode(y, net.spec.output_dim), y)


def train(
    net: Network,
    data: Dataset,
    config: TrainConfig,
    on_progress: Callable[[Progress], bool | None] | None = None,
    progress_every: int | None = None,
) -> TrainResult:
    """Train ``net`` in place on ``data``; continues from its current weights (warm start), and
    from the optimizer's memory (``net.optimizer_state``) when the optimizer is the same kind.

    ``on_progress`` is called every ``progress_every`` steps (default: every history record);
    returning True cancels: training stops with status ``cancelled`` after the finished step.
    The same seed, data and config give the same history, number for number.
    """
    config.validate()
    check_fits(net, data)
    if len(data.y_train) == 0:
        raise SpecError("data", "the training set is empty")
    trainer = Trainer(net, data, config)
    trainer.advance(trainer.total, on_progress, progress_every)
    return trainer.finish()


class Trainer:
    """One training run that can be advanced in slices: ``advance`` runs some steps and returns,
    ``finish`` ends the run. The slices are invisible in the numbers: advancing in pieces of any
    length gives bit-identical weights, optimizer memory and history to one ``train`` call, because
    every step depends only on the run's step index and its state, never on where a slice ended.
    """

    def __init__(self, net: Network, data: Dataset, config: TrainConfig):
        self.net = net
        self.X = np.ascontiguousarray(data.X_train, dtype=np.float64)
        self.n = self.X.shape[0]
        self.batch = min(config.batch_size or self.n, self.n)
        self.total = config.total_steps(self.n)
        self.every = config.history_every or max(1, self.total // HISTORY_RECORDS)
        self.steps_per_epoch = config.steps_per_epoch(self.n)
        self.rng = np.random.default_rng(config.seed)
        self.optimizer = make_optimizer(config.optimizer, config.learning_rate, **config.optimizer_options)
        if net.optimizer_state is not None:  # a warm start keeps the optimizer's memory
            self.optimizer.load_state(net.optimizer_state, net.flat.size)
        self.reg = Regularizer(config.regularization, config.reg_strength)
        self.target = net.loss.encode(data.y_train, net.spec.output_dim)
        self.caches: dict[int, list[Cache]] = {}
        self.batch_buffers: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        # Full batch: the evaluation of the training set shares the training step's caches.
        self.eval_train = _Evaluator(net, self.X, data.y_train, self.caches_for(self.n))
        self.eval_test = _Evaluator(net, data.X_test, data.y_test, net.caches()) if len(data.y_test) else None
        self.weight_slices = sorted((p.start, p.stop) for p in net.info.values() if p.kind == "weight")
        self.backup = net.flat.copy()
        self.order = np.arange(self.n)
        self.start_epochs = net.epochs_trained
        self.history: list[dict[str, Any]] = []
        self.status = "running"
        self.done = 0  # steps finished in this run
        self.diverged_at: int | None = None
        self.batch_loss = math.nan  # the loss of the last step's batch
        self.seconds = 0.0  # time spent in advance()

    def caches_for(self, size: int) -> list[Cache]:
        if size not in self.caches:
            self.caches[size] = self.net.caches()
        return self.caches[size]

    def batch_at(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Step i's inputs and targets: the whole set, or the next slice of this epoch's shuffle."""
        if self.batch == self.n:
            return self.X, self.target
        pos = (i % self.steps_per_epoch) * self.batch
        if pos == 0:
            self.order = self.rng.permutation(self.n)
        idx = self.order[pos : pos + self.batch]
        if idx.size not in self.batch_buffers:
            self.batch_buffers[idx.size] = (np.empty((idx.size, self.X.shape[1])),
                                            np.empty((idx.size, self.target.shape[1])))
        xbuf, tbuf = self.batch_buffers[idx.size]
        return np.take(self.X, idx, axis=0, out=xbuf), np.take(self.target, idx, axis=0, out=tbuf)

    def record(self, train_m: dict[str, float | None] | None = None) -> dict[str, Any]:
        """The history record of the current weights (``train_m``: the training set's metrics, when a
        full-batch step's forward pass has just measured them in the evaluation's caches)."""
        net = self.net
        train_m = train_m or self.eval_train()
        test_m = self.eval_test() if self.eval_test else {"loss": None, "metric": None}
        metric = "r2" if net.loss.task == "regression" else "accuracy"
        return {
            "step": net.steps_trained,
            "epoch": net.epochs_trained,
            "train_loss": train_m["loss"],
            "reg_loss": _finite(self.reg.penalty(net.weights_flat)),
            f"train_{metric}": train_m["metric"],
            "test_loss": test_m["loss"],
            f"test_{metric}": test_m["metric"],
            "dead_fraction": net.dead_fractions_of(self.eval_train.caches),  # the evaluation's forward pass
            "update_ratio": None,
        }

    def update_ratios(self) -> list[float | None]:
        """‖W_after − W_before‖ / ‖W_before‖ per weight matrix, for the step just taken."""
        ratios = []
        for start, stop in self.weight_slices:
            before = self.backup[start:stop]
            after = self.net.flat[start:stop] - before
            # sqrt(v·v): np.linalg.norm's own arithmetic for a vector, without its checks (a record's
            # many small calls add up)
            norm, change = math.sqrt(before.dot(before)), math.sqrt(after.dot(after))
            ratios.append(_finite(change / norm) if norm else None)
        return ratios

    @property
    def finished(self) -> bool:
        """True once every step ran, the loss diverged, or a progress callback cancelled."""
        return self.status != "running" or self.done >= self.total

    def advance(self, max_steps: int, on_progress: Callable[[Progress], bool | None] | None = None,
                progress_every: int | None = None, deadline: float | None = None) -> int:
        """Run up to ``max_steps`` more steps (fewer once ``time.perf_counter()`` passes
        ``deadline``, but at least one); returns the steps taken in this call.

        ``on_progress`` as in ``train``; returning True cancels the run.
        """
        # Overflow on the way to divergence is expected: the loop detects it and stops ("diverged").
        with np.errstate(over="ignore", invalid="ignore"):
            return self._advance(max_steps, on_progress, progress_every or self.every, deadline)

    def _advance(self, max_steps, on_progress, progress_every, deadline) -> int:
        net, history = self.net, self.history
        began, start = time.perf_counter(), self.done
        stop = min(self.total, self.done + max_steps)
        while self.status == "running" and self.done < stop:
            i = self.done
            recorded = i == 0 or is_record_step(net.steps_trained, self.every)
            if recorded and self.batch == self.n:
                # Full batch: the step's forward pass over the training set is the record's, so it is
                # made once (the same numbers: the same weights, inputs and arithmetic).
                caches = self.caches_for(self.n)
                scores = net.forward(self.X, caches)
                batch_loss, dscores = net.loss.forward_backward(scores, self.target, caches[-1])
                pending = self.record(self.eval_train.metrics(scores, batch_loss))
                net.backward(dscores, caches)
            else:
                pending = self.record() if recorded else None
                xb, tb = self.batch_at(i)
                batch_loss = net.loss_and_grads(xb, tb, self.caches_for(xb.shape[0]))
            if not math.isfinite(batch_loss):
                self.status, self.diverged_at = "diverged", net.steps_trained
                if i > 0:  # put back the weights of the last step whose loss was finite
                    np.copyto(net.flat, self.backup)
                    self.done = i - 1
                    net.steps_trained -= 1
                    net.epochs_trained = self.start_epochs + self.done / self.steps_per_epoch
                break
            self.reg.add_grad(net.weights_flat, net.weight_grads_flat)
            np.copyto(self.backup, net.flat)
            self.optimizer.step(net.flat, net.grad_flat)
            self.done = i + 1
            net.steps_trained += 1
            net.epochs_trained = self.start_epochs + self.done / self.steps_per_epoch
            self.batch_loss = batch_loss
            if pending is not None:
                pending["update_ratio"] = self.update_ratios()
                history.append(pending)
            if on_progress is not None and self.done % progress_every == 0:
                latest = history[-1] if history else None
                if on_progress(Progress(self.done, self.total, net.epochs_trained, batch_loss, latest)):
                    self.status = "cancelled"
                    break
            if deadline is not None and time.perf_counter() >= deadline:
                break
        self.seconds += time.perf_counter() - began
        return self.done - start

    def cancel(self) -> None:
        """Stop the run after the last finished step (status ``cancelled``)."""
        if self.status == "running" and self.done < self.total:
            self.status = "cancelled"

    def finish(self) -> TrainResult:
        """End the run: a final history record of the last weights, the optimizer's memory kept on
        the network for a warm start, and the result."""
        net, history = self.net, self.history
        if self.status == "running":
            self.status = "done" if self.done >= self.total else "cancelled"
        with np.errstate(over="ignore", invalid="ignore"):
            if not history or history[-1]["step"] != net.steps_trained:
                history.append(self.record())
        if self.diverged_at is not None:
            history[-1]["diverged_at"] = self.diverged_at  # stays with the history wherever it is stored
        net.optimizer_state = None if self.status == "diverged" else self.optimizer.state()
        return TrainResult(self.status, self.done, history, self.seconds, self.diverged_at)
