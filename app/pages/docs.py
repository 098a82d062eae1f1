"""The REST API's documentation pages: ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc).

Both run on this server's copies of their scripts (the ``fastapi-offline`` package's, mounted at
``/static-offline-docs``), carry a bar that leads back to the app, and ask nothing of another host:
ReDoc's bundle loads its maker's logo from a CDN, so it is served here with that address taken
out, and Swagger UI's online validator badge is turned off.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from .assets import SHORT
from .routes import static_files

ASSETS = "/static-offline-docs"  # where fastapi-offline mounts its files
REDOC_JS = Path(fastapi_offline.__file__).resolve().parent / "static" / "redoc.standalone.js"
# The logo of ReDoc's side menu, an <img> whose loading errors hide it: with an empty address it
# fails at once, without a request.
REDOC_LOGO = re.compile(r"https://cdn\.redoc\.ly/[^\"']*")

router = APIRouter(include_in_schema=False)


def _back_bar(other: tuple[str, str]) -> str:
    """A one-line bar above the documentation: back to the app, and the other view of the API."""
    link = "color:#fff;text-decoration:underline;padding:.2rem .1rem"
    return (
        '<nav aria-label="nnviz" style="font:15px/1.5 system-ui,-apple-system,Segoe UI,sans-serif;'
        'background:#1f2933;color:#cbd2d9;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.3rem 1.2rem">'
        f'<a href="/" style="{link};font-weight:700">← nnviz: back to the Playground</a>'
        f'<a href="{other[0]}" style="{link}">{other[1]}</a></nav>'
    )


def _page(response: HTMLResponse, other: tuple[str, str]) -> HTMLResponse:
    html = response.body.decode()
    html = html.replace("<html>", '<html lang="en">', 1).replace("<body>", "<body>" + _back_bar(other), 1)
    return HTMLResponse(html)


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    app = request.app
    page = get_swagger_ui_html(
        openapi_url=app.openapi_url, title=f"{app.title} API: Swagger UI",
        swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js", swagger_css_url=f"{ASSETS}/swagger-ui.css",
        swagger_favicon_url=static_files.url("favicon.svg"),
        swagger_ui_parameters={**(app.swagger_ui_parameters or {}), "validatorUrl": None},
    )
    return _page(page, ("/redoc", "The same API in ReDoc"))


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    app = request.app
    page = get_redoc_html(openapi_url=app.openapi_url, title=f"{app.title} API: ReDoc",
                          redoc_js_url="/redoc/redoc.standalone.js", with_google_fonts=False,
                          redoc_favicon_url=static_files.url("favicon.svg"))
    return _page(page, ("/docs", "Try the API in Swagger UI"))


@cache
def _redoc_js() -> bytes:
    return REDOC_LOGO.sub("", REDOC_JS.read_text(encoding="utf-8")).encode()


@router.get("/redoc/redoc.standalone.js")
def redoc_js() -> Response:
    """ReDoc's bundle without the address of its logo."""
    return Response(_redoc_js(), media_type="text/javascript", headers={"Cache-Control": SHORT})
