#!/usr/bin/env bash
# Create .venv with Python 3.10 and install the locked dependencies with uv.
# Idempotent and quick when nothing changed; `make run` and `make test` call it every time.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION="0.13.9"

is_py310() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; }

find_python310() {
  if [ -n "${CUNFA_PYTHON:-}" ]; then echo "$CUNFA_PYTHON"; return; fi
  local root candidate
  root="$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"
  for candidate in python3.10 "$root"/versions/3.10.*/bin/python /usr/bin/python3.10 /usr/local/bin/python3.10 \
                   /opt/homebrew/bin/python3.10; do
    if [ -x "$candidate" ] || command -v "$candidate" >/dev/null 2>&1; then
      if is_py310 "$candidate"; then command -v "$candidate" || echo "$candidate"; return; fi
    fi
  done
  echo ""  # none installed: uv fetches one where there is internet
}

find_uv() {
  if command -v uv >/dev/null 2>&1 && uv --version >/dev/null 2>&1; then command -v uv; return; fi
  if [ -x .tools/bin/uv ]; then echo "$PWD/.tools/bin/uv"; return; fi
  local py
  for py in python3 /usr/bin/python3 "$(find_python310)"; do
    if [ -n "$py" ] && "$py" -c 'import venv' >/dev/null 2>&1; then
      echo "setup: installing uv $UV_VERSION into .tools/" >&2
      "$py" -m venv .tools >&2 && .tools/bin/pip install -q "uv==$UV_VERSION" >&2
      echo "$PWD/.tools/bin/uv"; return
    fi
  done
  echo "setup: no uv and no python3 to install it with; install uv (https://docs.astral.sh/uv/)" >&2
  exit 1
}

UV="$(find_uv)"
PY="$(find_python310)"
if [ -n "$PY" ]; then
  PY_ARG="$PY"
else
  echo "setup: no Python 3.10 found; asking uv to provide one" >&2
  PY_ARG="3.10"
fi

# --frozen: install exactly what uv.lock says, never re-resolve on a user's machine.
"$UV" sync --frozen --python "$PY_ARG" --quiet
