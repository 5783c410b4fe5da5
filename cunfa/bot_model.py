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


def endpoints_file(settings: Settings, root: Path = PROJECT_ROOT) -> Path:
    """The endpoints file Rasa runs with: ``bot/endpoints.yml``, plus a Redis lock store when configured.

    Rasa cannot make a section conditional on an environment variable, so with
    ``CUNFA_LOCK_STORE_URL`` set the file is rendered into the data directory with a
    ``lock_store`` section; several Rasa servers sharing one tracker store then serialise the
    turns of one conversation through Redis instead of interleaving them.
    """
    base = root / "bot" / "endpoints.yml"
    if not settings.lock_store_url:
        return base
    from urllib.parse import urlparse

    import yaml

    url = urlparse(settings.lock_store_url)
    if url.scheme not in ("redis", "rediss") or not url.hostname:
        raise ValueError(f"CUNFA_LOCK_STORE_URL must look like redis://host:6379/0; got {settings.lock_store_url!r}")
    config = yaml.safe_load(base.read_text(encoding="utf-8"))
    lock_store: dict[str, object] = {
        # Rasa's Redis lock store with atomic ticket changes (see the module's docstring).
        "type": "rasa_components.lock_store.AtomicRedisLockStore",
        "url": url.hostname,
        "port": url.port or 6379,
        "db": int((url.path or "/0").lstrip("/") or 0),
        "key_prefix": "cunfa",
        "use_ssl": url.scheme == "rediss",
    }
    if url.password:
        lock_store["password"] = url.password
    config["lock_store"] = lock_store
    target = settings.data_dir / "run" / "endpoints.yml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def training_files(root: Path = PROJECT_ROOT) -> list[Path]:
    files = [root / "config.yml"]
    files += sorted(p for p in (root / "bot").rglob("*") if p.is_file() and p.name not in RUNTIME_ONLY)
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
