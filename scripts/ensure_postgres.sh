#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 for the case-store tests (CI only).
#
# Uses the one already running (build machines run one with trust auth and a `test` database).
# Otherwise, as root on Debian/Ubuntu, installs the distribution's package, starts its cluster,
# and prints the URL to export as CUNFA_TEST_POSTGRES_URL. Never fails the build: without a
# server, `make test` still passes on SQLite and its summary says the PostgreSQL run did not
# happen.
set -uo pipefail

ready() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; }
probe() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }

if ready || probe; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure_postgres: no server on 127.0.0.1:5432 and cannot install one here" >&2
  exit 0
fi
echo "ensure_postgres: installing PostgreSQL (Debian package)" >&2
{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } >&2 || {
  echo "ensure_postgres: install failed" >&2
  exit 0
}
version=$(ls /etc/postgresql | sort -V | tail -1)
pg_ctlcluster "$version" main start >&2 || service postgresql start >&2 || true
for _ in $(seq 1 30); do probe && break; sleep 1; done
su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'cunfa-ci'\"" >&2 || true
su postgres -c "createdb test" >/dev/null 2>&1 || true
echo "postgresql://postgres:cunfa-ci@127.0.0.1:5432/test"
