import math

import numpy as np
import pytest

from app.nn import (
    LayerSpec,
    Network,
    NetworkSpec,
    SpecError,
    TrainConfig,
    Trainer,
    check_fits,
    make_dataset,
    make_optimizer,
    score,
    train,
)
from app.nn.training import HISTORY_RECORDS, RECORDS_PER_DOUBLING


def case_study_net(hidden_units):
    hidden = (LayerSpec(hidden_units, "relu"),) if hidden_units else ()
    return Network(NetworkSpec(2, hidden, 3, "softmax", "small"), seed=0)


def total_loss(record):
    return record["train_loss"] + record["reg_loss"]


def test_case_study_linear_classifier():
    data = make_dataset("spiral")
    result = train(case_study_net(0), data, TrainConfig(learning_rate=1.0, reg_strength=1e-3, steps=200))
    assert result.status == "done" and result.steps == 200
    assert total_loss(result.history[0]) == pytest.approx(-math.log(1 / 3), abs=0.01)
    assert total_loss(result.metrics) == pytest.approx(0.786, abs=0.01)
    assert result.metrics["train_accuracy"] == pytest.approx(0.49, abs=0.02)


@pytest.mark.slow
def test_case_study_two_layer_net():
    data = make_dataset("spiral")
    result = train(case_study_net(100), data, TrainConfig(learning_rate=1.0, reg_strength=1e-3, steps=10_000))
    assert result.status == "done"
    assert total_loss(result.history[0]) == pytest.approx(1.0986, abs=0.002)
    assert total_loss(result.metrics) == pytest.approx(0.245, abs=0.01)
    assert result.metrics["train_accuracy"] >= 0.97


def test_score_is_the_history_s_accuracy_and_r2_on_any_points():
    data = make_dataset("spiral", test_fraction=0.2)
    net = case_study_net(0)
    result = train(net, data, TrainConfig(learning_rate=1.0, steps=50))
    assert score(net, data.X_test, data.y_test) == pytest.approx(result.metrics["test_accuracy"])
    assert score(net, data.X_train[:4], np.array([0, 1, 2, 0])) in (0.0, 0.25, 0.5, 0.75, 1.0)
    line = make_dataset("plane", n_points=50)
    regression = Network(NetworkSpec(2, (), 1, "mse", "small"), seed=0)
    result = train(regression, line, TrainConfig(learning_rate=0.5, steps=100))
    assert score(regression, line.X_train, line.y_train) == pytest.approx(result.metrics["train_r2"])
    assert score(regression, line.X_train[:3], np.zeros(3)) is None  # targets that do not vary


LEARNING_RATES = {"sgd": 1.0, "momentum": 0.2, "nesterov": 0.2, "adagrad": 0.1, "rmsprop": 0.01, "adam": 0.01}


@pytest.mark.parametrize("optimizer", list(LEARNING_RATES))
def test_each_optimizer_lowers_the_loss(optimizer):
    data = make_dataset("gauss", n_per_class=40, classes=3, seed=1)
    net = Network(NetworkSpec(2, (LayerSpec(8, "relu"),), 3, init="he"), seed=0)
    config = TrainConfig(optimizer=optimizer, learning_rate=LEARNING_RATES[optimizer], reg_strength=0, steps=100)
    result = train(net, data, config)
    assert result.status == "done"
    assert result.metrics["train_loss"] < 0.5 * result.history[0]["train_loss"]
    assert result.metrics["train_accuracy"] > 0.9


