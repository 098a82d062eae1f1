"""What the server offers: activations (with the notes' verdict on each), data-set generators,
data previews and uploads, and gradient checks of a network spec."""

from __future__ import annotations

from typing import Any

import numpy as np

from app.nn import ACTIVATION_NAMES, DATASETS, Dataset, Network, check_network, describe, load_csv

from .scheduler import PersonLimit
from .specs import InvalidInput, Limits, build_dataset, network_spec, resolve_data_spec
from .store import Store

# The notes' advice, one line per activation.
VERDICTS = {
    "sigmoid": "Avoid in hidden layers: saturates (σ' ≤ 0.25, ~0 at the tails) and is not zero-centred.",
    "tanh": "Better than sigmoid (zero-centred) but still saturates; usually worse than ReLU or maxout.",
    "relu": "The default choice: cheap and fast to train; watch the learning rate and the dead fraction.",
    "leaky_relu": "Worth a try when ReLUs die: a small slope for x < 0 keeps a gradient; results vary.",
    "prelu": "Leaky ReLU with a learned slope per unit (He et al. 2015).",
    "maxout": "Never dies nor saturates, generalises ReLU and leaky ReLU, but doubles the parameters per unit.",
    "elu": "Smooth for x < 0 with negative outputs pushing means toward zero; a little costlier than ReLU.",
    "softplus": "A smooth ReLU, log(1 + eˣ); never exactly zero, so units do not die, but it trains slower.",
    "gelu": "A smooth ReLU weighted by the Gaussian CDF; common in transformers.",
    "swish": "x·σ(x): smooth and non-monotonic near zero; similar to GELU.",
    "linear": "No nonlinearity: stacked linear layers collapse into one linear map.",
}

# The notes' gradient-check thresholds on the relative error.
THRESHOLDS = {"ok": 1e-4, "wrong": 1e-2}
GRADCHECK_POINTS = 20


def activations() -> list[dict[str, str]]:
    return [{"name": name, "description": describe(name), "verdict": VERDICTS[name]} for name in ACTIVATION_NAMES]


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
    return {
        "task": data.task,
        "n_classes": data.n_classes,
        "class_names": data.class_names,
        "train": {"X": data.X_train.tolist(), "y": data.y_train.tolist()},
        "test": {"X": data.X_test.tolist(), "y": data.y_test.tolist()},
    }


def upload(store: Store, raw: bytes, task: str, limits: Limits, owner: str | None = None,
           person_bytes: int | None = None) -> dict[str, Any]:
    """Store a CSV upload (x1, x2, label) after parsing it once; ``person_bytes`` caps what one
    owner may keep uploaded."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("file", "must be UTF-8 text (CSV)") from None
    if task not in ("classification", "regression"):
        raise InvalidInput("task", "must be classification or regression")
    try:
        data = load_csv(text, task=task, max_rows=limits.max_upload_rows)
    except ValueError as exc:
        raise InvalidInput("file", str(exc)) from None
    rows = len(data.y_train) + len(data.y_test)
    if owner is not None and person_bytes is not None:
        kept = store.upload_bytes(owner)
        if kept + len(text) > person_bytes:
            raise PersonLimit(f"your uploads would take {kept + len(text)} bytes, more than the {person_bytes} "
                              "bytes one person may keep")
    upload_id = store.create_upload(task, text, rows, data.n_classes, data.class_names, owner)
    return {"id": upload_id, "rows": rows, "n_classes": data.n_classes, "class_names": data.class_names,
            "task": task}


def gradcheck(store: Store, request: dict[str, Any], limits: Limits, owner: str | None = None) -> dict[str, Any]:
    """The notes' gradient check of a freshly initialised network on a few of the data's points."""
    _, data = load_data(store, request["data"], limits, owner=owner)
    spec_request = request.get("network") or {}
    if spec_request.get("id"):
        raise InvalidInput("network.id", "a gradient check takes a network spec, not a stored network")
    spec = network_spec(spec_request, limits, data)
    seed = spec_request.get("seed") or 0
    net = Network(spec, seed=seed)
    # Zero biases put inputs at the origin exactly on ReLU's kink, where no finite difference agrees
    # with the one-sided analytic derivative; small random biases keep every unit off its kink.
    rng = np.random.default_rng(seed)
    for name, info in net.info.items():
        if info.kind == "bias":
            net.params[name][...] = 0.01 * rng.standard_normal(info.shape)
    if net.counts()["parameters"] * GRADCHECK_POINTS > 50_000_000:
        raise InvalidInput("network", "too large for a gradient check")
    rows = np.random.default_rng(0).permutation(len(data.y_train))[:GRADCHECK_POINTS]
    errors = check_network(net, data.X_train[rows], data.y_train[rows], request.get("regularization", "none"),
                           request.get("reg_strength", 0.0), max_entries=20)
    worst = max(errors.values())
    verdict = "wrong" if worst > THRESHOLDS["wrong"] else "worrying" if worst > THRESHOLDS["ok"] else "ok"
    return {"max_relative_error": errors, "verdict": verdict, "thresholds": THRESHOLDS, "points": len(rows)}
