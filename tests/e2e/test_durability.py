"""Nothing confirmed is lost: kill the API with SIGKILL during a burst of filings, then check
that every case number a client received exists, complete, in the database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from cases import CaseStore
from cunfa.settings import PROJECT_ROOT
from tests.conftest import TEST_DATA, TEST_DATA_KEY
from tests.e2e.conftest import free_port

pytestmark = pytest.mark.integration


def _start_api(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    argv = [sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory", "--port", str(port)]
    with log.open("a") as out:
        return subprocess.Popen(argv, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def _wait_up(base: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError("API did not come up")


def test_sigkill_during_a_burst_loses_no_confirmed_case(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUNFA_")}
    env.update({"CUNFA_DATA_DIR": str(tmp_path), "CUNFA_DATA_KEYS": TEST_DATA_KEY, "CUNFA_LAWS_DIR": str(TEST_DATA / "laws"),
                "CUNFA_FAQ_FILE": str(TEST_DATA / "faq.json"), "USE_TF": "0"})  # fmt: skip
    subprocess.run(
        [sys.executable, "-m", "cunfa.cli", "users", "add", "--username", "grid-1", "--role", "grid_worker",
         "--password-stdin"],
        input="long-enough-pw\n", text=True, cwd=PROJECT_ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    api = _start_api(env, port, tmp_path / "api.log")
    received: dict[str, dict] = {}
    try:
        _wait_up(base)
        token = httpx.post(f"{base}/v1/auth/token", json={"username": "grid-1", "password": "long-enough-pw"}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        stop = threading.Event()

        def burst(worker: int) -> None:
            with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
                i = 0
                while not stop.is_set():
                    i += 1
                    body = {"resident_name": f"村民{worker}-{i}", "phone": f"139{worker:04d}{i:04d}",
                            "dispute_type": "neighbor", "description": f"第{i}件：邻居占道", "village_id": "v1"}  # fmt: skip
                    try:
                        response = client.post("/v1/cases", json=body)
                    except httpx.HTTPError:
                        return  # the server died mid-request: that case was never confirmed
                    if response.status_code == 201:
                        received[response.json()["case_id"]] = body

        threads = [threading.Thread(target=burst, args=(w,)) for w in range(4)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 30
        while len(received) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        api.send_signal(signal.SIGKILL)
        api.wait(timeout=10)
        stop.set()
        for t in threads:
            t.join(timeout=15)
    finally:
        if api.poll() is None:
            api.kill()
    assert len(received) >= 40, (tmp_path / "api.log").read_text()[-3000:]
    store = CaseStore(f"sqlite:///{tmp_path / 'cunfa.db'}")
    for number, body in received.items():
        case = store.get(number)
        assert case.resident_name == body["resident_name"] and case.resident_phone == body["phone"]
        assert case.description == body["description"] and case.status == "received"
        assert [e.kind for e in case.events] == ["created"]