def test_optimizer_rules_match_the_notes():
    x0, g1, g2 = np.array([1.0, -2.0]), np.array([0.5, 0.1]), np.array([-0.3, 0.2])
    lr, mu = 0.1, 0.9

    def run(name, **options):
        x = x0.copy()
        opt = make_optimizer(name, lr, **options)
        opt.step(x, g1)
        opt.step(x, g2)
        return x

    np.testing.assert_allclose(run("sgd"), x0 - lr * g1 - lr * g2)
    v1 = -lr * g1
    v2 = mu * v1 - lr * g2
    np.testing.assert_allclose(run("momentum"), x0 + v1 + v2)
    # Nesterov: x += -mu * v_prev + (1 + mu) * v
    x = x0 + (1 + mu) * v1
    x = x - mu * v1 + (1 + mu) * v2
    np.testing.assert_allclose(run("nesterov"), x)
    cache = g1**2
    x = x0 - lr * g1 / (np.sqrt(cache) + 1e-8)
    cache = cache + g2**2
    np.testing.assert_allclose(run("adagrad"), x - lr * g2 / (np.sqrt(cache) + 1e-8))
    d = 0.99
    cache = (1 - d) * g1**2
    x = x0 - lr * g1 / (np.sqrt(cache) + 1e-8)
    cache = d * cache + (1 - d) * g2**2
    np.testing.assert_allclose(run("rmsprop"), x - lr * g2 / (np.sqrt(cache) + 1e-8))
    b1, b2 = 0.9, 0.999
    m, v, x = np.zeros(2), np.zeros(2), x0.copy()
    for t, g in enumerate((g1, g2), start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        x = x - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + 1e-8)
    np.testing.assert_allclose(run("adam"), x)


def test_divergent_run_stops_with_finite_weights():
    data = make_dataset("sine", n_points=50)
    net = Network(NetworkSpec(1, (LayerSpec(20, "relu"), LayerSpec(20, "relu")), 1, "mse", "he"), seed=0)
    result = train(net, data, TrainConfig(learning_rate=10.0, reg_strength=0, steps=500, history_every=1))
    assert result.status == "diverged"
    assert result.diverged_at == result.steps + 1 and result.steps < 500
    assert np.all(np.isfinite(net.flat))
    assert net.steps_trained == result.steps
    for record in result.history:
        assert record["train_loss"] is not None and math.isfinite(record["train_loss"])
    assert result.history[-1]["step"] == result.steps
    assert result.history[-1]["diverged_at"] == result.diverged_at
    assert net.optimizer_state is None  # its memory is of the steps that diverged
    assert all("diverged_at" not in r for r in result.history[:-1])


def test_same_seed_same_history_with_minibatches():
    data = make_dataset("moons", n_per_class=50, test_fraction=0.3, seed=2)

    def run(seed):
        net = Network(NetworkSpec(2, (LayerSpec(10, "tanh"),), 2, init="xavier"), seed=seed)
        config = TrainConfig(optimizer="momentum", learning_rate=0.1, batch_size=16, epochs=5, seed=seed)
        return train(net, data, config).history

    first, second = run(3), run(3)
    assert first == second
    assert run(4) != first
    assert first[-1]["epoch"] == pytest.approx(5.0)
    assert first[-1]["test_accuracy"] is not None


def test_epochs_count_minibatch_steps():
    data = make_dataset("xor", n_per_class=50)  # 100 training points
    net = Network(NetworkSpec(2, (LayerSpec(4, "relu"),), 2), seed=0)
    result = train(net, data, TrainConfig(batch_size=30, epochs=3, learning_rate=0.1))
    assert result.steps == 3 * 4  # ceil(100 / 30) = 4 steps per epoch
    assert net.epochs_trained == pytest.approx(3.0)


def test_history_is_dense_at_first_then_spaced_evenly_in_log_step():
    data = make_dataset("spiral", n_per_class=20)
    net = Network(NetworkSpec(2, (LayerSpec(8, "relu"),), 3, init="he"), seed=0)
    steps = [r["step"] for r in train(net, data, TrainConfig(learning_rate=0.5, steps=2000)).history]
    assert steps[:100] == list(range(100))  # every step where the loss moves fastest
    gaps = np.diff(steps[99:])
    assert np.all(np.diff(gaps) >= 0) and gaps[0] == 1 and gaps[-1] == 2000 // HISTORY_RECORDS  # they grow
    assert sorted(set(gaps)) == [1, 2, 4, 8, 10]  # doubling with the step count, up to history_every
    assert [sum(1 for s in steps if lo <= s < 2 * lo) for lo in (100, 200, 400)] == [RECORDS_PER_DOUBLING] * 3
    assert len(steps) == 100 + 3 * RECORDS_PER_DOUBLING + (2000 - 800) // 10 + 1 == 371
    assert steps[-1] == 2000


