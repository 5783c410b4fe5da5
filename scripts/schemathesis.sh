#!/usr/bin/env bash
# Fuzz a running Cunfa API from its own OpenAPI document: no request may get a 5xx.
#
#   bash scripts/schemathesis.sh http://127.0.0.1:8000 [extra schemathesis options…]
#
# schemathesis needs jsonschema >= 4.18 and Rasa 3.6 pins < 4.18, so it cannot live in the
# project's virtual environment: uv runs it in an isolated, pinned tool environment (hypothesis
# pinned too: newer releases break schemathesis 3.39). Pass -H "Authorization: Bearer …" to
# reach the staff endpoints past their 401.
set -euo pipefail
cd "$(dirname "$0")/.."
base="${1:?usage: schemathesis.sh BASE_URL [options]}"
shift
uv=".tools/bin/uv"
[ -x "$uv" ] || uv="uv"
# FastAPI publishes OpenAPI 3.1, which schemathesis 3.x supports behind a flag.
exec "$uv" tool run --from "schemathesis==3.39.16" --with "hypothesis==6.122.3" \
  st run "$base/openapi.json" --experimental=openapi-3.1 \
  --checks not_a_server_error --hypothesis-seed 1 --hypothesis-deadline None \
  --request-timeout 30000 --hypothesis-max-examples "${ST_MAX_EXAMPLES:-25}" "$@"
