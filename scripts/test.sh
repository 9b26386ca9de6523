#!/usr/bin/env bash
# The whole suite on SQLite, then again on PostgreSQL when it is reachable.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
export INVITEFLOW_VAR_DIR="${INVITEFLOW_VAR_DIR:-$(mktemp -d)}"

echo "== SQLite =="
env -u DATABASE_URL "$BIN/pytest" tests "$@"
sqlite_rc=$?

if "$BIN/python" scripts/pg_reachable.py "$PG_URL"; then
  echo "== PostgreSQL ($PG_URL) =="
  # The sandbox tests use no database; they ran once above.
  DATABASE_URL="$PG_URL" "$BIN/pytest" tests --ignore=tests/tiktok_sandbox "$@"
  pg_rc=$?
else
  echo "== PostgreSQL: skipped, $PG_URL is not reachable =="
  pg_rc=0
fi
exit $(( sqlite_rc != 0 || pg_rc != 0 ))
