"""Seeded toy data sets: 2-D classification, 1-D and 2-D regression, and a CSV loader.

Every generator takes ``seed``, ``noise`` and ``test_fraction`` and returns a ``Dataset``. With
``test_fraction = 0`` the training set keeps the generation order, so ``spiral(seed=s)`` is exactly
the notes' case-study data after ``np.random.seed(s)``.
"""

from __future__ import annotations

import csv
import inspect
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .errors import SpecError


@dataclass
class Dataset:
    """Inputs ``X_*: (N, D)`` and labels ``y_*: (N,)`` (int classes, or floats for regression)."""

    name: str
    task: str  # "classification" or "regression"
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_classes: int = 0
    class_names: list[str] = field(default_factory=list)

    @property
    def input_dim(self) -> int:
        return self.X_train.shape[1]

    @property
    def X(self) -> np.ndarray:
        """All points, training then test."""
        return np.concatenate([self.X_train, self.X_test])

    @property
    def y(self) -> np.ndarray:
        return np.concatenate([self.y_train, self.y_test])


@dataclass(frozen=True)
class Param:
    """A generator parameter as the API and pages present it."""

    default: float | int
    minimum: float | int
    maximum: float | int
    description: str


def _split(name, task, X, y, test_fraction, seed, n_classes=0) -> Dataset:
    if not 0.0 <= test_fraction < 1.0:
        raise SpecError("test_fraction", "must be in [0, 1)")
    n = X.shape[0]
    n_test = min(round(n * test_fraction), n - 1)
    if n_test == 0:
        train, test = np.arange(n), np.arange(0)
    else:
        # A stream of its own, so the split never changes the points themselves.
        order = np.random.default_rng([seed, 1]).permutation(n)
        train, test = np.sort(order[n_test:]), np.sort(order[:n_test])
    names = [str(k) for k in range(n_classes)]
    return Dataset(name, task, X[train], y[train], X[test], y[test], n_classes, names)


def _check(points: int, noise: float, label: str = "n_per_class") -> None:
    if not isinstance(points, (int, np.integer)) or points < 1:
        raise SpecError(label, "must be an integer >= 1")
    if not math.isfinite(noise) or noise < 0:
        raise SpecError("noise", "must be a finite number >= 0")


def spiral(n_per_class: int = 100, classes: int = 3, noise: float = 0.2, seed: int = 0,
           test_fraction: float = 0.0) -> Dataset:
    """The case study's spiral: for class j, r = linspace(0, 1, N), t = linspace(4j, 4(j+1), N) +
    randn(N)·noise, point (r·sin t, r·cos t). The legacy RandomState reproduces np.random.seed."""
    _check(n_per_class, noise)
    if not isinstance(classes, (int, np.integer)) or classes < 2:
        raise SpecError("classes", "must be an integer >= 2")
    rs = np.random.RandomState(seed)
    X = np.zeros((n_per_class * classes, 2))
    y = np.zeros(n_per_class * classes, dtype=np.int64)
    for j in range(classes):
        rows = slice(n_per_class * j, n_per_class * (j + 1))
        r = np.linspace(0.0, 1, n_per_class)
        t = np.linspace(j * 4, (j + 1) * 4, n_per_class) + rs.randn(n_per_class) * noise
        X[rows] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[rows] = j
    return _split("spiral", "classification", X, y, test_fraction, seed, classes)


def _labels(n_per_class: int, classes: int = 2) -> np.ndarray:
    return np.repeat(np.arange(classes), n_per_class)


def circle(n_per_class: int = 100, noise: float = 0.05, seed: int = 0, test_fraction: float = 0.0) -> Dataset:
    """Class 0 inside radius 0.5, class 1 on a ring of radius 0.7 to 1 (TensorFlow Playground's)."""
    _check(n_per_class, noise)
    rng = np.random.default_rng(seed)
    radius = np.concatenate([rng.uniform(0.0, 0.5, n_per_class), rng.uniform(0.7, 1.0, n_per_class)])
    angle = rng.uniform(0.0, 2 * np.pi, 2 * n_per_class)
    X = np.c_[radius * np.sin(angle), radius * np.cos(angle)] + rng.normal(0, noise, (2 * n_per_class, 2))
    return _split("circle", "classification", X, _labels(n_per_class), test_fraction, seed, 2)


def xor(n_per_class: int = 100, noise: float = 0.05, seed: int = 0, test_fraction: float = 0.0) -> Dataset:
    """Four quadrants: class 1 where x1·x2 > 0. Points keep a small gap from the axes."""
    _check(n_per_class, noise)
    rng = np.random.default_rng(seed)
    n = 2 * n_per_class
    X = rng.uniform(-1.0, 1.0, (n, 2))
    X += np.sign(X) * 0.05  # padding: away from the axes, as Playground does
    X = np.clip(X, -1.0, 1.0)
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    X += rng.normal(0, noise, X.shape)
    return _split("xor", "classification", X, y, test_fraction, seed, 2)


