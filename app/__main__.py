"""``python -m app``: serve nnviz with uvicorn; ``migrate`` and ``adopt`` for operators.

    python -m app [--host H] [--port P]     serve (migrations run at start-up; port 0: any free port, which
                                            the log line "Uvicorn running on ..." names)
    python -m app migrate                   bring the database's schema up to date, then exit
    python -m app adopt OWNER               give every network, job and upload stored before owners
                                            existed to OWNER (see GET /api/me)
"""

from __future__ import annotations

import argparse
import sys

from app.server import serve
from app.settings import get_settings


def main(argv: list[str] | None = None) -> None:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m app", description="Serve nnviz, or look after its database.")
    parser.add_argument("--host", default=settings.host, help="interface to bind (default %(default)s)")
    parser.add_argument("--port", type=int, default=settings.port, help="port (default %(default)s)")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("migrate", help="bring the database's schema up to date, then exit")
    adopt = commands.add_parser("adopt", help="give rows stored before owners existed to one owner")
    adopt.add_argument("owner", help="an owner id (GET /api/me shows yours)")
    args = parser.parse_args(argv)
    from app.services.store import StorageError, Store, database_url

    try:  # opening the store migrates, before any worker starts
        store = Store(database_url(settings.database_url, settings.data_dir))
    except StorageError as exc:  # one line an operator can act on, not a traceback
        sys.exit(f"nnviz: {exc}")
    if args.command is None:
        store.close()
        serve(settings, args.host, args.port)
        return
    try:
        if args.command == "migrate":
            print(f"database schema at revision {store.revision}")
        else:
            counts = store.adopt(args.owner)
            print(", ".join(f"{count} {table}" for table, count in counts.items()) + f" now belong to {args.owner}")
    finally:
        store.close()


if __name__ == "__main__":
    main()
