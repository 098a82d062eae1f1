"""The arrows point one way: api -> services -> viz -> nn, and the pages stand beside the api. Every
module of a layer is imported in a clean interpreter and must not pull in the layers above it (or web
frameworks, for the lower ones)."""

import subprocess
import sys

import pytest

FORBIDDEN = {
    "app.nn": ["fastapi", "starlette", "pydantic", "plotly", "app.viz", "app.services", "app.api", "app.pages"],
    "app.viz": ["fastapi", "starlette", "app.services", "app.api", "app.pages"],
    "app.services": ["fastapi", "starlette", "app.api", "app.pages"],
    # The pages render templates and serve static files; every number on them comes from /api over HTTP.
    "app.pages": ["app.api", "app.services", "app.viz", "app.nn"],
}
# Importing a package runs only its __init__; walk it so that every module is checked. The
# migrations are scripts that alembic runs, not modules to import.
IMPORT_EVERY_MODULE = """
import importlib, pkgutil, sys
layer = importlib.import_module({module!r})
for found in pkgutil.walk_packages(layer.__path__, layer.__name__ + "."):
    if ".migrations" not in found.name:
        importlib.import_module(found.name)
print(", ".join(f for f in {forbidden!r} if any(m == f or m.startswith(f + ".") for m in sys.modules)))
"""


@pytest.mark.parametrize("module", list(FORBIDDEN))
def test_layer_does_not_import_upwards(module):
    code = IMPORT_EVERY_MODULE.format(module=module, forbidden=FORBIDDEN[module])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"{module} imports {out.stdout.strip()}"
