"""What the server offers: activations (with the notes' verdict on each), data-set generators,
data previews and uploads, and gradient checks of a network spec."""

from __future__ import annotations

from typing import Any

import numpy as np

from app.nn import (
    ACTIVATIONS,
    DATASETS,
    OPTIMIZER_NAMES,
    Dataset,
    Network,
    SpecError,
    check_network,
    jitter_biases,
    load_csv,
)
from app.nn.gradcheck import THRESHOLDS
from app.nn.initializers import INIT_NAMES
from app.nn.losses import LOSSES
from app.nn.regularizers import REGULARIZATION_NAMES
from app.viz import class_color, class_symbol
from app.viz.sweeps import FIGURE_LABELS, METRICS, SWEEP_FIGURES, setting_label

from .class_settings import CLASS_SETTINGS
from .data_specs import build_dataset, resolve_data_spec
from .owners import over_limit
from .specs import Conflict, Limits, NotFound, network_spec
from .store import Full, Store, iso_time

GRADCHECK_POINTS = 20
GRADCHECK_ENTRIES = 20  # entries checked per parameter
# Multiply-adds of a check: two passes per entry checked, each about parameters x points: ~1 s.
MAX_GRADCHECK_WORK = 2e9


# How the pages name the core's choices (the core knows them by name only).
OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "momentum", "nesterov": "Nesterov momentum", "adagrad": "Adagrad",
                    "rmsprop": "RMSprop", "adam": "Adam"}
INIT_LABELS = {"small": "small (0.01·randn)", "xavier": "Xavier", "he": "He"}
REGULARIZATION_LABELS = {"none": "none", "l1": "L1", "l2": "L2"}
LOSS_LABELS = {"softmax": "softmax", "svm": "multiclass SVM", "logistic": "logistic (2 classes)",
               "hinge": "hinge (2 classes)", "mse": "squared error"}
# The settings a sweep page offers to vary, each with values to start from (a person edits them);
# ``choices`` names the catalog list its values come from.
SWEEP_SETTINGS: tuple[dict[str, Any], ...] = (
    {"path": "training.learning_rate", "values": [0.001, 0.01, 0.1, 1]},
    {"path": "training.reg_strength", "values": [0.0001, 0.001, 0.01, 0.1]},
    {"path": "network.hidden[0].units", "values": [2, 4, 8, 16, 32]},
    {"path": "network.hidden[*].units", "values": [2, 4, 8, 16, 32]},
    {"path": "network.hidden[*].activation", "choices": "activations", "values": ["relu", "tanh"]},
    {"path": "training.optimizer", "choices": "optimizers", "values": ["sgd", "momentum", "adam"]},
    {"path": "network.init", "choices": "initializations", "values": list(INIT_NAMES)},
    {"path": "training.batch_size", "values": [10, 30, 100]},
    {"path": "training.steps", "values": [100, 300, 1000, 3000]},
    {"path": "data.noise", "values": [0, 0.1, 0.2, 0.4]},
)


def vocabulary() -> dict[str, Any]:
    """Every name the pages offer, with the words they show for it: the one list each page renders
    (``GET /api/catalog``), so that no page keeps a copy that could fall behind the server."""
    def named(names: tuple[str, ...], labels: dict[str, str]) -> list[dict[str, str]]:
        return [{"name": name, "label": labels[name]} for name in names]

    return {
        "optimizers": named(OPTIMIZER_NAMES, OPTIMIZER_LABELS),
        "initializations": named(INIT_NAMES, INIT_LABELS),
        "regularizations": named(REGULARIZATION_NAMES, REGULARIZATION_LABELS),
        "activations": [{"name": info.name, "label": info.label, "in_notes": info.in_notes}
                        for info in ACTIVATIONS.values()],
        # binary: for two classes, on one output unit (binary softmax and SVM)
        "losses": [{"name": name, "label": LOSS_LABELS[name], "task": loss.task, "binary": loss.single_output,
                    "description": loss.description} for name, loss in LOSSES.items()],
        "metrics": [{"name": name, "label": label, "format": format_} for name, label, format_ in METRICS],
        "sweep_figures": [{"name": kind, "label": FIGURE_LABELS[kind]} for kind in SWEEP_FIGURES],
        "sweep_settings": [{**setting, "label": setting_label(setting["path"])} for setting in SWEEP_SETTINGS],
        "class_settings": [{"name": setting.name, "label": setting.label, "fields": list(setting.fields)}
                           for setting in CLASS_SETTINGS],
    }


def activations() -> list[dict[str, Any]]:
    """Every activation with its label, description and the notes' verdict (from the core's registry)."""
    return [{"name": info.name, "label": info.label, "description": info.description, "verdict": info.verdict,
             "in_notes": info.in_notes} for info in ACTIVATIONS.values()]


def datasets() -> list[dict[str, Any]]:
    return [
        {"name": info.name, "task": info.task, "description": info.description,
         "params": {key: vars(param) for key, param in info.params.items()}}
        for info in DATASETS.values()
    ]