def test_record_steps_depend_on_the_network_step_alone():
    """A run cut into jobs records the same steps as one run (plus each job's first and last)."""
    data = make_dataset("spiral", n_per_class=20)
    whole = Network(NetworkSpec(2, (LayerSpec(8, "relu"),), 3, init="he"), seed=0)
    cut = Network(NetworkSpec(2, (LayerSpec(8, "relu"),), 3, init="he"), seed=0)
    one = [r["step"] for r in train(whole, data, TrainConfig(steps=1000, history_every=10)).history]
    pieces = [r["step"] for steps in (131, 270, 599) for r in train(cut, data, TrainConfig(steps=steps,
                                                                                            history_every=10)).history]
    assert sorted(set(pieces)) == sorted(set(one) | {131, 401})
    assert [s for s in one if s >= 400] == list(range(400, 800, 8)) + list(range(800, 1001, 10))


def test_warm_start_continues_steps_and_weights():
    data = make_dataset("spiral", n_per_class=30)
    net = Network(NetworkSpec(2, (LayerSpec(20, "relu"),), 3, init="he"), seed=0)
    first = train(net, data, TrainConfig(learning_rate=0.5, steps=100))
    second = train(net, data, TrainConfig(learning_rate=0.5, steps=100))
    assert net.steps_trained == 200
    assert second.history[0]["step"] == 100 and second.history[-1]["step"] == 200
    assert second.history[0]["train_loss"] == pytest.approx(first.metrics["train_loss"])
    assert second.metrics["train_loss"] < first.metrics["train_loss"]


@pytest.mark.parametrize("optimizer", ["momentum", "adam", "rmsprop"])
def test_warm_start_keeps_the_optimizer_memory(optimizer):
    data = make_dataset("spiral", n_per_class=30)
    spec = NetworkSpec(2, (LayerSpec(16, "relu"),), 3, init="he")
    config = TrainConfig(optimizer=optimizer, learning_rate=0.01, steps=60)
    once = Network(spec, seed=0)
    train(once, data, TrainConfig(optimizer=optimizer, learning_rate=0.01, steps=120))
    twice = Network(spec, seed=0)
    train(twice, data, config)
    assert twice.optimizer_state["name"] == optimizer
    train(twice, data, config)
    np.testing.assert_array_equal(twice.flat, once.flat)  # two halves = one whole run, number for number
    fresh = Network(spec, seed=0)
    train(fresh, data, config)
    fresh.optimizer_state = None  # forgetting the memory changes the path
    train(fresh, data, config)
    assert not np.array_equal(fresh.flat, once.flat)


def test_optimizer_memory_is_dropped_when_it_does_not_fit():
    data = make_dataset("spiral", n_per_class=30)
    net = Network(NetworkSpec(2, (LayerSpec(8, "relu"),), 3, init="he"), seed=0)
    train(net, data, TrainConfig(optimizer="adam", learning_rate=0.01, steps=10))
    adam = net.optimizer_state
    assert adam["t"] == 10 and adam["m"].shape == net.flat.shape
    train(net, data, TrainConfig(optimizer="momentum", learning_rate=0.01, steps=5))
    assert net.optimizer_state["name"] == "momentum" and "m" not in net.optimizer_state
    assert not make_optimizer("adam", 0.1).load_state(adam, net.flat.size + 1)
    assert not make_optimizer("adam", 0.1).load_state({**adam, "v": np.full(net.flat.size, np.nan)}, net.flat.size)
    assert make_optimizer("adam", 0.1).load_state(adam, net.flat.size)


