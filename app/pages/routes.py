"""Page routes: each renders a template; the pages fetch everything else from ``/api``."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import plotly
from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

from app.httpcache import accepts_gzip, etag_matches

from .assets import IMMUTABLE, SHORT, VersionedStaticFiles, files_version, gzipped, module_graph


def _package_dir(package: str) -> Path:
    """The folder of a package that holds data files; installed or editable, it is on disk."""
    return Path(str(resources.files(package)))


# templates/ and static/ are the packages app.templates and app.static (pyproject.toml maps them),
# so a wheel and an editable install find them the same way, wherever the process runs.
TEMPLATES_DIR = _package_dir("app.templates")
STATIC_DIR = _package_dir("app.static")
# plotly.js from the installed plotly package: the pages never load anything from a CDN.
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
PLOTLY_VERSION = files_version(PLOTLY_JS)
static_files = VersionedStaticFiles(STATIC_DIR)  # mounted at /static by app.main

# path -> (page name = template and script name, title shown in the navigation)
PAGES: dict[str, tuple[str, str]] = {
    "/": ("playground", "Playground"),
    "/learn": ("learn", "Lesson"),
    "/activations": ("activations", "Activations"),
    "/neuron": ("neuron", "One neuron"),
    "/architecture": ("architecture", "Architecture"),
    "/experiments": ("experiments", "Experiments"),
    "/sweeps": ("sweeps", "Sweeps"),
    "/classes": ("classes", "Classes"),
}

templates = Jinja2Templates(directory=TEMPLATES_DIR)


@cache
def module_preloads(entries: tuple[str, ...]) -> list[str]:
    """The static modules a page's scripts import (read once: the files do not change while serving)."""
    return module_graph(STATIC_DIR, entries)


templates.env.globals |= {"static_url": static_files.url, "plotly_url": f"/vendor/{PLOTLY_VERSION}/plotly.min.js",
                          "module_preloads": lambda entries: module_preloads(tuple(entries))}
router = APIRouter(include_in_schema=False)


@router.get("/vendor/plotly.min.js")
@router.get("/vendor/{version}/plotly.min.js")
def plotly_js(request: Request, version: str = "") -> Response:
    """plotly.js, gzipped once; immutable under its own version (``plotly_url`` in the templates)."""
    etag = f'"{PLOTLY_VERSION}"'
    headers = {"Cache-Control": IMMUTABLE if version == PLOTLY_VERSION else SHORT, "ETag": etag,
               "Vary": "Accept-Encoding"}
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    if accepts_gzip(request.headers.get("accept-encoding", "")):
        headers["Content-Encoding"] = "gzip"
        return Response(gzipped(PLOTLY_JS), media_type="text/javascript", headers=headers)
    return FileResponse(PLOTLY_JS, media_type="text/javascript", headers=headers)


def _page_route(path: str, page: str, title: str) -> None:
    async def render(request: Request) -> HTMLResponse:  # async: a render is cheaper than a thread-pool hop
        context = {"page": page, "title": title, "nav": [(p, t) for p, (_, t) in PAGES.items()], "path": path}
        return templates.TemplateResponse(request, f"{page}.html", context)

    router.add_api_route(path, render, methods=["GET"], response_class=HTMLResponse, name=f"page_{page}")


for _path, (_page, _title) in PAGES.items():
    _page_route(_path, _page, _title)


def _render(request: Request, page: str, title: str, **values: str) -> HTMLResponse:
    """A page outside the navigation (its values, such as an id from the path, go to the template,
    which writes them as text or attributes: Jinja escapes them)."""
    context = {"page": page, "title": title, "nav": [(p, t) for p, (_, t) in PAGES.items()],
               "path": request.url.path, **values}
    return templates.TemplateResponse(request, f"{page}.html", context)


@router.get("/shared/{token}", response_class=HTMLResponse, name="page_shared")
async def shared_page(request: Request, token: str) -> HTMLResponse:
    """A network someone shared: read-only figures and a button that opens a copy."""
    return _render(request, "shared", "A shared network", token=token)


@router.get("/classes/{class_id}", response_class=HTMLResponse, name="page_class")
async def class_page(request: Request, class_id: str) -> HTMLResponse:
    """One class: the lecturer's controls, or a member's view of the assignment."""
    return _render(request, "class", "A class", class_id=class_id)


@router.get("/classes/{class_id}/wall", response_class=HTMLResponse, name="page_class_wall")
async def class_wall_page(request: Request, class_id: str) -> HTMLResponse:
    """A class's wall (its lecturer's; for anyone else the API refuses and the page says so)."""
    return _render(request, "class_wall", "A class's wall", class_id=class_id)


@router.get("/join", response_class=HTMLResponse, name="page_join")
@router.get("/join/{code}", response_class=HTMLResponse, name="page_join_code")
async def join_page(request: Request, code: str = "") -> HTMLResponse:
    """Join a class: its code (filled in from a join link) and a name."""
    return _render(request, "join", "Join a class", code=code)