def load_data(store: Store, spec: dict[str, Any], limits: Limits, field: str = "data",
              owner: str | None = None) -> tuple[dict, Dataset]:
    """Resolve a data spec (generator or upload: ``owner``'s) and build its points."""
    upload = store.get_upload(spec["id"], owner) if spec.get("id") else None
    resolved = resolve_data_spec(spec, limits, upload, field)
    return resolved, build_dataset(resolved, upload)


def preview(data: Dataset) -> dict[str, Any]:
    # Each class's colour and marker shape as the figures draw it, so that the pages' thumbnails and
    # swatches tell the classes apart by shape too, from the theme's one definition.
    classes = data.n_classes if data.task == "classification" else 0
    return {
        "task": data.task,
        "n_classes": data.n_classes,
        "class_names": data.class_names,
        "class_styles": [{"color": class_color(k), "symbol": class_symbol(k)} for k in range(classes)],
        "train": {"X": data.X_train.tolist(), "y": data.y_train.tolist()},
        "test": {"X": data.X_test.tolist(), "y": data.y_test.tolist()},
    }


def upload(store: Store, raw: bytes, task: str, limits: Limits, owner: str | None = None,
           person_bytes: int | None = None) -> dict[str, Any]:
    """Store a CSV upload (x1, x2, label) after parsing it once; ``person_bytes`` caps what one
    owner may keep uploaded (``PersonLimit`` beyond it)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpecError("file", "must be UTF-8 text (CSV)") from None
    try:
        data = load_csv(text, task=task, max_rows=limits.max_upload_rows)
    except SpecError as exc:
        raise exc.within("file" if exc.field != "task" else "") from None
    rows = len(data.y_train) + len(data.y_test)
    try:  # the room is checked in the transaction that writes: parallel uploads cannot pass the limit
        upload_id = store.create_upload(task, text, rows, data.n_classes, data.class_names, owner, person_bytes)
    except Full as full:
        raise over_limit(full) from None
    return {"id": upload_id, "rows": rows, "n_classes": data.n_classes, "class_names": data.class_names,
            "task": task}


def uploads(store: Store, owner: str) -> list[dict[str, Any]]:
    """``owner``'s uploads, newest first (``bytes``: what each counts against their limit)."""
    return [{"id": row["id"], "task": row["task"], "rows": row["rows"], "n_classes": row["n_classes"],
             "class_names": row["class_names"], "bytes": row["bytes"], "created_at": iso_time(row["created_at"])}
            for row in store.list_uploads(owner)]


def delete_upload(store: Store, upload_id: str, owner: str) -> None:
    """Delete one of ``owner``'s uploads. One that a network of theirs has as its data, or a queued
    or running job trains on, stays (``Conflict`` naming them): deleting it would leave that
    network with data nobody can load."""
    users = store.delete_upload(upload_id, owner)
    if users is None:
        raise NotFound(f"no upload with id {upload_id!r}")
    if users:
        named = [f"network {user['network']}" + (f" ({user['name']!r})" if user.get("name") else "")
                 if "network" in user else f"unfinished job {user['job']}" for user in users]
        raise Conflict(f"upload {upload_id!r} is still in use by your {', '.join(named)}: give those networks "
                       "other data (PATCH /api/networks/{id}) or delete them, and let the jobs end, first")


def gradcheck(store: Store, request: dict[str, Any], limits: Limits, owner: str | None = None) -> dict[str, Any]:
    """The notes' gradient check of a freshly initialised network on a few of the data's points."""
    _, data = load_data(store, request["data"], limits, owner=owner)
    spec_request = request.get("network") or {}
    if spec_request.get("id"):
        raise SpecError("network.id", "a gradient check takes a network spec, not a stored network")
    spec = network_spec(spec_request, limits, data)
    seed = spec_request.get("seed") or 0
    net = Network(spec, seed=seed)
    jitter_biases(net, seed)
    passes = 2 * sum(min(param.size, GRADCHECK_ENTRIES) for param in net.params.values())
    work = passes * net.counts()["parameters"] * GRADCHECK_POINTS
    if work > MAX_GRADCHECK_WORK:
        raise SpecError("network", f"too large for a gradient check: about {work:.2g} multiply-adds, more than "
                                   f"{MAX_GRADCHECK_WORK:.2g}; use fewer or narrower layers")
    rows = np.random.default_rng(0).permutation(len(data.y_train))[:GRADCHECK_POINTS]
    result = check_network(net, data.X_train[rows], data.y_train[rows], request.get("regularization", "none"),
                           request.get("reg_strength", 0.0), max_entries=GRADCHECK_ENTRIES)
    return {
        "max_relative_error": result.relative_errors,
        "verdict": result.verdict,
        "note": result.note,
        "parameters": {name: vars(check) for name, check in result.params.items()},
        "noise": result.noise,
        "floor": result.floor,
        "thresholds": THRESHOLDS,
        "points": len(rows),
    }
