import json

import numpy as np

from app.services.history import GrowingHistory, merge_history, metrics_of


def records(*steps):
    return [{"step": s, "train_loss": 1.0 / (s + 1)} for s in steps]


def test_a_run_replaces_records_from_its_first_step_on():
    merged = merge_history(records(0, 10, 20), records(20, 30))
    assert [r["step"] for r in merged] == [0, 10, 20, 30]
    assert merge_history([], records(0)) == records(0)
    assert merge_history(records(0, 5), []) == records(0, 5)


def test_long_histories_are_thinned_keeping_both_ends():
    merged = merge_history(records(*range(0, 3000)), records(3000, 3001), limit=100)
    steps = [r["step"] for r in merged]
    assert len(steps) == 100 and steps[0] == 0 and steps[-1] == 3001 and steps == sorted(steps)
    # spaced as the trainer spaces records: evenly in log(1 + step / 100), so the start keeps its detail
    gaps = np.diff(steps)
    assert gaps[0] <= 4 and gaps[-1] > 90 and np.all(np.diff(gaps) >= -1)  # growing, but for rounding
    assert sum(s < 100 for s in steps) == 20  # log(2) / log(31) of the records: what u gives the first 100 steps


def test_thinning_an_already_log_spaced_history_stays_within_the_limit():
    steps = [0, *range(1, 100), *range(100, 20_000, 7)]
    merged = merge_history(records(*steps), records(20_000), limit=500)
    assert 400 < len(merged) <= 500 and merged[0]["step"] == 0 and merged[-1]["step"] == 20_000
    assert merge_history(records(*range(50)), [], limit=2) == records(0, 49)


def test_metrics_come_from_the_last_record():
    history = [{"step": 0, "train_loss": 1.0, "train_accuracy": 0.3}, {"step": 5, "train_loss": 0.5,
                                                                          "train_accuracy": 0.9, "epoch": 5.0}]
    assert metrics_of(history, {"seconds": 1.5}) == {"train_loss": 0.5, "train_accuracy": 0.9, "seconds": 1.5}
    assert metrics_of([]) == {}


def test_a_growing_history_is_the_merge_of_what_was_stored_and_the_run_so_far():
    before = records(0, 10, 20, 30)
    growing = GrowingHistory(before)
    for run in (records(20), records(20, 21), records(20, 21, 22, 24), records(20, 21, 22, 24)):
        growing.update(run)
        assert growing.records() == merge_history(before, run)
        assert growing.text() == json.dumps(merge_history(before, run))  # the text the store writes
        assert growing.tail() == merge_history(before, run)[-1:]
    changed = [*records(20, 21, 22), {"step": 24, "train_loss": 0.5, "diverged_at": 24}]  # a run's end marks its last
    growing.update(changed)
    assert json.loads(growing.text()) == merge_history(before, changed)
    assert GrowingHistory(before).tail() == records(30) and GrowingHistory([]).text() == "[]"


def test_a_growing_history_beyond_the_limit_is_thinned_as_one_merge_would():
    before = records(*range(0, 300))
    growing = GrowingHistory(before, limit=100)
    growing.update(records(300, 301))
    assert json.loads(growing.text()) == merge_history(before, records(300, 301), limit=100)