def gauss(n_per_class: int = 100, classes: int = 2, noise: float = 0.2, seed: int = 0,
          test_fraction: float = 0.0) -> Dataset:
    """One Gaussian blob per class (std ``noise``), centres evenly spaced on a circle of radius 0.6."""
    _check(n_per_class, noise)
    if not isinstance(classes, (int, np.integer)) or classes < 2:
        raise SpecError("classes", "must be an integer >= 2")
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * np.arange(classes) / classes + np.pi / 4
    centres = 0.6 * np.c_[np.cos(angles), np.sin(angles)]
    y = _labels(n_per_class, classes)
    X = centres[y] + rng.normal(0, noise, (y.size, 2))
    return _split("gauss", "classification", X, y, test_fraction, seed, classes)


def moons(n_per_class: int = 100, noise: float = 0.1, seed: int = 0, test_fraction: float = 0.0) -> Dataset:
    """Two interleaving half circles, scaled into roughly [−1, 1]²."""
    _check(n_per_class, noise)
    rng = np.random.default_rng(seed)
    t = np.linspace(0, np.pi, n_per_class)
    upper = np.c_[np.cos(t), np.sin(t)]
    lower = np.c_[1 - np.cos(t), 0.5 - np.sin(t)]
    X = np.concatenate([upper, lower]) + rng.normal(0, noise, (2 * n_per_class, 2))
    X = (X - [0.5, 0.25]) / 1.5
    return _split("moons", "classification", X, _labels(n_per_class), test_fraction, seed, 2)


def linear(n_per_class: int = 100, noise: float = 0.0, seed: int = 0, test_fraction: float = 0.0) -> Dataset:
    """Two classes split by a random line through the origin, with a margin of 0.1 either side:
    linearly separable when ``noise`` is 0."""
    _check(n_per_class, noise)
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, 2 * np.pi)
    normal = np.array([np.cos(angle), np.sin(angle)])
    along = rng.uniform(-1.0, 1.0, 2 * n_per_class)
    across = rng.uniform(0.1, 1.0, 2 * n_per_class) * np.repeat([-1.0, 1.0], n_per_class)
    X = np.c_[along, across] @ np.array([[-normal[1], normal[0]], normal]) * 0.9
    X += rng.normal(0, noise, X.shape)
    return _split("linear", "classification", X, _labels(n_per_class), test_fraction, seed, 2)


_FUNCTIONS_1D: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sine": lambda x: np.sin(np.pi * x),
    "abs": lambda x: 2 * np.abs(x) - 1,
    "step": lambda x: np.where(x > 0, 0.5, -0.5),
}


def _regression_1d(function: str, n_points: int, noise: float, seed: int, test_fraction: float) -> Dataset:
    _check(n_points, noise, "n_points")
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-1.0, 1.0, n_points))
    y = _FUNCTIONS_1D[function](x) + rng.normal(0, noise, n_points)
    return _split(function, "regression", x[:, None], y, test_fraction, seed)


def sine(n_points: int = 100, noise: float = 0.05, seed: int = 0, test_fraction: float = 0.0) -> Dataset:
    """1-D regression: y = sin(πx) on [−1, 1]."""
    return _regression_1d("sine", n_points, noise, seed, test_fraction)


def abs_(n_points: int = 100, noise: float = 0.05, seed: int = 0, test_fraction: float = 0.0) -> Dataset:
    """1-D regression: y = 2|x| − 1 on [−1, 1] (a kink: two ReLUs fit it exactly)."""
    return _regression_1d("abs", n_points, noise, seed, test_fraction)


def step(n_points: int = 100, noise: float = 0.02, seed: int = 0, test_fraction: float = 0.0) -> Dataset:
    """1-D regression: a step from −0.5 to 0.5 at x = 0 (hard for smooth units)."""
    return _regression_1d("step", n_points, noise, seed, test_fraction)


def plane(n_points: int = 200, noise: float = 0.05, seed: int = 0, test_fraction: float = 0.0) -> Dataset:
    """2-D regression: y = (x1 + x2) / 2 on [−1, 1]² (TensorFlow Playground's plane)."""
    _check(n_points, noise, "n_points")
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, (n_points, 2))
    y = X.sum(axis=1) / 2 + rng.normal(0, noise, n_points)
    return _split("plane", "regression", X, y, test_fraction, seed)


