"""The arrows point one way: api -> services -> viz -> nn. Each layer is imported in a clean
interpreter and must not pull in the layers above it (or web frameworks, for the lower ones)."""

import subprocess
import sys

import pytest

FORBIDDEN = {
    "app.nn": ["fastapi", "starlette", "pydantic", "plotly", "app.viz", "app.services", "app.api"],
    "app.viz": ["fastapi", "starlette", "app.services", "app.api"],
    "app.services": ["fastapi", "starlette", "app.api"],
}


@pytest.mark.parametrize("module", list(FORBIDDEN))
def test_layer_does_not_import_upwards(module):
    code = (
        f"import sys, {module}; "
        f"bad = [m for m in sys.modules if any(m == f or m.startswith(f + '.') for f in {FORBIDDEN[module]!r})]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"{module} imports {out.stdout.strip()}"
