"""Shared fixtures: clean ``CUNFA_*`` environment, tiny real index built once per session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cases import crypto
from cunfa.settings import PROJECT_ROOT, Settings, get_settings
from knowledge import IndexInputs, KnowledgeBase
from knowledge.learn.index_build import build_index

TEST_DATA = Path(__file__).parent / "data"
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


#: The data key every test process and every stack a test starts share, so a test reads what a stack wrote.
TEST_DATA_KEY = "Zm9yLXRlc3RzLW9ubHktY3VuZmEtZGF0YS1rZXktMzI="


@pytest.fixture(autouse=True, scope="session")
def data_keyring() -> None:
    """Personal fields are encrypted at rest: every test process has the test key."""
    crypto.configure([TEST_DATA_KEY])


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


@pytest.fixture(scope="session")
def tiny_advisor(tiny_kb: KnowledgeBase):  # knowledge.guides.policy.Advisor
    """The answer policy over the tiny index and the test guides (tests/data/guides)."""
    from knowledge.guides import load_guides
    from knowledge.guides.matter import load_matter_model
    from knowledge.guides.policy import Advisor

    return Advisor(tiny_kb, load_guides(TEST_DATA / "guides"), load_matter_model())


@pytest.fixture
def tiny_settings(tmp_path: Path, tiny_index_root: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings whose data directory holds the tiny index, exported so every reader agrees."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "index").symlink_to(tiny_index_root, target_is_directory=True)
    monkeypatch.setenv("CUNFA_DATA_DIR", str(data_dir))
    monkeypatch.setenv("CUNFA_LAWS_DIR", str(TEST_DATA / "laws"))
    monkeypatch.setenv("CUNFA_FAQ_FILE", str(TEST_DATA / "faq.json"))
    monkeypatch.setenv("CUNFA_GUIDES_DIR", str(TEST_DATA / "guides"))
    monkeypatch.setenv("CUNFA_BANK_DIR", str(TEST_DATA / "bank"))  # none: the tiny index is built without one
    get_settings.cache_clear()
    return get_settings()


# --- databases -------------------------------------------------------------------------------

POSTGRES_URL = os.environ.get("CUNFA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
_postgres_skipped: list[str] = []


def _postgres_reachable(url: str) -> str | None:
    """None when a PostgreSQL server answers at ``url``, else why not."""
    import sqlalchemy

    try:
        engine = sqlalchemy.create_engine(url, future=True, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure means "no server to test against"
        return f"{type(exc).__name__}: {exc}".splitlines()[0]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The same tests against SQLite (always) and a real PostgreSQL (when one runs).

    Each PostgreSQL test gets its own schema, so runs never see each other's rows and a
    crashed run leaves nothing that breaks the next one.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cases.db'}"
        return
    reason = _postgres_reachable(POSTGRES_URL)
    if reason:
        _postgres_skipped.append(request.node.nodeid)
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL} ({reason})")
    import uuid

    import sqlalchemy

    schema = f"cunfa_test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(POSTGRES_URL, future=True)
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
        connection.commit()
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
            connection.commit()
        admin.dispose()


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    if _postgres_skipped:
        terminalreporter.write_sep("!", "PostgreSQL run did NOT happen", red=True, bold=True)
        terminalreporter.write_line(
            f"{len(_postgres_skipped)} case-store tests were skipped on PostgreSQL because no server answered at "
            f"{POSTGRES_URL}. They passed on SQLite only. Start PostgreSQL (or set CUNFA_TEST_POSTGRES_URL) "
            "to run them."
        )
