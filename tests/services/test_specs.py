import dataclasses

import pytest

from app.nn import SpecError, make_dataset
from app.services.data_specs import resolve_data_spec
from app.services.specs import (
    Limits,
    check_budget,
    check_live_cost,
    check_live_layer,
    live_options,
    network_spec,
    train_config,
)
from app.settings import Settings

LIMITS = Limits.from_settings(Settings())


def field(call) -> str:
    with pytest.raises(SpecError) as info:
        call()
    return info.value.field


def test_limits_come_from_the_settings_alone():
    assert not any(f.default is not dataclasses.MISSING for f in dataclasses.fields(Limits))
    assert LIMITS.max_units == Settings.model_fields["max_units"].default == 256
    assert Limits.from_settings(Settings(max_units=64)).max_units == 64


def test_data_spec_defaults_are_filled_in():
    resolved = resolve_data_spec({"name": "spiral", "noise": 0.3}, LIMITS)
    assert resolved == {"name": "spiral", "n_per_class": 100, "classes": 3, "noise": 0.3, "seed": 0,
                        "test_fraction": 0.0}


def test_data_spec_errors_name_the_field():
    assert field(lambda: resolve_data_spec({"name": "spiral", "n_per_class": 4000}, LIMITS)) == "data.n_per_class"
    assert field(lambda: resolve_data_spec({"name": "sine", "classes": 2}, LIMITS)) == "data.classes"
    assert field(lambda: resolve_data_spec({"name": "x"}, LIMITS, field="")) == "name"
    assert field(lambda: resolve_data_spec({"name": "spiral", "noise": float("nan")}, LIMITS)) == "data.noise"
    small = dataclasses.replace(LIMITS, max_points=100)
    assert field(lambda: resolve_data_spec({"name": "moons", "n_per_class": 60}, small)) == "data.n_per_class"


def test_network_spec_follows_the_data():
    spiral, circle, sine = make_dataset("spiral"), make_dataset("circle"), make_dataset("sine")
    assert network_spec({"hidden": [{"units": 4}]}, LIMITS, spiral).sizes == [2, 4, 3]
    assert network_spec({"loss": "logistic"}, LIMITS, circle).sizes == [2, 1]
    regression = network_spec({"hidden": [{"units": 3, "activation": "tanh"}]}, LIMITS, sine)
    assert regression.loss == "mse" and regression.sizes == [1, 3, 1]
    assert field(lambda: network_spec({"loss": "hinge"}, LIMITS, spiral)) == "network.loss"
    assert field(lambda: network_spec({"output_dim": 2}, LIMITS, spiral)) == "network.output_dim"
    assert field(lambda: network_spec({"hidden": [{"units": 300}]}, LIMITS, spiral)) == "network.hidden[0].units"
    assert field(lambda: network_spec({"hidden": [{"units": 3, "activation": "x"}]}, LIMITS, spiral)) == \
        "network.hidden[0].activation"
    assert field(lambda: network_spec({"hidden": []}, LIMITS)) == "network.input_dim"


def test_training_config_and_budget():
    config = train_config({}, LIMITS)
    assert config.steps == 1000 and config.optimizer == "sgd"
    assert train_config({"optimizer": "momentum", "optimizer_options": {"mu": 0.5}}, LIMITS).optimizer_options == \
        {"mu": 0.5}
    assert field(lambda: train_config({"steps": 5, "epochs": 1}, LIMITS)) == "training.steps"
    assert field(lambda: train_config({"steps": 200_000}, LIMITS)) == "training.steps"
    assert field(lambda: train_config({"optimizer": "adam", "optimizer_options": {"mu": 0.9}}, LIMITS)) == \
        "training.optimizer_options.mu"
    data = make_dataset("spiral")
    assert check_budget(train_config({"epochs": 3, "batch_size": 100}, LIMITS), data, 603, LIMITS) == 9
    tight = dataclasses.replace(LIMITS, max_compute=1e6)
    assert field(lambda: check_budget(train_config({"steps": 100}, LIMITS), data, 603, tight)) == "training"


def test_live_options():
    assert live_options(None, LIMITS) == {"grid": 40, "interval_ms": 80, "steps_per_second": None, "ramp": False,
                                          "nodes": None, "edges": False, "hidden": None}
    chosen = live_options({"edges": True, "hidden": {}}, LIMITS)
    assert (chosen["edges"], chosen["hidden"]) == (True, {"layer": 1})
    assert field(lambda: live_options({"hidden": {"layer": 0}}, LIMITS)) == "live.hidden.layer"
    assert field(lambda: check_live_layer({"hidden": {"layer": 2}}, {"input_dim": 2, "hidden": [{}]})) == \
        "live.hidden.layer"
    assert field(lambda: check_live_layer({"hidden": {"layer": 1}}, {"input_dim": 3, "hidden": [{}]})) == "live.hidden"
    assert live_options({"ramp": True}, LIMITS)["ramp"] is True
    assert field(lambda: live_options({"ramp": True, "steps_per_second": 50}, LIMITS)) == "live.ramp"
    assert live_options({"steps_per_second": 50}, LIMITS)["steps_per_second"] == 50
    assert field(lambda: live_options({"steps_per_second": 5}, LIMITS)) == "live.steps_per_second"
    assert field(lambda: live_options({"grid": 500}, LIMITS)) == "live.grid"
    assert field(lambda: live_options({"interval_ms": 10}, LIMITS)) == "live.interval_ms"
    assert field(lambda: live_options({"nodes": 65}, LIMITS)) == "live.nodes"


