"""The README's API tour runs as written, in order, against a fresh server: its examples cannot go
stale. Every curl must succeed (the tour's commands run with ``--fail-with-body``), and the tour's
own output must show what its text promises."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .servers import app_server

ROOT = Path(__file__).parents[1]
README = ROOT / "README.md"
WRITTEN_FOR = "http://127.0.0.1:8000"

pytestmark = pytest.mark.slow


def tour_blocks(text: str) -> list[str]:
    """The shell blocks of the section "An API tour", in order."""
    section = text.split("\n## An API tour\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", section, flags=re.S)


def test_the_tour_has_the_blocks_the_text_describes():
    blocks = tour_blocks(README.read_text())
    assert len(blocks) >= 6
    assert blocks[0].startswith(f"NNVIZ={WRITTEN_FOR}\n")
    assert all("$NNVIZ" in block for block in blocks)


@pytest.mark.skipif(shutil.which("jq") is None, reason="the tour uses jq (.ci/run installs it)")
def test_the_readme_api_tour_runs_as_written(tmp_path):
    env = os.environ | {"NNVIZ_DATA_DIR": str(tmp_path / "data")}
    with app_server(tmp_path / "server.log", env) as server:  # a fresh server
        script = "\n".join(tour_blocks(README.read_text())).replace(WRITTEN_FOR, server.url)
        work = tmp_path / "work"
        work.mkdir()
        done = subprocess.run(["bash", "-c", 'set -euo pipefail\ncurl() { command curl --fail-with-body "$@"; }\n'
                               + script], cwd=work, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert '"parameters":41' in out  # the notes' [3, 4, 4, 1]
    accuracy = float(re.search(r'"train_accuracy":([0-9.]+)', out).group(1))
    assert 0.97 <= accuracy <= 0.99  # the case study: about 98 %
    assert '"name":"case study"' in out and '{"status":"done","steps":12000}' in out
    assert "/shared/" in out and (work / "boundary.json").stat().st_size > 1000
