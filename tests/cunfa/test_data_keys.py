"""Where the data keys come from: the setting, or one key file per data directory; production needs the setting."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from cases import crypto
from cunfa.data_keys import data_keys
from cunfa.settings import Settings


def test_a_data_directory_gets_one_private_key_that_every_process_reads(tmp_path: Path) -> None:
    first = data_keys(Settings(data_dir=tmp_path))
    assert first == data_keys(Settings(data_dir=tmp_path)) and len(first) == 1
    assert (tmp_path / "data_keys").stat().st_mode & 0o777 == 0o600
    crypto.Keyring(first)  # a real Fernet key


def test_the_setting_wins_and_lists_the_newest_key_first(tmp_path: Path) -> None:
    new, old = crypto.new_key(), crypto.new_key()
    assert data_keys(Settings(data_dir=tmp_path, data_keys=f"{new}, {old}")) == [new, old]
    assert not (tmp_path / "data_keys").exists()


def test_production_refuses_to_start_without_keys(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="CUNFA_DATA_KEYS"):
        Settings(env="production", secret_key="x" * 40, data_dir=tmp_path)
