"""Run the Rasa server, the action server and the API as one supervised group.

The supervisor starts each child, restarts one that dies (with backoff), and on SIGINT or
SIGTERM stops all of them: SIGTERM first, SIGKILL for any child still alive after a grace
period. Children also get SIGTERM from the kernel if the supervisor itself is killed, so no
orphan keeps a port busy.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from cunfa.bot_model import endpoints_file, rasa_environment, venv_bin
from cunfa.settings import PROJECT_ROOT, Settings

logger = logging.getLogger("cunfa.supervisor")

GRACE_SECONDS = 15.0
MAX_BACKOFF = 30.0
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str]
    process: subprocess.Popen | None = None
    restarts: int = 0
    started_at: float = 0.0
    next_start: float = field(default=0.0)

    def start(self) -> None:
        logger.info("starting %s", self.name)
        preexec = _die_with_parent if sys.platform.startswith("linux") else None
        self.process = subprocess.Popen(self.argv, cwd=PROJECT_ROOT, env=self.env, preexec_fn=preexec)
        self.started_at = time.monotonic()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


def child_specs(settings: Settings, model: Path) -> list[Child]:
    """The processes of the product, all configured from the same ``settings``.

    One action server and one Rasa server per replica (Rasa server i calls action server i),
    then the API, which spreads turns over the Rasa servers.
    """
    env = rasa_environment(settings)
    # One OpenMP/MKL thread per service process. A query is a single small vector, too small to
    # split; with more threads, faiss and torch left OpenMP workers spinning after every search,
    # and that spinning took the CPU Rasa needed: at 10 residents the action server burnt 17 ms
    # of CPU per turn instead of 4.5, and the stack managed 42 turns/s instead of 49
    # (`make bench-chat`). TensorFlow's own pools (Rasa's DIET) likewise: one thread each took
    # Rasa from 22.8 to 19.8 ms of CPU per turn at 10 residents. Set the variables yourself to
    # override.
    for name in (
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "TF_INTRA_OP_PARALLELISM_THREADS",
        "TF_INTER_OP_PARALLELISM_THREADS",
    ):
        env[name] = os.environ.get(name) or "1"
    # The API and the action server use transformers through sentence-transformers with PyTorch
    # only; stopping transformers from importing TensorFlow/JAX saves seconds of start-up.
    light = {**env, "USE_TF": "0", "USE_FLAX": "0"}
    python = sys.executable
    actions_urls = settings.action_base_urls
    children: list[Child] = []
    for i in range(settings.replicas):
        suffix = "" if i == 0 else f"-{i + 1}"
        children.append(
            Child(
                f"actions{suffix}",
                [python, "-m", "rasa_sdk", "--actions", "actions", "--port", str(settings.action_port + i)],
                light,
            )
        )
        children.append(
            Child(
                f"rasa{suffix}",
                [
                    venv_bin("rasa"),
                    "run",
                    "--enable-api",
                    # One argument with "=": a generated token may start with "-", which
                    # argparse would take for an option and refuse to start.
                    f"--auth-token={settings.rasa_token}",
                    "--model",
                    str(model),
                    "--endpoints",
                    str(endpoints_file(settings)),
                    "--credentials",
                    str(PROJECT_ROOT / "bot" / "credentials.yml"),
                    "--interface",
                    "127.0.0.1",
                    "--port",
                    str(settings.rasa_port + i),
                ],  # fmt: skip
                {**env, "CUNFA_ACTION_URL": actions_urls[i % len(actions_urls)]},
            )
        )
    children.append(
        Child(
            "api",
            [
                python,
                "-m",
                "uvicorn",
                "api.main:create_app",
                "--factory",
                "--host",
                settings.host,
                "--port",
                str(settings.port),
                "--log-level",
                settings.log_level.lower(),
                "--no-server-header",
            ],  # fmt: skip
            light,
        )
    )
    return children


class Supervisor:
    def __init__(self, children: list[Child], ready_url: str | None = None) -> None:
        self.children = children
        self.ready_url = ready_url
        self._stop = threading.Event()

    def request_stop(self, signum: int | None = None, _frame: object = None) -> None:
        if not self._stop.is_set():
            logger.info("stopping (signal %s)", signum)
        self._stop.set()

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        for child in self.children:
            child.start()
        if self.ready_url:
            threading.Thread(target=self._announce_ready, daemon=True).start()
        try:
            while not self._stop.wait(0.5):
                self._restart_dead()
        finally:
            self.stop_all()
        return 0

    def _restart_dead(self) -> None:
        now = time.monotonic()
        for child in self.children:
            if child.alive() or self._stop.is_set():
                continue
            if child.next_start == 0.0:
                code = child.process.returncode if child.process else None
                uptime = now - child.started_at
                # A child that ran for a minute is healthy again: start its backoff over.
                if uptime > 60:
                    child.restarts = 0
                delay = min(MAX_BACKOFF, 2.0**child.restarts)
                logger.warning("%s exited with %s after %.0fs; restarting in %.0fs", child.name, code, uptime, delay)
                child.next_start = now + delay
            elif now >= child.next_start:
                child.restarts += 1
                child.next_start = 0.0
                child.start()

    def stop_all(self) -> None:
        for child in self.children:
            if child.alive():
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for child in self.children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning("%s did not stop in %.0fs; killing it", child.name, GRACE_SECONDS)
                child.process.kill()
                child.process.wait()
        logger.info("all processes stopped")

    def _announce_ready(self) -> None:
        started = time.monotonic()
        while not self._stop.is_set():
            try:
                if httpx.get(self.ready_url, timeout=2).status_code == 200:
                    logger.info("ready after %.0fs: %s", time.monotonic() - started, self.ready_url)
                    return
            except httpx.HTTPError:
                pass
            self._stop.wait(1.0)


def run_stack(settings: Settings, model: Path) -> int:
    """Start everything and block until a signal stops it."""
    settings = settings.with_token()
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    supervisor = Supervisor(child_specs(settings, model), ready_url=f"http://{host}:{settings.port}/readyz")
    return supervisor.run()
