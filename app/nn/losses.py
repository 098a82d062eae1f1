"""Data losses: each returns ``(loss, dscores)``, the loss averaged over the batch.

``scores: (N, C)`` are the output layer's raw values; ``target`` is the encoded label array made
once per data set by ``encode`` (one-hot rows, ±1 columns, or real values), so the hot loop never
re-encodes labels. Classification labels ``y`` are integers ``0..K-1``.

* ``softmax``: cross-entropy of softmax(scores); logits shifted by their row max first.
* ``svm``: multiclass hinge (Weston–Watkins), margin 1: Σ_{j≠y} max(0, s_j − s_y + 1).
* ``logistic``: binary softmax on one output: log(1 + e^s) − t·s, P(y=1) = σ(s).
* ``hinge``: binary SVM on one output, labels t = ±1: max(0, 1 − t·s).
* ``mse``: regression, ‖s − t‖² per example (the notes' L2 loss), averaged.
"""

from __future__ import annotations

import numpy as np

from .activations import stable_sigmoid
from .cache import Cache
from .errors import SpecError


class Loss:
    name = "loss"
    task = "classification"
    single_output = False  # binary losses use one output unit
    description = ""

    def output_dim(self, n_classes: int) -> int:
        """How many output units the network needs for ``n_classes`` classes (or targets)."""
        return 1 if self.single_output else n_classes

    def encode(self, y: np.ndarray, output_dim: int) -> np.ndarray:
        """Labels (N,) -> float targets (N, output_dim)."""
        y = np.asarray(y)
        if self.single_output:
            if y.size and (y.min() < 0 or y.max() > 1):
                raise SpecError("loss", f"the {self.name} loss needs two classes (labels 0 and 1)")
            return y.reshape(-1, 1).astype(np.float64)
        onehot = np.zeros((y.shape[0], output_dim))
        onehot[np.arange(y.shape[0]), y.astype(np.intp)] = 1.0
        return onehot

    def forward_backward(
        self, scores: np.ndarray, target: np.ndarray, cache: Cache | None = None
    ) -> tuple[float, np.ndarray]:
        """The batch's mean loss and its gradient with respect to the scores.

        scores: (N, C) raw outputs; target: (N, C) from ``encode``; ``cache`` holds the work arrays
        (reused between calls when given). Returns ``(loss, dscores)`` with dscores: (N, C), the
        1/N of the mean already applied; dscores lives in ``cache`` and is overwritten by its next use.
        """
        return self._forward_backward(scores, target, Cache() if cache is None else cache)

    def _forward_backward(self, scores: np.ndarray, target: np.ndarray, cache: Cache) -> tuple[float, np.ndarray]:
        """``forward_backward`` with its work arrays in ``cache``: each loss's own formula."""
        raise NotImplementedError

    def predict(self, scores: np.ndarray) -> np.ndarray:
        """Predicted labels (N,) from scores (N, C)."""
        if self.single_output:
            return (scores[:, 0] > 0).astype(np.int64)
        return np.argmax(scores, axis=1)

    def probabilities(self, scores: np.ndarray) -> np.ndarray:
        """Class probabilities (N, K). For the margin losses (svm, hinge) these are the softmax /
        sigmoid of the scores: a confidence for display, not a calibrated probability."""
        if self.single_output:
            p1 = stable_sigmoid(scores[:, 0])
            return np.stack([1.0 - p1, p1], axis=1)
        shifted = scores - scores.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        return e / e.sum(axis=1, keepdims=True)


class SoftmaxLoss(Loss):
    name = "softmax"
    description = "Softmax cross-entropy: −log of the probability given to the right class."

    def _forward_backward(self, scores, target, cache):
        n = scores.shape[0]
        rowmax = cache.array("rowmax", (n, 1))
        shifted = cache.array("shifted", scores.shape)
        probs = cache.array("probs", scores.shape)
        np.max(scores, axis=1, keepdims=True, out=rowmax)
        np.subtract(scores, rowmax, out=shifted)
        np.exp(shifted, out=probs)
        np.sum(probs, axis=1, keepdims=True, out=rowmax)  # now the row sums
        # loss_i = log Σ_j e^{s_j − max} − (s_y − max)
        loss = (np.log(rowmax).sum() - np.vdot(shifted, target)) / n
        probs /= rowmax
        probs -= target  # dscores = (p − onehot(y)) / N
        probs /= n
        return float(loss), probs