_COMMON = {
    "noise": Param(0.1, 0.0, 1.0, "standard deviation of the added noise"),
    "seed": Param(0, 0, 2**31 - 1, "random seed (same seed, same points)"),
    "test_fraction": Param(0.0, 0.0, 0.9, "share of the points held out as a test set"),
}
_PER_CLASS = Param(100, 1, 5000, "points per class")
_CLASSES = Param(3, 2, 8, "number of classes")
_N_POINTS = Param(100, 2, 10000, "number of points")


def _params(generator: Callable, **extra: Param) -> dict[str, Param]:
    defaults = {k: v.default for k, v in inspect.signature(generator).parameters.items()}
    merged = {**extra, **_COMMON}
    return {k: Param(defaults[k], p.minimum, p.maximum, p.description) for k, p in merged.items()}


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    task: str
    description: str
    generator: Callable[..., Dataset]
    params: dict[str, Param]


DATASETS: dict[str, DatasetInfo] = {
    info.name: info
    for info in (
        DatasetInfo("spiral", "classification", "The case study's spiral arms (not linearly separable).",
                    spiral, _params(spiral, n_per_class=_PER_CLASS, classes=_CLASSES)),
        DatasetInfo("circle", "classification", "A disk inside a ring.", circle,
                    _params(circle, n_per_class=_PER_CLASS)),
        DatasetInfo("xor", "classification", "Opposite quadrants share a class.", xor,
                    _params(xor, n_per_class=_PER_CLASS)),
        DatasetInfo("gauss", "classification", "One Gaussian blob per class.", gauss,
                    _params(gauss, n_per_class=_PER_CLASS, classes=_CLASSES)),
        DatasetInfo("moons", "classification", "Two interleaving half moons.", moons,
                    _params(moons, n_per_class=_PER_CLASS)),
        DatasetInfo("linear", "classification", "Two classes a straight line separates.", linear,
                    _params(linear, n_per_class=_PER_CLASS)),
        DatasetInfo("sine", "regression", "1-D: y = sin(πx).", sine, _params(sine, n_points=_N_POINTS)),
        DatasetInfo("abs", "regression", "1-D: y = 2|x| − 1.", abs_, _params(abs_, n_points=_N_POINTS)),
        DatasetInfo("step", "regression", "1-D: a step at x = 0.", step, _params(step, n_points=_N_POINTS)),
        DatasetInfo("plane", "regression", "2-D: y = (x1 + x2) / 2.", plane, _params(plane, n_points=_N_POINTS)),
    )
}


def make_dataset(name: str, **params: Any) -> Dataset:
    """Generate data set ``name`` with the given parameters (unknown ones are an error)."""
    if name not in DATASETS:
        raise SpecError("name", f"unknown data set {name!r}; expected one of: {', '.join(DATASETS)}")
    info = DATASETS[name]
    unknown = set(params) - set(info.params)
    if unknown:
        raise SpecError(sorted(unknown)[0], f"data set {name!r} takes no {sorted(unknown)[0]}; "
                                            f"it takes: {', '.join(info.params)}")
    return info.generator(**params)


# The largest |value| of a data point's inputs or target, added by a click or read from a CSV: room for
# data in real units (a million), while the features' squares, the spans of the plane a figure draws
# and the forward passes over it stay far from float64's overflow (1e308 made them inf).
MAX_COORDINATE = 1e6


def check_points(points: Any, input_dim: int, task: str, n_classes: int = 0) -> list[list[float]]:
    """Rows ``[x_1, ..., x_D, label]`` checked and made canonical: floats within ±``MAX_COORDINATE``,
    and for classification a label that is a class index ``0 .. n_classes - 1`` (an int); for
    regression the label is the target value. A bad row raises ``SpecError`` naming ``points[i]``.
    (The API's request models state the same bound; a sweep's settings reach the points here only.)"""
    rows = []
    for i, row in enumerate(points):
        if not isinstance(row, (list, tuple)) or len(row) != input_dim + 1:
            raise SpecError(f"points[{i}]", f"needs {input_dim + 1} numbers (the {input_dim} inputs, then the label)")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) <= MAX_COORDINATE for v in row):
            raise SpecError(f"points[{i}]", f"must hold finite numbers from {-MAX_COORDINATE:g} to "
                                            f"{MAX_COORDINATE:g}")
        *x, label = (float(v) for v in row)
        if task == "classification":
            if label != int(label) or not 0 <= label < n_classes:
                raise SpecError(f"points[{i}]", f"the label must be a class index from 0 to {n_classes - 1}")
            rows.append([*x, int(label)])
        else:
            rows.append([*x, label])
    return rows


