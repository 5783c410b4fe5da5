"""Shared fixtures: clean ``CUNFA_*`` environment, tiny real index built once per session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cunfa.settings import PROJECT_ROOT, Settings, get_settings
from knowledge import IndexInputs, KnowledgeBase, build_index

TEST_DATA = Path(__file__).parent / "data"
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts from default settings, whatever the developer's shell exports."""
    for name in list(os.environ):
        if name.startswith("CUNFA_"):
            monkeypatch.delenv(name)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def tiny_inputs() -> IndexInputs:
    return IndexInputs(laws_dir=TEST_DATA / "laws", faq_file=TEST_DATA / "faq.json")


@pytest.fixture(scope="session")
def tiny_index_root(tmp_path_factory: pytest.TempPathFactory, tiny_inputs: IndexInputs) -> Path:
    root = tmp_path_factory.mktemp("index")
    build_index(root, tiny_inputs)
    return root


@pytest.fixture(scope="session")
def tiny_kb(tiny_index_root: Path, tiny_inputs: IndexInputs) -> KnowledgeBase:
    from knowledge.index import index_path

    return KnowledgeBase.from_directory(index_path(tiny_index_root, tiny_inputs))


@pytest.fixture
def tiny_settings(tmp_path: Path, tiny_index_root: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings whose data directory holds the tiny index, exported so every reader agrees."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "index").symlink_to(tiny_index_root, target_is_directory=True)
    monkeypatch.setenv("CUNFA_DATA_DIR", str(data_dir))
    monkeypatch.setenv("CUNFA_LAWS_DIR", str(TEST_DATA / "laws"))
    monkeypatch.setenv("CUNFA_FAQ_FILE", str(TEST_DATA / "faq.json"))
    get_settings.cache_clear()
    return get_settings()
