#!/usr/bin/env bash
# Runs the whole suite on SQLite, then again on PostgreSQL when one is reachable.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh test

# Browser tests need Debian's chromium; install it when missing and we are allowed to.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium for the browser tests"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "Could not install chromium: browser tests will be skipped."
  else
    echo "chromium is not installed and cannot be installed here: browser tests will be skipped."
  fi
fi

.venv/bin/python manage.py compilemessages --ignore=.venv -v0

echo "== Test suite on SQLite =="
env -u DATABASE_URL .venv/bin/python -m pytest "$@"

pg_url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
if .venv/bin/python - "$pg_url" <<'PY'
import sys
import psycopg
try:
    psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://", 1), connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL not reachable at {sys.argv[1]}: {exc}")
    sys.exit(1)
PY
then
  echo "== Test suite on PostgreSQL ($pg_url) =="
  DATABASE_URL="$pg_url" .venv/bin/python -m pytest -p no:cacheprovider "$@"
else
  echo "SKIPPED: the PostgreSQL run (no server reachable). Set DATABASE_URL to run it."
fi
