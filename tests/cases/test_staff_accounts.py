"""Staff accounts in the store, on SQLite and PostgreSQL: the login throttle over time, counting under
concurrency, the admin changes and their audit rows, the hash parameters, and the 0009 migration both ways."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from alembic import command
from sqlalchemy import inspect, select

from cases import auth
from cases.db import alembic_config
from cases.models import AuditEntry, LoginThrottle, User
from cases.staff import (
    LOCKOUT,
    LOGIN_MAX_FAILURES,
    LOGIN_WINDOW,
    LoginLocked,
    StaffError,
    UnknownUser,
    add_user,
    disable_user,
    enable_user,
    list_staff,
    log_in,
    reset_password,
    unlock_user,
)
from cases.store import CaseStore

PASSWORD = "correct horse battery"
T0 = datetime(2026, 12, 6, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(database_url: str) -> CaseStore:
    store = CaseStore(database_url)
    with store.session() as session:
        add_user(session, username="admin1", role="admin", password=PASSWORD)
        add_user(session, username="med-a", role="mediator", password=PASSWORD)
        session.commit()
    return store


def try_login(store: CaseStore, username: str, password: str, now: datetime) -> User | None:
    with store.session() as session:
        user = log_in(session, username, password, now=now)
        session.commit()
        return user


def test_the_lockout_ends_by_itself_and_old_failures_fall_out_of_the_window(store: CaseStore) -> None:
    for minute in range(LOGIN_MAX_FAILURES):
        assert try_login(store, "med-a", "wrong", T0 + timedelta(minutes=minute)) is None
    locked_at = T0 + timedelta(minutes=LOGIN_MAX_FAILURES - 1)
    with pytest.raises(LoginLocked) as raised:
        try_login(store, "med-a", PASSWORD, locked_at + timedelta(minutes=1))
    assert raised.value.until == locked_at + LOCKOUT and raised.value.retry_after_s == 14 * 60
    assert try_login(store, "med-a", PASSWORD, locked_at + LOCKOUT) is not None  # served its time

    # Four failures, then a fifth only after the window of the first has passed: no lockout.
    later = T0 + timedelta(hours=2)
    for minute in range(LOGIN_MAX_FAILURES - 1):
        assert try_login(store, "med-a", "wrong", later + timedelta(minutes=minute)) is None
    assert try_login(store, "med-a", "wrong", later + LOGIN_WINDOW + timedelta(seconds=1)) is None
    assert try_login(store, "med-a", PASSWORD, later + LOGIN_WINDOW + timedelta(seconds=2)) is not None


def test_failures_are_counted_without_losing_any_under_concurrency(store: CaseStore) -> None:
    outcomes: list[str] = []
    start = threading.Barrier(8)

    def guess() -> None:
        start.wait()
        try:
            outcomes.append("failed" if try_login(store, "nobody-here", "wrong", T0) is None else "ok")
        except LoginLocked:
            outcomes.append("locked")

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with store.session() as session:
        row = session.get(LoginThrottle, "nobody-here")
    assert len(outcomes) == 8 and "ok" not in outcomes
    assert row.failures == outcomes.count("failed") >= LOGIN_MAX_FAILURES  # every failure that ran was counted
    assert row.locked_until == T0 + LOCKOUT


def test_stale_rows_of_other_usernames_are_forgotten(store: CaseStore) -> None:
    assert try_login(store, "ghost-1", "wrong", T0) is None
    assert try_login(store, "ghost-2", "wrong", T0 + LOGIN_WINDOW + timedelta(minutes=1)) is None
    with store.session() as session:
        assert [r.username for r in session.scalars(select(LoginThrottle))] == ["ghost-2"]


def test_admin_changes_write_their_audit_rows_and_bump_the_token_version(store: CaseStore) -> None:
    with store.session() as session:
        before = session.scalar(select(User.token_version).where(User.username == "med-a"))
        disable_user(session, "med-a", actor="admin1", now=T0)
        disable_user(session, "med-a", actor="admin1")  # already disabled: no second change, no second row
        enable_user(session, "med-a", actor="admin1")
        reset_password(session, "med-a", "new password 2026", actor="admin1")
        unlock_user(session, "med-a", actor="admin1")
        session.commit()
    with store.session() as session:
        user = session.scalar(select(User).where(User.username == "med-a"))
        actions = [(e.actor, e.action, e.detail["user"]) for e in session.scalars(select(AuditEntry))]
    assert user.token_version == before + 2 and user.active == 1 and user.disabled_at is None
    assert user.password_changed_at is not None and auth.verify_password("new password 2026", user.password_hash)
    assert actions == [
        ("admin1", "disable_user", "med-a"),
        ("admin1", "enable_user", "med-a"),
        ("admin1", "reset_password", "med-a"),
        ("admin1", "unlock_user", "med-a"),
    ]


def test_a_refused_change_leaves_nothing_behind(store: CaseStore) -> None:
    with store.session() as session:
        with pytest.raises(StaffError, match="last active admin"):
            disable_user(session, "admin1", actor="cli:root")
        with pytest.raises(StaffError, match="at least 10"):
            reset_password(session, "med-a", "short-pw", actor="admin1")
        with pytest.raises(UnknownUser):
            unlock_user(session, "nobody-here", actor="admin1")
        session.commit()
        assert session.scalars(select(AuditEntry)).first() is None
        assert [a.disabled for a in list_staff(session)] == [False, False]


def test_hash_parameters_rehash_and_hostile_hashes() -> None:
    current = auth.hash_password(PASSWORD)
    assert current.startswith("scrypt$131072$8$1$") and not auth.needs_rehash(current)
    assert auth.needs_rehash("scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    assert auth.needs_rehash("bcrypt$whatever")
    # A stored hash asking for 16 GiB, or for nonsense, is refused without being computed.
    assert not auth.verify_password(PASSWORD, "scrypt$134217728$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAA")
    assert not auth.verify_password(PASSWORD, "scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAA")
    assert not auth.verify_password(PASSWORD, "scrypt$16384$8$1$!!$AAAA")
    assert not auth.verify_password(PASSWORD, auth.DUMMY_HASH)


def test_tokens_carry_the_version() -> None:
    token = auth.issue_token("med-a", "mediator", "k" * 32, version=3)
    assert auth.read_token(token, "k" * 32).version == 3
    legacy = auth.issue_token("med-a", "mediator", "k" * 32)
    assert auth.read_token(legacy, "k" * 32).version == 0


def test_migration_0009_goes_down_and_up_again(store: CaseStore) -> None:
    config = alembic_config(store.url)
    with store.engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0008")
        connection.commit()
        assert "login_throttle" not in inspect(connection).get_table_names()
        assert "token_version" not in {c["name"] for c in inspect(connection).get_columns("users")}
        command.upgrade(config, "head")
        connection.commit()
    with store.session() as session:
        assert session.scalar(select(User.token_version).where(User.username == "med-a")) == 0