def test_core_errors_keep_their_field_under_the_request_prefix():
    with pytest.raises(SpecError) as info:
        network_spec({"input_dim": 2, "output_dim": 2, "hidden": [{"units": 3}, {"units": 0}]}, LIMITS)
    assert (info.value.field, info.value.message) == ("network.hidden[1].units", "must be an integer >= 1")
    assert field(lambda: network_spec({"input_dim": 2, "output_dim": 2, "loss": "x"}, LIMITS, field="")) == "loss"
    assert field(lambda: train_config({"learning_rate": -1.0}, LIMITS)) == "training.learning_rate"


def test_a_reworded_core_message_blames_the_same_field(monkeypatch):
    """The field travels as data: rewording the core's message cannot move the blame."""
    from app.nn import network as core_network

    def validate(self):
        if self.units < 1:
            raise SpecError("units", "Units? Zero of them is no layer at all.")

    monkeypatch.setattr(core_network.LayerSpec, "validate", validate)
    with pytest.raises(SpecError) as info:
        network_spec({"input_dim": 2, "output_dim": 2, "hidden": [{"units": 0}]}, LIMITS)
    assert info.value.field == "network.hidden[0].units"
    assert info.value.message == "Units? Zero of them is no layer at all."


def test_history_records_are_bounded():
    data = make_dataset("spiral")
    config = train_config({"steps": 10_000, "history_every": 1}, LIMITS)
    assert field(lambda: check_budget(config, data, 603, LIMITS)) == "training.history_every"
    assert check_budget(train_config({"steps": 10_000, "history_every": 5}, LIMITS), data, 603, LIMITS) == 10_000


def test_one_data_fit_check_behind_training_figures_and_requests():
    """Training, the figures and the request checks all ask the core's check_fits, so a mismatch
    reads the same wherever it is found."""
    from app.nn import Network, NetworkSpec, TrainConfig, check_fits, train
    from app.services.specs import check_data_fits
    from app.viz import decision_boundary_figure

    spiral = make_dataset("spiral")
    spec = NetworkSpec.from_sizes([2, 4, 2])
    net = Network(spec)
    with pytest.raises(SpecError) as core:
        check_fits(net, spiral)
    message = core.value.message
    assert message == "the network has 2 outputs but the data's classes under the softmax loss need 3"
    for call in (lambda: train(net, spiral, TrainConfig(steps=1)),
                 lambda: decision_boundary_figure(net, spiral),
                 lambda: network_spec(spec.to_dict(), LIMITS, spiral),
                 lambda: check_data_fits(spec.to_dict(), spiral)):
        with pytest.raises(SpecError) as info:
            call()
        assert info.value.message.endswith(message)


def test_one_step_one_record_and_one_frame_each_fit_in_a_slice():
    limits = dataclasses.replace(LIMITS, max_step_compute=1e6, max_frame_compute=1e6, max_compute=1e12)
    data = make_dataset("spiral", n_per_class=100, classes=3, seed=0)  # 300 points
    full = train_config({"steps": 10}, limits)
    assert field(lambda: check_budget(full, data, 5000, limits)) == "training.batch_size"  # 300 x 5000
    small_batch = train_config({"steps": 10, "batch_size": 100}, limits)  # 100 x 5000 fits, but ...
    with pytest.raises(SpecError, match="history record evaluates all 300 points") as info:
        check_budget(small_batch, data, 5000, limits)
    assert info.value.field == "data"  # ... a history record over every point does not
    assert check_budget(small_batch, data, 3000, limits) == 10
    live = live_options({"grid": 20}, limits)
    check_live_cost(live, 10, 2000, 300, limits)  # 400 cells x 2000 parameters
    heavy = live_options({"grid": 20, "nodes": 20}, limits)  # 800 cells
    assert field(lambda: check_live_cost(heavy, 10, 2000, 300, limits)) == "live.grid"


def test_a_paced_job_ends_within_the_paced_limit():
    live = live_options({"steps_per_second": 10}, LIMITS)
    check_live_cost(live, int(10 * LIMITS.max_paced_seconds), 100, 300, LIMITS)
    with pytest.raises(SpecError, match="take 10000 s") as info:
        check_live_cost(live, 100_000, 100, 300, LIMITS)
    assert info.value.field == "live.steps_per_second"
