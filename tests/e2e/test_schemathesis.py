"""schemathesis fuzzes every operation of the running API's OpenAPI: no 5xx, ever.

It runs twice: as nobody (public endpoints, 401s elsewhere) and as an admin, so the staff
endpoints are exercised past their authentication with generated bodies and paths.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from cunfa.settings import PROJECT_ROOT
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.integration


def _fuzz(stack: Stack, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "scripts/schemathesis.sh", stack.base_url, *extra],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def _admin_token(stack: Stack) -> str:
    subprocess.run(
        [sys.executable, "-m", "cunfa.cli", "users", "add", "--username", "fuzz-admin", "--role", "admin",
         "--password-stdin"],
        input="fuzz-admin-password\n", text=True, cwd=PROJECT_ROOT, env=stack.env, check=True, capture_output=True,
    )  # fmt: skip
    with stack.client() as client:
        response = client.post("/v1/auth/token", json={"username": "fuzz-admin", "password": "fuzz-admin-password"})
    response.raise_for_status()
    return response.json()["access_token"]


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_no_operation_answers_a_server_error(stack: Stack, who: str) -> None:
    extra = ["-H", f"Authorization: Bearer {_admin_token(stack)}"] if who == "admin" else []
    result = _fuzz(stack, *extra)
    summary = result.stdout[-4000:]
    assert result.returncode == 0, summary + result.stderr[-2000:]
    # The check's name is in the report's summary, which warnings about 4xx-only operations can push far up.
    assert "not_a_server_error" in result.stdout and "passed" in summary
