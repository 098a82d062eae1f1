"""Page routes: each renders a template; the pages fetch everything else from ``/api``."""

from __future__ import annotations

from pathlib import Path

import plotly
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TEMPLATES_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = PROJECT_ROOT / "static"
# plotly.js from the installed plotly package: the pages never load anything from a CDN.
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"

# path -> (page name = template and script name, title shown in the navigation)
PAGES: dict[str, tuple[str, str]] = {
    "/": ("playground", "Playground"),
    "/activations": ("activations", "Activations"),
    "/neuron": ("neuron", "One neuron"),
    "/architecture": ("architecture", "Architecture"),
    "/experiments": ("experiments", "Experiments"),
}

templates = Jinja2Templates(directory=TEMPLATES_DIR)
router = APIRouter(include_in_schema=False)


@router.get("/vendor/plotly.min.js")
def plotly_js() -> FileResponse:
    return FileResponse(PLOTLY_JS, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})


def _page_route(path: str, page: str, title: str) -> None:
    def render(request: Request) -> HTMLResponse:
        context = {"page": page, "title": title, "nav": [(p, t) for p, (_, t) in PAGES.items()], "path": path}
        return templates.TemplateResponse(request, f"{page}.html", context)

    router.add_api_route(path, render, methods=["GET"], response_class=HTMLResponse, name=f"page_{page}")


for _path, (_page, _title) in PAGES.items():
    _page_route(_path, _page, _title)


@router.get("/shared/{token}", response_class=HTMLResponse, name="page_shared")
def shared_page(request: Request, token: str) -> HTMLResponse:
    """A network someone shared: read-only figures and a button that opens a copy."""
    context = {"page": "shared", "title": "A shared network", "nav": [(p, t) for p, (_, t) in PAGES.items()],
               "path": request.url.path, "token": token}
    return templates.TemplateResponse(request, "shared.html", context)
