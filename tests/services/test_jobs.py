from app.services.jobs import merge_history, metrics_of


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


def test_metrics_come_from_the_last_record():
    history = [{"step": 0, "train_loss": 1.0, "train_accuracy": 0.3}, {"step": 5, "train_loss": 0.5,
                                                                          "train_accuracy": 0.9, "epoch": 5.0}]
    assert metrics_of(history, {"seconds": 1.5}) == {"train_loss": 0.5, "train_accuracy": 0.9, "seconds": 1.5}
    assert metrics_of([]) == {}
