"""The leaderboard's pure rules: ranking, ties, the Pareto front, CSV cells."""

from app.services.leaderboard import csv_text, pareto_flags, ranked


def entry(name, score, parameters, at=0.0):
    return {"id": name, "member_id": name, "name": name, "score": score, "parameters": parameters, "metric": "accuracy",
            "scored_on": "hidden_test", "submitted_at": at}


def test_the_front_holds_what_no_other_entry_beats_in_both():
    entries = [entry("a", 0.9, 100), entry("b", 0.8, 50), entry("c", 0.8, 80), entry("d", 0.95, 1000),
               entry("e", 0.9, 100), entry("f", None, 1)]
    assert pareto_flags(entries) == [True, True, False, True, True, False]


def test_ranked_by_score_then_fewer_parameters_then_earlier_with_shared_ranks():
    rows = [entry("late", 0.9, 100, at=2.0), entry("small", 0.9, 50), entry("best", 1.0, 500),
            entry("none", None, 10), entry("early", 0.9, 100, at=1.0)]
    board = ranked(rows)
    assert [row["name"] for row in board] == ["best", "small", "early", "late", "none"]
    assert [row["rank"] for row in board] == [1, 2, 3, 3, 5]
    assert [row["pareto"] for row in board] == [True, True, False, False, False]


def test_a_csv_cell_a_spreadsheet_would_run_is_text_but_numbers_stay_numbers():
    text = csv_text(["name", "score"], [{"name": "=HYPERLINK(1)", "score": -0.5}, {"name": "@x", "score": None}])
    assert text.splitlines() == ["name,score", "'=HYPERLINK(1),-0.5", "'@x,"]
