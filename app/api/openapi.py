"""The OpenAPI schema states the limits of the running server.

Bounds that are settings are marked in the models (``app.services.specs.limit``); here each mark
becomes the setting's value, and the data spec's schema is written from the generators' registry
and the points limit (``data_spec_schema``). A server started with other ``NNVIZ_MAX_*`` values
documents those.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from app.services.data_specs import data_spec_schema
from app.services.specs import LIMIT_MARK, Limits
from app.settings import Settings


def _write_limits(node: Any, settings: Settings) -> None:
    if isinstance(node, list):
        for item in node:
            _write_limits(item, settings)
        return
    if not isinstance(node, dict):
        return
    marks = node.pop(LIMIT_MARK, None)
    if marks:
        # An optional value's bounds belong to its non-null branch.
        targets = [branch for branch in node.get("anyOf", []) if branch.get("type") != "null"] or [node]
        for target in targets:
            target.update({keyword: getattr(settings, setting) for keyword, setting in marks.items()})
    for value in node.values():
        _write_limits(value, settings)


def install(app: FastAPI, settings: Settings) -> None:
    """Make ``app.openapi()`` write the settings' limits into the generated schema (once)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            _write_limits(schema, settings)
            schema["components"]["schemas"]["DataSpec"] = data_spec_schema(Limits.from_settings(settings))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