def add_points(data: Dataset, points: Any) -> Dataset:
    """``data`` with the rows of ``points`` (see ``check_points``) appended to its training set,
    in order; the test set is unchanged. The Playground adds the points a user clicks this way."""
    rows = check_points(points, data.input_dim, data.task, data.n_classes)
    if not rows:
        return data
    X = np.array([row[:-1] for row in rows], dtype=np.float64)
    y = np.array([row[-1] for row in rows], dtype=data.y_train.dtype)
    return replace(data, X_train=np.concatenate([data.X_train, X]), y_train=np.concatenate([data.y_train, y]))


def load_csv(text: str, *, task: str = "classification", test_fraction: float = 0.0, seed: int = 0,
             max_rows: int = 10_000, name: str = "upload") -> Dataset:
    """Parse CSV rows ``x1, x2, label`` (an optional header line first) into a Dataset.

    Classification labels may be integers or names; they become classes 0..K-1 in sorted order and
    the originals are kept in ``class_names``. A malformed file raises ``SpecError`` with field
    ``task``, or with an empty field and a message naming the line.
    """
    if task not in ("classification", "regression"):
        raise SpecError("task", "must be 'classification' or 'regression'")
    rows: list[tuple[float, float, str]] = []
    for lineno, line in enumerate(text.splitlines(), start=1):  # any line break, also a lone \r
        if CONTROL_CHARACTERS.search(line):
            raise SpecError("", f"line {lineno}: a control character (such as NUL) is not text a CSV file holds")
        row = _csv_row(line, lineno)
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != 3:
            raise SpecError("", f"line {lineno}: expected 3 values (x1, x2, label), got {len(row)}"
                                + _delimiter_hint(line))
        try:
            x1, x2 = float(row[0]), float(row[1])
        except ValueError:
            if not rows and lineno == 1:
                continue  # a header line
            raise SpecError("", f"line {lineno}: x1 and x2 must be numbers, got {row[0]!r}, {row[1]!r}"
                                + _delimiter_hint(line)) from None
        if not (abs(x1) <= MAX_COORDINATE and abs(x2) <= MAX_COORDINATE):  # NaN and inf too
            raise SpecError("", f"line {lineno}: x1 and x2 must be finite numbers from {-MAX_COORDINATE:g} to "
                                f"{MAX_COORDINATE:g}")
        label = row[2].strip()
        if not label:
            raise SpecError("", f"line {lineno}: the label is empty")
        rows.append((x1, x2, label))
        if len(rows) > max_rows:
            raise SpecError("", f"line {lineno}: more than {max_rows} rows")
    if len(rows) < 2:
        raise SpecError("", "the CSV needs at least 2 data rows (x1, x2, label)")
    X = np.array([(r[0], r[1]) for r in rows])
    labels = [r[2] for r in rows]
    if task == "regression":
        try:
            y = np.array([float(v) for v in labels])
        except ValueError:
            raise SpecError("", "regression labels must be numbers") from None
        if not np.all(np.abs(y) <= MAX_COORDINATE):  # NaN and inf too
            raise SpecError("", f"regression labels must be finite numbers from {-MAX_COORDINATE:g} to "
                                f"{MAX_COORDINATE:g}")
        return _split(name, "regression", X, y, test_fraction, seed)
    names = _sorted_labels(set(labels))
    if len(names) < 2:
        raise SpecError("", "a classification CSV needs at least 2 distinct labels")
    index = {label: k for k, label in enumerate(names)}
    y = np.array([index[v] for v in labels], dtype=np.int64)
    data = _split(name, "classification", X, y, test_fraction, seed, len(names))
    data.class_names = names
    return data


# Characters no text file of values holds (tabs aside): NUL, which PostgreSQL cannot keep in the
# stored file, escapes and the like. A label is drawn in the figures' legends, so it is plain text.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")

# Separators other programs write (a spreadsheet in a locale with decimal commas writes ';').
OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def _delimiter_hint(line: str) -> str:
    """When ``line`` splits into exactly 3 values at another separator: say so."""
    for delimiter, name in OTHER_DELIMITERS.items():
        if len(next(csv.reader([line], delimiter=delimiter), [])) == 3:
            return (f"; the values seem to be separated by {name}: save the file with commas between the values "
                    "(and points as decimal marks)")
    return ""


def _csv_row(line: str, lineno: int) -> list[str]:
    try:
        return next(csv.reader([line]), [])
    except csv.Error as exc:
        raise SpecError("", f"line {lineno}: not a CSV row ({exc})") from None


def _sorted_labels(labels: set[str]) -> list[str]:
    try:
        return [str(v) for v in sorted(labels, key=lambda v: float(v))]
    except ValueError:
        return sorted(labels)
