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

# PostgreSQL runs as a least-privilege role, as in production (docs/deploy.md): never a superuser.
# Unless DATABASE_URL names another, the role mutua_test (LOGIN CREATEDB and nothing more: pytest-django
# creates and drops its own test_mutua database) is created or corrected when missing, by the
# `postgres` superuser over PG_ADMIN_URL. With no server answering, the run is skipped.
default_pg_url="postgres://mutua_test@127.0.0.1:5432/mutua"
pg_url="${DATABASE_URL:-$default_pg_url}"
admin_url="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
set +e
.venv/bin/python - "$pg_url" "$admin_url" "$default_pg_url" <<'PY'
import sys
from urllib.parse import urlsplit

import psycopg
from psycopg import sql


def conninfo(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def shown(url: str) -> str:
    parts = urlsplit(url)  # never print a password
    return f"{parts.username}@{parts.hostname}:{parts.port or 5432}"


pg_url, admin_url, default_url = sys.argv[1:4]
role = urlsplit(pg_url).username
admin_reachable = False
if pg_url == default_url:
    try:
        with psycopg.connect(conninfo(admin_url), connect_timeout=3, autocommit=True) as admin:
            admin_reachable = True
            exists = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
            statement = "ALTER ROLE {} " if exists else "CREATE ROLE {} "
            admin.execute(
                sql.SQL(statement + "LOGIN CREATEDB NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS").format(
                    sql.Identifier(role)
                )
            )
    except psycopg.OperationalError as exc:
        print(f"Could not check the role {role} as {shown(admin_url)}: {exc}".strip())
try:
    # Connect to the maintenance database: the role owns no database of its own until the tests run.
    with psycopg.connect(conninfo(pg_url), dbname="postgres", connect_timeout=3) as conn:
        row = conn.execute("SELECT rolsuper, rolcreatedb FROM pg_roles WHERE rolname = current_user").fetchone()
except psycopg.OperationalError as exc:
    print(f"PostgreSQL not reachable as {shown(pg_url)}: {exc}".strip())
    sys.exit(2 if admin_reachable else 1)
superuser, createdb = row
if superuser:
    print(f"WARNING: {shown(pg_url)} is a superuser; Mutua should be tested as a least-privilege role.")
if not createdb:
    print(f"{shown(pg_url)} needs CREATEDB to create the test database.")
    sys.exit(2)
PY
pg_status=$?
set -e
if [ "$pg_status" = "0" ]; then
  echo "== Test suite on PostgreSQL (as role $(.venv/bin/python -c 'import sys; from urllib.parse import urlsplit; print(urlsplit(sys.argv[1]).username)' "$pg_url")) =="
  # The matching engine is pure (no Django, no database): it ran in the SQLite pass and cannot give
  # another answer here, so the second pass skips it (about two minutes).
  echo "(the pure matching engine's tests ran in the SQLite pass and are not repeated)"
  DATABASE_URL="$pg_url" .venv/bin/python -m pytest -p no:cacheprovider --ignore=mutua/matching/engine "$@"
elif [ "$pg_status" = "1" ]; then
  echo "SKIPPED: the PostgreSQL run (no server reachable). Set DATABASE_URL to run it."
else
  echo "FAILED: a PostgreSQL server answers but the test role cannot be used (see above)." >&2
  exit 1
fi
