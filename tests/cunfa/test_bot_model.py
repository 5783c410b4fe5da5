from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from cunfa.bot_model import bot_fingerprint, model_path, train
from cunfa.settings import PROJECT_ROOT, Settings


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(PROJECT_ROOT / "bot", tmp_path / "bot")
    shutil.copy(PROJECT_ROOT / "config.yml", tmp_path / "config.yml")
    return tmp_path


class RecordingTrainer:
    """Stands in for the `rasa train` subprocess only to count calls; writes the model file it names."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, argv: Sequence[str], cwd: Path, env: dict[str, str]) -> int:
        self.calls.append(list(argv))
        out = Path(argv[argv.index("--out") + 1])
        name = argv[argv.index("--fixed-model-name") + 1]
        (out / f"{name}.tar.gz").write_bytes(b"model")
        return 0


def test_fingerprint_changes_with_training_data(project: Path) -> None:
    before = bot_fingerprint(project)
    nlu = project / "bot" / "data" / "nlu" / "chitchat.yml"
    nlu.write_text(nlu.read_text(encoding="utf-8") + "      - 老乡好\n", encoding="utf-8")
    assert bot_fingerprint(project) != before


def test_fingerprint_changes_with_pipeline(project: Path) -> None:
    before = bot_fingerprint(project)
    (project / "config.yml").write_text((project / "config.yml").read_text() + "\n# tweak\n")
    assert bot_fingerprint(project) != before


def test_runtime_files_do_not_force_retraining(project: Path) -> None:
    before = bot_fingerprint(project)
    (project / "bot" / "endpoints.yml").write_text("action_endpoint:\n  url: http://elsewhere/webhook\n")
    assert bot_fingerprint(project) == before


def test_trains_once_then_reuses(project: Path, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    trainer = RecordingTrainer()
    first = train(settings, root=project, runner=trainer)
    second = train(settings, root=project, runner=trainer)
    assert first == second == model_path(settings, project)
    assert first.read_bytes() == b"model"
    assert len(trainer.calls) == 1
    argv = trainer.calls[0]
    assert argv[1] == "train" and argv[argv.index("--domain") + 1] == str(project / "bot" / "domain")


def test_failed_training_leaves_no_model(project: Path, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    with pytest.raises(RuntimeError, match="exit code 3"):
        train(settings, root=project, runner=lambda argv, cwd, env: 3)
    assert not model_path(settings, project).exists()


def test_endpoints_without_lock_store_are_the_checked_in_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from cunfa.bot_model import endpoints_file
    from cunfa.settings import PROJECT_ROOT, Settings

    assert endpoints_file(Settings(data_dir=tmp_path)) == PROJECT_ROOT / "bot" / "endpoints.yml"


def test_redis_lock_store_is_rendered_from_the_url(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pytest
    import yaml

    from cunfa.bot_model import endpoints_file
    from cunfa.settings import Settings

    path = endpoints_file(Settings(data_dir=tmp_path, lock_store_url="redis://:s3cret@127.0.0.1:6380/2"))
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert config["lock_store"] == {
        "type": "rasa_components.lock_store.AtomicRedisLockStore",
        "url": "127.0.0.1",
        "port": 6380,
        "db": 2,
        "key_prefix": "cunfa",
        "use_ssl": False,
        "password": "s3cret",
    }
    assert config["tracker_store"]["type"] == "rasa_components.tracker_store.CunfaSQLTrackerStore"  # the rest is kept
    with pytest.raises(ValueError, match="redis://"):
        endpoints_file(Settings(data_dir=tmp_path, lock_store_url="http://example"))
