#!/usr/bin/env bash
# The whole suite on SQLite, then again on PostgreSQL when it is reachable, then the
# end-to-end background work on RQ workers when PostgreSQL and Redis are both reachable.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
export INVITEFLOW_VAR_DIR="${INVITEFLOW_VAR_DIR:-$(mktemp -d)}"

# The browser tests drive Debian's Chromium: install it where it is missing and we may.
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] && [ "$(id -u)" = 0 ]; then
  echo "== installing Debian's chromium for the browser tests =="
  DEBIAN_FRONTEND=noninteractive apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi

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
# The end-to-end background work again on RQ: PostgreSQL + Redis, as on several machines.
REDIS_TEST_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
if "$BIN/python" scripts/pg_reachable.py "$PG_URL" &&
  "$BIN/python" -c 'import redis, sys; redis.Redis.from_url(sys.argv[1]).ping()' "$REDIS_TEST_URL" 2>/dev/null; then
  echo "== RQ workers (PostgreSQL + $REDIS_TEST_URL) =="
  TASKS_BACKEND=rq REDIS_URL="$REDIS_TEST_URL" DATABASE_URL="$PG_URL" \
    "$BIN/pytest" tests -m background_work "$@"
  rq_rc=$?
else
  echo "== RQ workers: skipped, PostgreSQL or Redis ($REDIS_TEST_URL) is not reachable =="
  rq_rc=0
fi
exit $(( sqlite_rc != 0 || pg_rc != 0 || rq_rc != 0 ))
