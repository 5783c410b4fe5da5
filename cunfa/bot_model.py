"""Train the Rasa model only when the bot's inputs changed.

The model file is named after a content hash of ``config.yml`` and every training file under
``bot/`` (endpoints and credentials excluded: they do not change what is learnt), so an
unchanged bot is never retrained and a changed one can never be served stale.
Rasa runs as a subprocess: nothing outside the Rasa server and trainer imports ``rasa``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from cunfa.settings import PROJECT_ROOT, Settings

logger = logging.getLogger(__name__)

RUNTIME_ONLY = {"endpoints.yml", "credentials.yml"}
Runner = Callable[[Sequence[str], Path, dict[str, str]], int]


def venv_bin(name: str) -> str:
    """An executable installed next to this interpreter (the project's virtual environment)."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


def rasa_environment(settings: Settings) -> dict[str, str]:
    """Environment for any Rasa subprocess: quiet, no telemetry, caches inside data_dir."""
    env = dict(os.environ)
    env.update(settings.child_environment())
    env.update(
        {
            "RASA_TELEMETRY_ENABLED": "false",
            "RASA_CACHE_DIRECTORY": str(settings.data_dir / "rasa-cache"),
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "CUNFA_ACTION_URL": settings.action_base_url,
            "CUNFA_TRACKER_STORE_URL": settings.database,
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        }
    )
    return env


def training_files(root: Path = PROJECT_ROOT) -> list[Path]:
    files = [root / "config.yml"]
    files += sorted(
        p for p in (root / "bot").rglob("*") if p.is_file() and p.name not in RUNTIME_ONLY
    )
    return files


def bot_fingerprint(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256(b"cunfa-bot/1")
    for path in training_files(root):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def model_path(settings: Settings, root: Path = PROJECT_ROOT) -> Path:
    return settings.models_dir / f"bot-{bot_fingerprint(root)}.tar.gz"


def _run_subprocess(argv: Sequence[str], cwd: Path, env: dict[str, str]) -> int:
    return subprocess.run(list(argv), cwd=cwd, env=env, check=False).returncode


def train(
    settings: Settings, *, force: bool = False, root: Path = PROJECT_ROOT, runner: Runner = _run_subprocess
) -> Path:
    """Return the model for the current bot, training it first if it does not exist yet.

    Training writes into a temporary directory and moves the result into place, so an
    interrupted run never leaves a half-written model under the final name.
    """
    target = model_path(settings, root)
    if target.is_file() and not force:
        logger.info("Rasa model %s is up to date", target.name)
        return target
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.models_dir, prefix=".training-") as tmp:
        argv = [
            venv_bin("rasa"), "train",
            "--config", str(root / "config.yml"),
            "--domain", str(root / "bot" / "domain"),
            "--data", str(root / "bot" / "data"),
            "--out", tmp,
            "--fixed-model-name", target.name.removesuffix(".tar.gz"),
        ]  # fmt: skip
        logger.info("training Rasa model %s", target.name)
        code = runner(argv, root, rasa_environment(settings))
        produced = Path(tmp) / target.name
        if code != 0 or not produced.is_file():
            raise RuntimeError(f"rasa train failed with exit code {code}; see its output above")
        shutil.move(str(produced), target)
    return target
