"""The keys that encrypt residents' personal data, for every process of one deployment.

All processes of a deployment (gateway, action servers, Rasa's tracker store, the CLI) must use the
same keys: from ``CUNFA_DATA_KEYS``, or the key file made once in the data directory, which every
process started by ``cunfa run`` shares.
"""

from __future__ import annotations

import os
from pathlib import Path

from cases import crypto
from cunfa.settings import Settings

KEY_FILE = "data_keys"


def data_keys(settings: Settings) -> list[str]:
    if settings.data_keys.strip():
        return [key.strip() for key in settings.data_keys.split(",") if key.strip()]
    path: Path = settings.data_dir / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole, then linked into place: a process starting at the same moment never reads half a key.
        tmp = path.with_name(f".{KEY_FILE}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(crypto.new_key())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process made it first; use theirs
        finally:
            tmp.unlink()
    return [key.strip() for key in path.read_text().split(",") if key.strip()]


def configure(settings: Settings) -> crypto.Keyring:
    """Set this process's keyring from the settings."""
    return crypto.configure(data_keys(settings))


def ensure_configured(settings: Settings) -> None:
    """Configure the keyring unless this process already has one (entry points call this)."""
    if not crypto.configured():
        configure(settings)
