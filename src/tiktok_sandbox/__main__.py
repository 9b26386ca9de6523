"""`python -m tiktok_sandbox [--host H] [--port P] [--db PATH]`: run the sandbox server.

Knobs come from `SANDBOX_*` environment variables (see README.md); `SANDBOX_DB` sets the default
database path, `SANDBOX_HOST` / `SANDBOX_PORT` the default address.
"""

from __future__ import annotations

import argparse
import os

from .app import DEFAULT_DB_PATH, serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tiktok_sandbox", description="TikTok API for Business emulator"
    )
    parser.add_argument("--host", default=os.environ.get("SANDBOX_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("SANDBOX_PORT", "8001")))
    parser.add_argument(
        "--db",
        default=os.environ.get("SANDBOX_DB", DEFAULT_DB_PATH),
        help="SQLite file (created if missing); ':temp:' for a throwaway one",
    )
    args = parser.parse_args(argv)
    serve(args.host, args.port, None if args.db == ":temp:" else args.db)


if __name__ == "__main__":
    main()
