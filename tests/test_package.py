"""The package as users get it: a wheel built from this tree, installed into a fresh virtual
environment far from the checkout, serves the pages, their static files and plotly.js."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .servers import app_server

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run([str(arg) for arg in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{' '.join(map(str, args))}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def isolated_env(tmp_path: Path) -> dict[str, str]:
    """The environment for the installed app: nothing points back at the checkout."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("PYTHON", "VIRTUAL_ENV"))}
    return env | {"NNVIZ_DATA_DIR": str(tmp_path / "data"), "NNVIZ_WORKERS": "1"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built the standard way (sdist first, then the wheel from the unpacked sdist)."""
    dist = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", dist, ROOT, cwd=dist)
    (built,) = dist.glob("nnviz-*.whl")
    return built


def source_files(folder: str, pattern: str) -> set[str]:
    return {path.relative_to(ROOT).as_posix() for path in (ROOT / folder).rglob(pattern)
            if path.is_file() and "__pycache__" not in path.parts and not path.name.startswith(".")}


def test_wheel_holds_the_code_templates_and_static_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = (source_files("app", "*.py")
                | {f"app/{name}" for name in source_files("templates", "*")}
                | {f"app/{name}" for name in source_files("static", "*")})
    assert expected - names == set()


def test_wheel_requires_the_project_s_dependencies(wheel):
    metadata = zipfile.ZipFile(wheel).read(next(name for name in zipfile.ZipFile(wheel).namelist()
                                                if name.endswith(".dist-info/METADATA"))).decode()
    required = {line.split(":", 1)[1].strip() for line in metadata.splitlines()
                if line.startswith("Requires-Dist:") and "extra ==" not in line}
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert {_normal(entry) for entry in required} == {_normal(entry) for entry in declared}


def _normal(requirement: str) -> str:
    return re.sub(r"\s+", "", requirement).replace('"', "'").lower()


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment (no access to the checkout) with the wheel installed.

    Its dependencies come from the test environment's site-packages, listed in a ``.pth`` file (a
    plain path: the editable install's finder there is never run), so the test installs the wheel
    alone rather than numpy, plotly and Dask again; the Docker image's test installs the wheel
    with its dependencies from the registry."""
    home = tmp_path_factory.mktemp("venv")
    venv.create(home / "venv", with_pip=True)
    python = home / "venv" / "bin" / "python"
    site = run(python, "-I", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=home).strip()
    dependencies = [path for path in map(Path, sys.path) if path.name == "site-packages" and path.is_dir()]
    (Path(site) / "test-dependencies.pth").write_text("".join(f"{path}\n" for path in dependencies))
    run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", wheel, cwd=home,
        env=isolated_env(home))
    return python


@pytest.fixture
def server(installed: Path, tmp_path: Path) -> Iterator[str]:
    """``python -m app`` from the virtual environment, run in an empty folder; yields its URL."""
    # -I: the working directory and PYTHON* variables stay out of sys.path.
    with app_server(tmp_path / "server.log", isolated_env(tmp_path), command=(installed, "-I", "-m", "app"),
                    cwd=tmp_path) as running:
        yield running.url


def test_installed_app_runs_from_the_virtual_environment(installed, tmp_path):
    where = run(installed, "-I", "-c", "import app.pages.routes as r; print(r.__file__, r.TEMPLATES_DIR, r.STATIC_DIR)",
                cwd=tmp_path, env=isolated_env(tmp_path)).split()
    environment = installed.parent.parent
    assert all(Path(path).is_relative_to(environment) for path in where), where
    assert not any(Path(path).is_relative_to(ROOT) for path in where), where


def test_installed_app_serves_pages_static_files_and_plotly(server):
    page = httpx.get(f"{server}/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    module = re.search(r'<script type="module" src="(/static/[0-9a-f]{12}/js/playground.js)"></script>', page.text)
    assert module and httpx.get(f"{server}{module.group(1)}").content == (ROOT / "static/js/playground.js").read_bytes()
    # KaTeX, vendored for the lesson's math: its script, style sheet and a font, from the wheel.
    for name in ("css/style.css", "js/playground.js", "favicon.svg", "vendor/katex/katex.min.js",
                 "vendor/katex/katex.min.css", "vendor/katex/fonts/KaTeX_Main-Regular.woff2"):
        response = httpx.get(f"{server}/static/{name}")
        assert response.status_code == 200, name
        assert response.content == (ROOT / "static" / name).read_bytes(), name
    plotly_js = httpx.get(f"{server}/vendor/plotly.min.js")
    assert plotly_js.status_code == 200 and plotly_js.headers["content-type"].startswith("text/javascript")
    assert len(plotly_js.content) > 1_000_000 and b"plotly" in plotly_js.content[:2000].lower()