class SVMLoss(Loss):
    name = "svm"
    description = "Multiclass SVM (Weston–Watkins): Σ over wrong classes of max(0, s_j − s_y + 1)."

    def _forward_backward(self, scores, target, cache):
        n = scores.shape[0]
        correct = cache.array("correct", (n, 1))
        margins = cache.array("margins", scores.shape)
        np.sum(scores * target, axis=1, keepdims=True, out=correct)
        np.subtract(scores, correct, out=margins)
        margins += 1.0
        margins *= 1.0 - target  # the correct class contributes no margin
        np.maximum(margins, 0.0, out=margins)
        loss = margins.sum() / n
        dscores = cache.array("dscores", scores.shape)
        np.greater(margins, 0.0, out=dscores)  # +1 for each violating class
        np.sum(dscores, axis=1, keepdims=True, out=correct)  # number of violations
        dscores -= target * correct  # −count for the correct class
        dscores /= n
        return float(loss), dscores


class LogisticLoss(Loss):
    name = "logistic"
    single_output = True
    description = "Binary softmax (logistic regression) on one output: P(y=1|x) = σ(s)."

    def _forward_backward(self, scores, target, cache):
        n = scores.shape[0]
        # −[t log σ(s) + (1 − t) log(1 − σ(s))] = log(1 + e^s) − t·s, computed without overflow.
        loss = (np.logaddexp(0.0, scores).sum() - np.vdot(target, scores)) / n
        dscores = stable_sigmoid(scores, out=cache.array("dscores", scores.shape))
        dscores -= target
        dscores /= n
        return float(loss), dscores


class HingeLoss(Loss):
    name = "hinge"
    single_output = True
    description = "Binary SVM on one output, labels ±1: max(0, 1 − y·s)."

    def encode(self, y, output_dim):
        return 2.0 * super().encode(y, output_dim) - 1.0

    def _forward_backward(self, scores, target, cache):
        n = scores.shape[0]
        slack = cache.array("slack", scores.shape)
        np.multiply(target, scores, out=slack)
        np.subtract(1.0, slack, out=slack)
        loss = np.maximum(slack, 0.0).sum() / n
        dscores = cache.array("dscores", scores.shape)
        np.greater(slack, 0.0, out=dscores)
        dscores *= target
        dscores /= -n
        return float(loss), dscores


class MSELoss(Loss):
    name = "mse"
    task = "regression"
    description = "Squared error ‖s − y‖² per example, averaged (regression)."

    def encode(self, y, output_dim):
        y = np.asarray(y, dtype=np.float64)
        return y.reshape(y.shape[0], -1)

    def _forward_backward(self, scores, target, cache):
        n = scores.shape[0]
        diff = cache.array("dscores", scores.shape)
        np.subtract(scores, target, out=diff)
        loss = np.vdot(diff, diff) / n
        diff *= 2.0 / n
        return float(loss), diff

    def predict(self, scores):
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def probabilities(self, scores):
        raise ValueError("the mse loss is for regression: it has no class probabilities")


LOSSES: dict[str, Loss] = {
    loss.name: loss for loss in (SoftmaxLoss(), SVMLoss(), LogisticLoss(), HingeLoss(), MSELoss())
}
LOSS_NAMES: tuple[str, ...] = tuple(LOSSES)


def get_loss(name: str) -> Loss:
    try:
        return LOSSES[name]
    except KeyError:
        raise SpecError("loss", f"unknown loss {name!r}; expected one of: {', '.join(LOSS_NAMES)}") from None

