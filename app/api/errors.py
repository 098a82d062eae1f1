"""Error handling and response hygiene shared by every router.

* Service exceptions map to status codes: ``InvalidInput`` 422 (naming the field), ``NotFound``
  404, ``Conflict`` / ``MissingData`` 409, ``QueueFull`` 503 with ``Retry-After``.
* Validation errors list each problem with its dotted field path (``network.hidden[0].units``).
* ``SafeJSONResponse`` writes NaN and infinity as null: no response is ever invalid JSON.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.services import Conflict, InvalidInput, NotFound, PersonLimit, QueueFull
from app.services.figures import MissingData

RETRY_AFTER_SECONDS = 5


class Message(BaseModel):
    detail: str


# Documented on the routers whose handlers can answer them.
NOT_FOUND = {404: {"model": Message, "description": "no such resource"}}
CONFLICT = {409: {"model": Message, "description": "the network is being trained, or has no data yet"}}
BUSY = {429: {"model": Message, "description": "you have as many jobs as one person may have (the message says "
                                               "which limit); retry after `Retry-After` seconds"},
        503: {"model": Message, "description": "the server has as many jobs as it takes; retry after `Retry-After` "
                                               "seconds"}}


def finite(value: Any) -> Any:
    """``value`` with every non-finite float replaced by None (recursively)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(item) for item in value]
    return value


class SafeJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(finite(content), ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def field_path(loc: tuple | list) -> str:
    """``("body", "network", "hidden", 0, "units")`` -> ``network.hidden[0].units``."""
    path = ""
    for part in loc[1:] if loc and loc[0] in ("body", "query", "path", "form") else loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or str(loc[0] if loc else "body")


def problem(field: str, message: str, where: str = "body") -> dict[str, Any]:
    """One validation problem, shaped like FastAPI's (``where``: body, query or path)."""
    loc = [int(part) if part.isdigit() else part for part in re.findall(r"[^.\[\]]+", field)]
    return {"loc": [where, *loc], "field": field, "msg": f"{field}: {message}", "type": "value_error"}


def unprocessable(errors: list[dict[str, Any]]) -> SafeJSONResponse:
    return SafeJSONResponse({"detail": errors}, status_code=422)


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> SafeJSONResponse:
        errors = []
        for error in exc.errors():
            field = field_path(tuple(error.get("loc", ())))
            message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
            errors.append({"loc": list(error.get("loc", ())), "field": field, "msg": f"{field}: {message}",
                           "type": error.get("type", "value_error")})
        return unprocessable(errors)

    @app.exception_handler(InvalidInput)
    async def _invalid(request: Request, exc: InvalidInput) -> SafeJSONResponse:
        where = "body" if request.method in ("POST", "PUT", "PATCH") else "query"
        return unprocessable([problem(exc.field, exc.message, where)])

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> SafeJSONResponse:
        return SafeJSONResponse({"detail": str(exc.args[0] if exc.args else "not found")}, status_code=404)

    @app.exception_handler(Conflict)
    @app.exception_handler(MissingData)
    async def _conflict(request: Request, exc: Exception) -> SafeJSONResponse:
        return SafeJSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(PersonLimit)
    async def _person_limit(request: Request, exc: PersonLimit) -> SafeJSONResponse:
        return SafeJSONResponse({"detail": str(exc)}, status_code=429,
                                headers={"Retry-After": str(RETRY_AFTER_SECONDS)})

    @app.exception_handler(QueueFull)
    async def _busy(request: Request, exc: QueueFull) -> SafeJSONResponse:
        return SafeJSONResponse({"detail": f"the server is busy: {exc}; retry later"}, status_code=503,
                                headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
