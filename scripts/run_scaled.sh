#!/usr/bin/env bash
# Run Cunfa scaled out on this machine: N Rasa servers and N action servers (default 2) behind
# one gateway, sharing PostgreSQL (conversations and cases) and Redis (conversation locks).
#
# Uses the machine's PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 when they run,
# else installs and starts them (root on Debian/Ubuntu). Any CUNFA_* variable already exported
# wins, so the same script serves other ports, hosts and replica counts. See docs/deployment.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
installed_url=$(bash scripts/ensure_postgres.sh || true)
bash scripts/ensure_redis.sh
if [ -z "${CUNFA_DATABASE_URL:-}" ]; then
  if [ -n "$installed_url" ]; then
    export CUNFA_DATABASE_URL="$installed_url"
  else
    export CUNFA_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/cunfa"
    # The machine's server has trust auth for local connections; give Cunfa a database of its own.
    .venv/bin/python - <<'PY'
import sqlalchemy as sa
admin = sa.create_engine("postgresql://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT")
with admin.connect() as c:
    if not c.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = 'cunfa'")).scalar():
        c.execute(sa.text("CREATE DATABASE cunfa"))
PY
  fi
fi
export CUNFA_LOCK_STORE_URL="${CUNFA_LOCK_STORE_URL:-redis://127.0.0.1:6379/0}"
export CUNFA_REPLICAS="${CUNFA_REPLICAS:-2}"
echo "run_scaled: ${CUNFA_REPLICAS} Rasa + ${CUNFA_REPLICAS} action servers; locks ${CUNFA_LOCK_STORE_URL}" >&2
exec .venv/bin/cunfa run
