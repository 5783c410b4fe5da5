"""Start the real product for a benchmark: the same `cunfa run` a newcomer starts, in a scratch data dir.

The index, encoder and Rasa model are shared with `make run` (content-addressed caches), so a
benchmark measures the running system, not a rebuild. Villages and cases stay in the scratch
directory and vanish with it.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from cases import crypto
from cunfa.settings import PROJECT_ROOT, Settings

SHARED_CACHES = ("index", "encoders", "models", "rasa-cache")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningStack:
    process: subprocess.Popen
    api_url: str
    rasa_url: str
    env: dict[str, str]
    started_s: float
    ready_s: float

    def _by_role(self) -> Iterator[tuple[str, psutil.Process]]:
        for child in psutil.Process(self.process.pid).children(recursive=True):
            cmd = " ".join(child.cmdline())
            roles = {"rasa_sdk": "actions", "rasa run": "rasa", "uvicorn": "api"}
            role = next((name for marker, name in roles.items() if marker in cmd), "")
            if role:
                yield role, child

    def rss_mb(self) -> dict[str, float]:
        """Resident memory of each process of the stack, by role."""
        out: dict[str, float] = {}
        for role, child in self._by_role():
            out[role] = out.get(role, 0.0) + child.memory_info().rss / 2**20
        out["supervisor"] = psutil.Process(self.process.pid).memory_info().rss / 2**20
        return out

    def cpu_s(self) -> dict[str, float]:
        """CPU seconds (user + system) each role has used so far, replicas summed."""
        out: dict[str, float] = {}
        for role, child in self._by_role():
            times = child.cpu_times()
            out[role] = out.get(role, 0.0) + times.user + times.system
        return out


def baseline_checkout(ref: str) -> Path:
    """A worktree of ``ref`` beside this checkout (so ``../shared`` resolves), made once and reused.

    Benchmarks run "today's main" next to the working tree in the same run: the baseline stack is
    started from this worktree, with ``PYTHONPATH`` pointing at it so that every process of it
    (Rasa's custom components too) imports the baseline's code rather than the installed checkout's.
    """
    sha = subprocess.run(
        ["git", "rev-parse", "--verify", f"{ref}^{{commit}}"],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    path = PROJECT_ROOT.parent / f".cunfa-baseline-{sha[:12]}"
    if not (path / ".git").exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(path), sha], cwd=PROJECT_ROOT, check=True)
    return path


@contextmanager
def running_stack(extra_env: dict[str, str] | None = None, root: Path = PROJECT_ROOT) -> Iterator[RunningStack]:
    """``cunfa run`` from ``root`` (this checkout, or a ``baseline_checkout``) in a scratch data dir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUNFA_")}
    settings = Settings()
    default_data = settings.data_dir
    env.update({"CUNFA_LAWS_DIR": str(settings.laws_dir), "CUNFA_FAQ_FILE": str(settings.faq_file)})
    if root != PROJECT_ROOT:
        env["PYTHONPATH"] = str(root)
    with tempfile.TemporaryDirectory(prefix="cunfa-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        for name in SHARED_CACHES:
            (default_data / name).mkdir(parents=True, exist_ok=True)
            (data_dir / name).symlink_to(default_data / name, target_is_directory=True)
        # One data key for the stack and this process, so a bench can read the cases the stack files.
        env["CUNFA_DATA_KEYS"] = crypto.new_key()
        subprocess.run(
            [sys.executable, "-m", "cunfa.cli", "prepare"], cwd=root, env={**env, "CUNFA_DATA_DIR": str(data_dir)},
            check=True,
        )  # fmt: skip
        api_port, rasa_port = free_port(), free_port()
        env.update(
            {
                "CUNFA_DATA_DIR": str(data_dir),
                "CUNFA_PORT": str(api_port),
                "CUNFA_RASA_PORT": str(rasa_port),
                "CUNFA_ACTION_PORT": str(free_port()),
                "CUNFA_LOG_LEVEL": "WARNING",
                **(extra_env or {}),
            }
        )
        log = open(Path(tmp) / "stack.log", "w")  # closed below, after the process
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "cunfa.cli", "run"], cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        api_url = f"http://127.0.0.1:{api_port}"
        try:
            while True:
                if process.poll() is not None:
                    raise RuntimeError((Path(tmp) / "stack.log").read_text()[-3000:])
                try:
                    if httpx.get(f"{api_url}/readyz", timeout=5).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() - started > 600:
                    raise TimeoutError("stack not ready in 600 s")
                time.sleep(0.25)
            ready = time.monotonic() - started
            yield RunningStack(process, api_url, f"http://127.0.0.1:{rasa_port}", env, started, ready)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def heldout_parser(doc: str | None, baseline_ref: str) -> argparse.ArgumentParser:
    """The options every held-out bench shares: the batch, today's main to compare with, the JSON file."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("--batch", default="heldout-1")
    parser.add_argument("--baseline", default=baseline_ref, help="git ref of today's main")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    return parser


def refuse_show_on_heldout(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if getattr(args, "show", False) and args.batch.startswith("heldout"):
        parser.error("--show is for dev batches: looking at held-out misses would be tuning on them")


def report(figures: dict, path: Path | None) -> None:
    """Print the figures, and keep them where asked (docs/experiments/results/)."""
    text = json.dumps(figures, ensure_ascii=False, indent=2)
    print(text)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
