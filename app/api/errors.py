"""Error handling and response hygiene shared by every router.

* Service exceptions map to status codes: the core's ``SpecError`` 422 (naming the field),
  ``NotFound`` 404, ``Forbidden`` 403, ``Conflict`` / ``MissingData`` 409 (a ``Conflict`` that names
  its field is answered as a 422 is: a list of problems, each with its ``field``), ``QueueFull`` 503
  with ``Retry-After``,
  ``StorageError`` (a full or read-only disk) 503 saying nothing was saved, its path only in the log.
* Validation errors list each problem with its dotted field path (``network.hidden[0].units``):
  ``{"detail": [{"loc", "field", "msg", "type"}]}``, the message once, without the field.
* ``SafeJSONResponse`` writes NaN and infinity as null (orjson does so natively): no response is
  ever invalid JSON.
* ``responses(...)`` documents, per operation, every status it can answer.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from app.nn import SpecError
from app.services import Conflict, Forbidden, NotFound, PersonLimit, QueueFull, StorageError, StorageFull
from app.services.figures import MissingData
from app.services.specs import field_path

RETRY_AFTER_SECONDS = 5
STORAGE_RETRY_SECONDS = 60
log = logging.getLogger(__name__)
_ORJSON_OPTIONS = orjson.OPT_SERIALIZE_NUMPY


def dumps(value: Any) -> bytes:
    """Compact JSON; NaN and ±inf become null, numpy arrays and scalars are written as numbers."""
    return orjson.dumps(value, option=_ORJSON_OPTIONS)


class SafeJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return dumps(content)


class Message(BaseModel):
    detail: str


class Problem(BaseModel):
    loc: list[str | int]
    field: str
    msg: str
    type: str


class Problems(BaseModel):
    detail: list[Problem]


STATUSES: dict[int, dict[str, Any]] = {
    400: {"model": Message, "description": "the body could not be read: not JSON, or not UTF-8"},
    403: {"model": Message, "description": "only the class's lecturer may do this (you are a member)"},
    404: {"model": Message, "description": "no such resource"},
    409: {"model": Message, "description": "the network is being trained, or has no data yet"},
    413: {"model": Message, "description": "the body is larger than this operation's limit (`x-max-body-bytes`; "
                                           "the message names its setting)"},
    422: {"model": Problems, "description": "a value is not acceptable; each problem names its `field`"},
    429: {"model": Message, "description": "you have as many jobs, networks or uploads as one person may have, or "
                                           "your address has started too many jobs, tokens or visits this minute "
                                           "(the message says which limit); retry after `Retry-After` seconds",
          "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}},
    503: {"model": Message, "description": "the server has as many jobs as it takes; retry after `Retry-After` "
                                           "seconds",
          "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}},
}


def responses(*codes: int, **descriptions: str) -> dict[int | str, dict[str, Any]]:
    """The documented answers ``codes`` (see ``STATUSES``); ``descriptions`` (``s422="..."``)
    says what this operation in particular means by one."""
    documented: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        documented[code] = dict(STATUSES[code])
        if f"s{code}" in descriptions:
            documented[code]["description"] = descriptions[f"s{code}"]
    return documented


BODY = (400, 413, 422)  # what any operation with a JSON body can answer
NOT_FOUND, CONFLICT, BUSY = responses(404), responses(409), responses(429, 503)


def problem(field: str, message: str, where: str = "body", kind: str = "value_error") -> dict[str, Any]:
    """One validation problem, shaped like FastAPI's (``where``: body, query or path)."""
    loc = [int(part) if part.isdigit() else part for part in re.findall(r"[^.\[\]]+", field)]
    return {"loc": [where, *loc], "field": field, "msg": message, "type": kind}


def unprocessable(errors: list[dict[str, Any]]) -> SafeJSONResponse:
    return SafeJSONResponse({"detail": errors}, status_code=422)


def allowed_methods(request: Request) -> list[str]:
    """The methods the OpenAPI schema documents at this path (a 405 lists them all in ``Allow``,
    where the router names only those of the first route whose path matched)."""
    for template, operations in request.app.openapi()["paths"].items():
        if re.fullmatch(re.sub(r"\{[^/]+\}", "[^/]+", template), request.url.path):
            return sorted(method.upper() for method in operations)
    return []


def install(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        allowed = allowed_methods(request) if exc.status_code == 405 else []
        if allowed:
            return SafeJSONResponse({"detail": exc.detail}, status_code=405, headers={"Allow": ", ".join(allowed)})
        return await http_exception_handler(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> SafeJSONResponse:
        errors = []
        for error in exc.errors():
            loc = list(error.get("loc", ()))
            message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
            errors.append({"loc": loc, "field": field_path(loc) or str(loc[0] if loc else "body"), "msg": message,
                           "type": error.get("type", "value_error")})
        return unprocessable(errors)

    @app.exception_handler(SpecError)
    async def _invalid(request: Request, exc: SpecError) -> SafeJSONResponse:
        where = "body" if request.method in ("POST", "PUT", "PATCH") else "query"
        return unprocessable([problem(exc.field or "body", exc.message, where)])

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> SafeJSONResponse:
        return SafeJSONResponse({"detail": str(exc.args[0] if exc.args else "not found")}, status_code=404)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> SafeJSONResponse:
        return SafeJSONResponse({"detail": str(exc)}, status_code=403)

    @app.exception_handler(Conflict)
    @app.exception_handler(MissingData)
    async def _conflict(request: Request, exc: Exception) -> SafeJSONResponse:
        field = getattr(exc, "field", None)
        if field:
            return SafeJSONResponse({"detail": [problem(field, str(exc), kind="conflict")]}, status_code=409)
        return SafeJSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(PersonLimit)
    async def _person_limit(request: Request, exc: PersonLimit) -> SafeJSONResponse:
        return SafeJSONResponse({"detail": str(exc)}, status_code=429,
                                headers={"Retry-After": str(RETRY_AFTER_SECONDS)})

    @app.exception_handler(StorageError)
    async def _storage(request: Request, exc: StorageError) -> SafeJSONResponse:
        log.error("%s %s: %s", request.method, request.url.path, exc)  # the path and the cure, for the operator
        why = "its storage is full" if isinstance(exc, StorageFull) else "it cannot write to its storage"
        return SafeJSONResponse({"detail": f"the server could not save this because {why}; nothing was saved, "
                                           "try again later"}, status_code=503,
                                headers={"Retry-After": str(STORAGE_RETRY_SECONDS)})

    @app.exception_handler(QueueFull)
    async def _busy(request: Request, exc: QueueFull) -> SafeJSONResponse:
        return SafeJSONResponse({"detail": f"the server is busy: {exc}; retry later"}, status_code=503,
                                headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