def test_progress_callback_sees_progress_and_can_cancel():
    data = make_dataset("circle", n_per_class=30)
    net = Network(NetworkSpec(2, (LayerSpec(8, "relu"),), 2), seed=0)
    seen = []

    def on_progress(progress):
        seen.append(progress.step)
        return progress.step >= 30

    result = train(net, data, TrainConfig(steps=1000, learning_rate=0.5), on_progress, progress_every=10)
    assert result.status == "cancelled"
    assert seen == [10, 20, 30]
    assert result.steps == 30 and net.steps_trained == 30
    assert result.history[-1]["step"] == 30


def test_history_records_monitors():
    data = make_dataset("spiral", n_per_class=30, test_fraction=0.2)
    net = Network(NetworkSpec(2, (LayerSpec(16, "relu"), LayerSpec(8, "tanh")), 3, init="he"), seed=0)
    result = train(net, data, TrainConfig(steps=100, history_every=10, learning_rate=0.3))
    steps = [r["step"] for r in result.history]
    assert steps == list(range(0, 101))  # a network's first 100 steps are all recorded
    first = result.history[0]
    assert set(first) >= {"train_loss", "reg_loss", "train_accuracy", "test_loss", "test_accuracy",
                          "dead_fraction", "update_ratio", "epoch"}
    assert len(first["dead_fraction"]) == 2
    assert len(first["update_ratio"]) == 3
    assert all(0 < r < 1 for r in first["update_ratio"])
    assert result.history[-1]["update_ratio"] is None  # the final state has no update after it


def test_update_ratio_is_the_norm_of_the_step_over_the_weights():
    data = make_dataset("gauss", n_per_class=20)
    net = Network(NetworkSpec(2, (), 2), seed=1)
    W = net.params["W1"].copy()
    result = train(net, data, TrainConfig(steps=1, learning_rate=0.5, reg_strength=0, history_every=1))
    expected = np.linalg.norm(net.params["W1"] - W) / np.linalg.norm(W)
    assert result.history[0]["update_ratio"][0] == pytest.approx(expected)


def test_too_high_a_learning_rate_kills_relu_units():
    data = make_dataset("spiral")

    def dead_after(lr):
        net = Network(NetworkSpec(2, (LayerSpec(100, "relu"),), 3, init="he"), seed=0)
        return train(net, data, TrainConfig(learning_rate=lr, reg_strength=0, steps=300)).metrics["dead_fraction"][0]

    assert dead_after(0.1) < 0.15
    assert dead_after(30.0) > 0.3


def test_regression_reports_r2():
    data = make_dataset("sine", n_points=80, test_fraction=0.25)
    net = Network(NetworkSpec(1, (LayerSpec(20, "tanh"),), 1, "mse", "xavier"), seed=0)
    result = train(net, data, TrainConfig(optimizer="adam", learning_rate=0.02, reg_strength=0, steps=1500))
    assert result.metrics["train_r2"] > 0.95 and result.metrics["test_r2"] > 0.9
    assert "train_accuracy" not in result.metrics


@pytest.mark.parametrize("config, field, message", [
    (TrainConfig(steps=None), "steps", "give exactly one of steps and epochs"),
    (TrainConfig(steps=10, epochs=2), "steps", "give exactly one of steps and epochs"),
    (TrainConfig(steps=0), "steps", "must be an integer >= 1"),
    (TrainConfig(steps=5, learning_rate=-1), "learning_rate", "must be a finite number > 0"),
    (TrainConfig(steps=5, learning_rate=float("inf")), "learning_rate", "must be a finite number > 0"),
    (TrainConfig(steps=5, batch_size=0), "batch_size", "must be an integer >= 1"),
    (TrainConfig(steps=5, optimizer="lbfgs"), "optimizer", "unknown optimizer 'lbfgs'"),
    (TrainConfig(steps=5, regularization="l3"), "regularization", "unknown regularization 'l3'"),
    (TrainConfig(steps=5, optimizer="adam", optimizer_options={"mu": 0.9}), "optimizer_options.mu",
     "the adam optimizer has no option mu; it takes: beta1, beta2, eps"),
    (TrainConfig(steps=5, optimizer="momentum", optimizer_options={"mu": float("nan")}), "optimizer_options.mu",
     "must be a finite number"),
])
def test_config_errors(config, field, message):
    data = make_dataset("xor", n_per_class=10)
    with pytest.raises(SpecError) as info:
        train(Network(NetworkSpec.from_sizes([2, 3, 2])), data, config)
    assert info.value.field == field and info.value.message.startswith(message)


