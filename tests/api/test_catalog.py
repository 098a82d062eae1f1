"""``/api/catalog``: the pages' one list of every name the server takes, with its words."""

from app.nn import ACTIVATION_NAMES, OPTIMIZER_NAMES
from app.nn.initializers import INIT_NAMES
from app.nn.losses import LOSS_NAMES
from app.nn.regularizers import REGULARIZATION_NAMES
from app.services.specs import Limits
from app.services.sweep_plan import Planner
from app.services.sweeps import ROW_METRICS
from app.settings import Settings
from app.viz.sweeps import SWEEP_FIGURES

BASE = {"network": {"hidden": [{"units": 4, "activation": "relu"}, {"units": 4, "activation": "relu"}]},
        "data": {"name": "spiral"}, "training": {"steps": 10}}


def test_the_catalog_names_what_the_core_takes_with_words_for_each(client):
    answer = client.get("/api/catalog")
    assert answer.status_code == 200
    catalog = answer.json()
    names = {key: [item["name"] for item in catalog[key]] for key in
             ("optimizers", "initializations", "regularizations", "activations", "losses", "metrics", "sweep_figures")}
    assert names["optimizers"] == list(OPTIMIZER_NAMES)
    assert names["initializations"] == list(INIT_NAMES)
    assert names["regularizations"] == list(REGULARIZATION_NAMES)
    assert names["activations"] == list(ACTIVATION_NAMES)
    assert names["losses"] == list(LOSS_NAMES)
    assert sorted(names["metrics"]) == sorted(ROW_METRICS)
    assert names["sweep_figures"] == list(SWEEP_FIGURES)
    labels = {item["name"]: item["label"] for key in names for item in catalog[key]}
    assert all(labels.values()) and "_" not in "".join(labels.values())  # words, never code names
    assert {o["name"]: o["label"] for o in catalog["optimizers"]}["nesterov"] == "Nesterov momentum"
    losses = {loss["name"]: loss for loss in catalog["losses"]}
    assert [name for name, loss in losses.items() if loss["binary"]] == ["logistic", "hinge"]
    assert losses["mse"]["task"] == "regression" and losses["svm"]["description"].startswith("Multiclass SVM")
    formats = {m["name"]: m["format"] for m in catalog["metrics"]}
    assert formats["test_accuracy"] == "percent" and formats["steps_to_target"] == "count"
    # Public and the same for everyone: a browser keeps it.
    assert "public" in answer.headers["cache-control"]


def test_every_sweep_setting_it_suggests_is_one_a_sweep_takes(client):
    catalog = client.get("/api/catalog").json()
    settings = {s["path"]: s for s in catalog["sweep_settings"]}
    assert settings["network.hidden[0].units"]["label"] == "units in hidden layer 1"
    assert settings["training.learning_rate"]["label"] == "learning rate"
    lists = {key: {item["name"] for item in catalog[key]} for key in ("activations", "optimizers", "initializations")}
    planner = Planner(Limits.from_settings(Settings()), max_runs=256)
    for path, setting in settings.items():
        if setting["choices"]:
            assert set(setting["values"]) <= lists[setting["choices"]], path
        plan = planner.plan({"base": BASE, "axes": {path: setting["values"]}})
        assert len(plan.settings) == len(setting["values"]), path
