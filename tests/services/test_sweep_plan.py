"""Planning a sweep: paths, values, seeds and limits, each problem naming its field."""

from dataclasses import replace

import numpy as np
import pytest

from app.nn import SpecError
from app.services.specs import Limits
from app.services.sweep_plan import Planner, draw, parse_path, set_path
from app.settings import Settings

SPIRAL = {"name": "spiral", "n_per_class": 30, "classes": 3, "noise": 0.2, "seed": 0, "test_fraction": 0.2}
BASE = {"network": {"hidden": [{"units": 8, "activation": "relu"}, {"units": 4}]}, "data": SPIRAL,
        "training": {"steps": 50, "learning_rate": 0.5}}


LIMITS = Limits.from_settings(Settings())


def plan(max_runs=256, limits=LIMITS, **request):
    return Planner(limits, max_runs).plan({"base": BASE} | request)


def problem(max_runs=256, limits=LIMITS, **request) -> tuple[str, str]:
    with pytest.raises(SpecError) as caught:
        plan(max_runs, limits, **request)
    return caught.value.field, caught.value.message


def test_a_grid_is_every_combination_times_the_seeds():
    p = plan(axes={"training.learning_rate": [0.1, 1.0], "network.hidden[*].activation": ["relu", "tanh", "elu"]},
             seeds=2)
    assert p.total == 12 and len(p.settings) == 6
    assert p.settings[1] == {"training.learning_rate": 0.1, "network.hidden[*].activation": "tanh"}
    run = p.runs[3]  # setting 1, seed 1
    assert (run.setting, run.seed) == (1, 1)
    assert [layer["activation"] for layer in run.request["network"]["hidden"]] == ["tanh", "tanh"]
    assert run.request["training"] == BASE["training"] | {"learning_rate": 0.1, "seed": 1}
    assert run.request["network"]["seed"] == 1  # the network's seed follows the training seed by default
    assert p.tasks[3]["network"]["seed"] == 1 and p.tasks[3]["training"]["seed"] == 1
    assert p.tasks[3]["live"] is None and p.task == "classification" and p.has_test


def test_seed_k_adds_k_to_the_bases_own_seeds():
    p = plan(base=BASE | {"network": BASE["network"] | {"seed": 7}, "training": BASE["training"] | {"seed": 3}},
             axes={"network.hidden[0].units": [2, 3]}, seeds=3)
    assert [(r.request["network"]["seed"], r.request["training"]["seed"]) for r in p.runs[:3]] == [
        (7, 3), (8, 4), (9, 5)]
    assert p.runs[0].request["network"]["hidden"][0]["units"] == 2
    assert p.runs[0].request["network"]["hidden"][1] == {"units": 4}  # only the named layer changes


@pytest.mark.parametrize(("request_", "field", "words"), [
    ({"axes": {"training.learnin_rate": [1]}}, "axes.training.learnin_rate", "names no setting"),
    ({"axes": {"network.hidden[5].units": [1]}}, "axes.network.hidden[5].units", "no [5]"),
    ({"axes": {"network.init[0]": ["he"]}}, "axes.network.init[0]", "not a list"),
    ({"axes": {"training.learning_rate": [0.1, -1]}}, "axes.training.learning_rate", "value -1"),
    ({"axes": {"network.hidden[0].units": ["many"]}}, "axes.network.hidden[0].units", "value many"),
    ({"axes": {"network.hidden[0].activation": ["relu", "relu"]}}, "axes.network.hidden[0].activation", "twice"),
    ({"axes": {"training.learning_rate": []}}, "axes.training.learning_rate", "non-empty"),
    ({"axes": {"a.b": [1], "c.d": [1], "e.f": [1], "g.h": [1]}}, "axes", "1 to 3"),
    ({}, "axes", "exactly one"),
    ({"axes": {"training.steps": [10]}, "seeds": 0}, "seeds", "1 to 20"),
    ({"axes": {"training.steps": [10]}, "target_loss": -1}, "target_loss", "positive"),
    ({"random": {"n": 3, "ranges": {"training.learning_rate": {"log": [0, 1]}}}},
     "random.ranges.training.learning_rate.log", "above 0"),
    ({"random": {"n": 3, "ranges": {"training.learning_rate": {"cube": [1, 2]}}}},
     "random.ranges.training.learning_rate", "one of"),
    ({"random": {"n": 3, "ranges": {"network.hidden[0].units": {"linear": [1, 1000]}}}},
     "random.ranges.network.hidden[0].units", "at most 256"),
])
def test_each_problem_names_its_field(request_, field, words):
    got_field, message = problem(**request_)
    assert got_field == field and words in message, (got_field, message)


def test_the_base_is_checked_as_a_training_request():
    assert problem(base=BASE | {"training": {"steps": 10**9}}, axes={"training.seed": [1]})[0] == "base.training.steps"
    assert problem(base=BASE | {"network": {"id": "abc"}}, axes={"training.seed": [1]})[0] == "base.network.id"


def test_runs_are_capped_and_the_compute_limit_applies_to_their_sum():
    field, message = problem(max_runs=5, axes={"training.learning_rate": [0.1, 0.2, 0.3]}, seeds=2)
    assert field == "axes" and "3 settings x 2 seeds = 6 runs" in message and "NNVIZ_MAX_SWEEP_RUNS" in message
    one = plan(axes={"training.steps": [50]}, seeds=1).cost
    assert one == 50 * 72 * 75  # steps x training points x parameters, as a lone job counts it
    limits = replace(LIMITS, max_compute=3.5 * one)  # three runs fit, four do not
    assert plan(limits=limits, axes={"training.steps": [50]}, seeds=3).cost == 3 * one
    field, message = problem(limits=limits, axes={"training.steps": [50]}, seeds=4)
    assert field == "axes" and "summed" in message


def test_random_draws_are_reproducible_and_respect_their_ranges():
    request = {"n": 40, "ranges": {"training.learning_rate": {"log": [1e-3, 1]},
                                   "network.hidden[0].units": {"linear": [2, 9]},
                                   "network.hidden[*].activation": {"choice": ["relu", "tanh"]}}}
    p, again = plan(random=request, seeds=1), plan(random=request, seeds=1)
    assert p.settings == again.settings and len(p.settings) == 40 and p.random
    rates = [s["training.learning_rate"] for s in p.settings]
    units = [s["network.hidden[0].units"] for s in p.settings]
    assert all(1e-3 <= r <= 1 for r in rates) and min(rates) < 0.01 < max(rates)  # log-uniform reaches low
    assert all(isinstance(u, int) and 2 <= u <= 9 for u in units) and {2, 9} <= set(units)
    assert {s["network.hidden[*].activation"] for s in p.settings} == {"relu", "tanh"}
    assert [a.log for a in p.axes] == [True, False, False]


def test_paths_and_values():
    steps = parse_path("network.hidden[*].units", "f")
    request = {"network": {"hidden": [{"units": 1}, {"units": 2}]}}
    set_path(request, steps, 5, "f")
    assert request == {"network": {"hidden": [{"units": 5}, {"units": 5}]}}
    set_path(request, parse_path("training.optimizer_options.mu", "f"), 0.9, "f")
    assert request["training"] == {"optimizer_options": {"mu": 0.9}}
    values, log = draw({"choice": [1, 2]}, 5, np.random.default_rng(0), "f")
    assert set(values) <= {1, 2} and len(values) == 5 and not log
