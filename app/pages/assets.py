"""Static files and plotly.js with a version in their URL, kept by browsers for a year.

``/static/<version>/js/playground.js`` serves ``static/js/playground.js``; the version is a digest
of every static file, so any change gives every file a new URL and a browser may keep each one
for good (``immutable``). The version is a path segment, not a query string, so that the modules'
relative imports (``./api.js``) resolve inside the same version. Un-versioned URLs, and those of
another version (a page loaded before a restart), serve the current files with a short cache.
plotly.js (4.8 MB) is gzipped once, on its first request, and sent as such to every client that
accepts gzip.
"""

from __future__ import annotations

import gzip
import hashlib
import posixpath
import re
from functools import cache
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"  # un-versioned URLs: asked again (ETag) after five minutes
VERSION = re.compile(r"[0-9a-f]{12}")


def files_version(path: Path) -> str:
    """A digest of a file, or of a folder's files (names and contents), as 12 hex digits."""
    files = [path] if path.is_file() else sorted(
        p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    sha = hashlib.sha256()
    for file in files:
        sha.update(file.relative_to(path).as_posix().encode() + b"\0" + file.read_bytes())
    return sha.hexdigest()[:12]


class VersionedStaticFiles(StaticFiles):
    """``StaticFiles`` that takes a leading version segment off the path; the current version's
    files are sent as immutable, any other URL with a short cache (ETags revalidate both)."""

    def __init__(self, directory: Path):
        super().__init__(directory=directory)
        self.version = files_version(directory)

    def url(self, name: str) -> str:
        return f"/static/{self.version}/{name}"

    async def get_response(self, path: str, scope: Scope) -> Response:
        first, _, rest = path.partition("/")
        versioned = bool(rest) and VERSION.fullmatch(first) is not None
        response = await super().get_response(rest if versioned else path, scope)
        response.headers["Cache-Control"] = IMMUTABLE if versioned and first == self.version else SHORT
        return response


@cache
def gzipped(path: Path) -> bytes:
    """The file gzipped once (at the highest level: it is done once)."""
    return gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)


# A module's static imports: `import ... from "./x.js"`, `export ... from "../y.js"`, `import "./z.js"`
# (a dynamic import() is left to load when it runs).
STATIC_IMPORT = re.compile(r"""(?:\bfrom\s*|^\s*import\s*)["'](\.{1,2}/[^"']+)["']""", re.MULTILINE)


def module_graph(directory: Path, entries: tuple[str, ...]) -> list[str]:
    """Every module the ``entries`` (paths under ``directory``) import, directly or not, entries left
    out, in the order first met: what a page can ask for with ``<link rel="modulepreload">`` so that
    the browser fetches them together instead of one level of imports per round trip."""
    seen: list[str] = []
    todo = list(entries)
    while todo:
        name = todo.pop(0)
        if name in seen:
            continue
        seen.append(name)
        source = (directory / name).read_text(encoding="utf-8")
        base = Path(name).parent
        todo += [posixpath.normpath((base / found).as_posix()) for found in STATIC_IMPORT.findall(source)]
    return [name for name in seen if name not in entries]
