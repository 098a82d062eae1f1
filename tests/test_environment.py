"""The suite runs on the defaults whatever ``NNVIZ_*`` variables the shell that starts it holds."""

import os
import subprocess
import sys
from pathlib import Path

from app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
STRAY = {"NNVIZ_SCRATCH_TTL": "0", "NNVIZ_DATABASE_URL": "postgresql://nowhere", "NNVIZ_WORKERS": "7",
         "NNVIZ_DASK_SCHEDULER": "tcp://nowhere:8786"}


def test_settings_and_started_processes_see_no_nnviz_variables():
    # The one the suite sets itself (tests/conftest.py): its servers skip the kept experiments at start-up.
    assert {name: value for name, value in os.environ.items() if name.startswith("NNVIZ_")} == {
        "NNVIZ_PRECOMPUTE_EXPERIMENTS": "false"}
    settings = Settings()
    assert settings.model_dump() == {name: field.get_default(call_default_factory=True)
                                     for name, field in Settings.model_fields.items()} | {
        "precompute_experiments": False}
    assert settings.scratch_ttl == 7 * 24 * 3600 and settings.database_url == "" and settings.workers == 2


def test_a_shell_s_nnviz_variables_do_not_reach_the_tests():
    test = f"{Path(__file__).relative_to(ROOT)}::test_settings_and_started_processes_see_no_nnviz_variables"
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", test],
                         cwd=ROOT, env=os.environ | STRAY, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "1 passed" in run.stdout


def test_a_test_may_still_set_one(monkeypatch):
    monkeypatch.setenv("NNVIZ_SCRATCH_TTL", "0")
    assert Settings().scratch_ttl == 0
