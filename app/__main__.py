"""``python -m app --host H --port P``: serve nnviz with uvicorn."""

from __future__ import annotations

import argparse

import uvicorn

from app.settings import get_settings


def main(argv: list[str] | None = None) -> None:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m app", description="Serve nnviz.")
    parser.add_argument("--host", default=settings.host, help="interface to bind (default %(default)s)")
    parser.add_argument("--port", type=int, default=settings.port, help="port (default %(default)s)")
    args = parser.parse_args(argv)
    uvicorn.run("app.main:app", host=args.host, port=args.port)


if __name__ == "__main__":
    main()
