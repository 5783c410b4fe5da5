from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from cunfa.settings import PROJECT_ROOT, Settings, get_settings


def test_defaults_live_in_the_checkout() -> None:
    settings = Settings()
    assert settings.port == 8000
    assert settings.data_dir == PROJECT_ROOT / ".data"
    assert settings.database == f"sqlite:///{PROJECT_ROOT / '.data' / 'cunfa.db'}"


def test_environment_with_prefix_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CUNFA_PORT", "9123")
    monkeypatch.setenv("CUNFA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CUNFA_DATABASE_URL", "postgresql://u@127.0.0.1/test")
    settings = get_settings()
    assert settings.port == 9123
    assert settings.index_dir == tmp_path / "index"
    assert settings.database == "postgresql://u@127.0.0.1/test"


def test_relative_paths_become_absolute(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUNFA_DATA_DIR", "some/relative")
    assert get_settings().data_dir.is_absolute()


def test_bad_port_is_refused_naming_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUNFA_PORT", "70000")
    with pytest.raises(ValidationError, match="port"):
        Settings()


def test_child_environment_round_trips(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The supervisor passes settings to children as env vars; they must read back identically."""
    original = Settings(port=8123, data_dir=tmp_path, rasa_token="t0k")
    for name, value in original.child_environment().items():
        monkeypatch.setenv(name, value)
    assert Settings() == original


def test_with_token_mints_once() -> None:
    settings = Settings().with_token()
    assert len(settings.rasa_token) >= 24
    assert settings.with_token() is settings


class TestReplicas:
    def test_one_replica_by_default(self) -> None:
        settings = Settings()
        assert settings.rasa_base_urls == ["http://127.0.0.1:5005"]
        assert settings.action_base_urls == ["http://127.0.0.1:5055"]

    def test_replicas_take_consecutive_ports(self) -> None:
        settings = Settings(replicas=2, lock_store_url="redis://127.0.0.1:6379/0")
        assert settings.rasa_base_urls == ["http://127.0.0.1:5005", "http://127.0.0.1:5006"]
        assert settings.action_base_urls == ["http://127.0.0.1:5055", "http://127.0.0.1:5056"]

    def test_replicas_need_a_shared_lock_store(self) -> None:
        with pytest.raises(ValueError, match="LOCK_STORE_URL"):
            Settings(replicas=2)

    def test_explicit_urls_win(self) -> None:
        settings = Settings(rasa_url="http://r1:5005/, http://r2:5005")
        assert settings.rasa_base_urls == ["http://r1:5005", "http://r2:5005"]
