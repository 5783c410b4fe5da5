"""Start the real product (Rasa, action server, API under the supervisor) once per session."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from cunfa.settings import PROJECT_ROOT, Settings
from tests.conftest import TEST_DATA_KEY

#: Content-addressed caches shared with `make run`; everything else of a test run stays in tmp.
SHARED_CACHES = ("index", "encoders", "models", "rasa-cache")

# Index, encoder and model are prepared before the clock starts; this bounds start-up alone.
START_TIMEOUT_S = float(os.environ.get("CUNFA_TEST_START_TIMEOUT", "300"))


def redis_reachable(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children_of(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


@dataclass
class Stack:
    process: subprocess.Popen
    base_url: str
    env: dict[str, str]
    log_path: Path
    readyz_before_ready: list[int] = field(default_factory=list)

    @property
    def database_url(self) -> str:
        return self.env.get("CUNFA_DATABASE_URL") or f"sqlite:///{Path(self.env['CUNFA_DATA_DIR']) / 'cunfa.db'}"

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=60)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-5000:]

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self.client() as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"cunfa run exited with {self.process.returncode}:\n{self.log()}")
                try:
                    response = client.get("/readyz", timeout=5)
                    if response.status_code == 200:
                        return
                    self.readyz_before_ready.append(response.status_code)
                except httpx.HTTPError:
                    pass
                time.sleep(1)
        raise TimeoutError(f"stack not ready after {timeout:.0f}s:\n{self.log()}")


def launch_stack(tmp: Path, extra_env: dict[str, str] | None = None) -> Stack:
    """Start `cunfa run` in a data directory of its own under ``tmp``; the caller stops it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUNFA_")}
    # Build (or reuse) the index, encoder and model in the default data directory, then give
    # this run a data directory of its own that links to those caches: villages and the
    # database written by the tests never reach a developer's data.
    subprocess.run([sys.executable, "-m", "cunfa.cli", "prepare"], cwd=PROJECT_ROOT, env=env, check=True)
    default_data = Settings().data_dir
    data_dir = tmp / "data"
    data_dir.mkdir()
    for name in SHARED_CACHES:
        (default_data / name).mkdir(parents=True, exist_ok=True)
        (data_dir / name).symlink_to(default_data / name, target_is_directory=True)
    port = free_port()
    env.update(
        {
            "CUNFA_DATA_DIR": str(data_dir),
            "CUNFA_DATA_KEYS": TEST_DATA_KEY,
            "CUNFA_PORT": str(port),
            "CUNFA_RASA_PORT": str(free_port()),
            "CUNFA_ACTION_PORT": str(free_port()),
            "CUNFA_EMERGENCY_CONTACTS": "镇派出所 0371-12345678",
            # Every test talks from 127.0.0.1; the limits themselves are tested in tests/api.
            "CUNFA_RATE_LIMIT_PER_IP": "100000",
            **(extra_env or {}),
        }
    )
    log_path = tmp / "stack.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "cunfa.cli", "run"], cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    return Stack(process=process, base_url=f"http://127.0.0.1:{port}", env=env, log_path=log_path)


def stop_stack(stack: Stack) -> None:
    if stack.process.poll() is None:
        stack.process.send_signal(signal.SIGTERM)
        try:
            stack.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            stack.process.kill()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    # Where Redis runs (build machines do), Rasa runs with the Redis lock store, so the
    # configuration used for several Rasa servers is the one under test.
    extra = {"CUNFA_LOCK_STORE_URL": "redis://127.0.0.1:6379/15"} if redis_reachable() else {}
    stack = launch_stack(tmp_path_factory.mktemp("stack"), extra)
    try:
        stack.wait_ready(START_TIMEOUT_S)
        yield stack
    finally:
        stop_stack(stack)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that stop the shared stack run after every other test, whatever their file names."""
    items.sort(key=lambda item: item.get_closest_marker("stops_stack") is not None)
