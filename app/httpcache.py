"""Two rules of HTTP caching and compression that both the API and the page routes apply."""

from __future__ import annotations


def etag_matches(header: str | None, etag: str) -> bool:
    """``If-None-Match`` lists ``etag`` (weak comparison, as RFC 9110 asks for it) or is ``*``."""
    if not header:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in tags or etag in tags


def accepts_gzip(header: str) -> bool:
    """``Accept-Encoding`` gives gzip (or, failing that, ``*``) a weight above zero."""
    weights: dict[str, float] = {}
    for item in header.split(","):
        coding, *params = item.split(";")
        weight = 1.0
        for param in params:
            name, _, value = param.strip().partition("=")
            if name.lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[coding.strip().lower()] = weight
    return weights.get("gzip", weights.get("*", 0.0)) > 0