@pytest.mark.parametrize("sizes, loss, data, field, message", [
    ([3, 3, 2], "softmax", "xor", "input_dim", "the network has 3 inputs but the data has 2"),
    ([2, 3, 2], "softmax", "spiral", "output_dim",
     "the network has 2 outputs but the data's classes under the softmax loss need 3"),
    ([2, 3, 1], "logistic", "spiral", "loss", "the logistic loss needs two classes, but the data has 3"),
    ([2, 3, 1], "mse", "xor", "loss", "the mse loss is for regression, but the data is for classification"),
    ([1, 3, 2], "mse", "sine", "output_dim", "the network has 2 outputs but the data's targets need 1"),
])
def test_mismatched_data_and_network(sizes, loss, data, field, message):
    net, data = Network(NetworkSpec.from_sizes(sizes, loss=loss)), make_dataset(data)
    for check in (lambda: check_fits(net, data), lambda: train(net, data, TrainConfig(steps=1))):
        with pytest.raises(SpecError) as info:
            check()
        assert (info.value.field, info.value.message) == (field, message)
    check_fits(Network(NetworkSpec.from_sizes([2, 3, 2], loss="softmax")), make_dataset("xor"))  # fits: no error


def _sliced(net, data, config, lengths):
    """Train through ``Trainer.advance`` in slices of the given lengths (cycled)."""
    trainer = Trainer(net, data, config)
    k = 0
    while not trainer.finished:
        taken = trainer.advance(lengths[k % len(lengths)])
        assert taken == min(lengths[k % len(lengths)], trainer.total - (trainer.done - taken))
        k += 1
    return trainer.finish()


def _state(net):
    state = net.optimizer_state or {}
    return net.flat.copy(), {key: np.array(value, copy=True) for key, value in state.items()}


@pytest.mark.parametrize("optimizer,batch_size", [("adam", 32), ("momentum", None), ("sgd", 50)])
def test_slicing_is_bit_identical_to_one_run_including_warm_starts(optimizer, batch_size):
    data = make_dataset("spiral", n_per_class=40, test_fraction=0.2, seed=1)
    config = TrainConfig(optimizer=optimizer, learning_rate=0.05, batch_size=batch_size, steps=137, seed=7,
                         history_every=10)
    spec = NetworkSpec(2, (LayerSpec(12, "relu"), LayerSpec(6, "prelu")), 3, "softmax", "he")

    whole = Network(spec, seed=3)
    first = train(whole, data, config)
    second = train(whole, data, config)  # a warm start: the optimizer's memory carries over

    for lengths in ([1], [7, 1, 30], [500], [13]):
        sliced = Network(spec, seed=3)
        results = [_sliced(sliced, data, config, lengths), _sliced(sliced, data, config, lengths[::-1])]
        flat, optimizer_state = _state(sliced)
        expected_flat, expected_state = _state(whole)
        assert np.array_equal(flat, expected_flat)
        assert optimizer_state.keys() == expected_state.keys()
        assert all(np.array_equal(optimizer_state[key], expected_state[key]) for key in expected_state)
        assert [r.history for r in results] == [first.history, second.history]
        assert sliced.steps_trained == whole.steps_trained and sliced.epochs_trained == whole.epochs_trained


def test_a_deadline_ends_a_slice_early_but_after_at_least_one_step():
    data = make_dataset("spiral", n_per_class=20)
    trainer = Trainer(case_study_net(8), data, TrainConfig(steps=1000))
    assert trainer.advance(1000, deadline=0.0) == 1
    assert trainer.done == 1 and not trainer.finished
    trainer.cancel()
    result = trainer.finish()
    assert result.status == "cancelled" and result.steps == 1 and result.history[-1]["step"] == 1
