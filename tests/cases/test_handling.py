"""Staff handling a case: who may do what, and each step's change and audit row landing together.

The failures here are the database's own, on SQLite and PostgreSQL: a trigger that refuses audit
rows, a write lock another connection holds. Nothing of ours is patched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import create_engine, event, func, select
from sqlalchemy.engine import Connection, ExceptionContext
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from cases import CaseIntake, CaseStore, handling
from cases.errors import CaseNotFound, IllegalTransition, NotPermitted, StoreUnavailable, UnknownVillage
from cases.models import AuditEntry, Case, CaseEvent, OutboxMessage
from cases.staff import add_roster_entry, add_user


@dataclass(frozen=True)
class Who:
    username: str
    role: str


ADMIN, MEDIATOR, OTHER_MEDIATOR, GRID = (
    Who("admin1", "admin"),
    Who("med-a", "mediator"),
    Who("med-b", "mediator"),
    Who("grid-1", "grid_worker"),
)


@dataclass(frozen=True)
class Village:
    village_id: str
    name: str


def registered(village_id: str) -> Village | None:
    return Village("liuhe", "柳河村") if village_id == "liuhe" else None


@pytest.fixture
def store(database_url: str) -> CaseStore:
    store = CaseStore(database_url, attempts=3, backoff_s=0.01)
    with store.session() as session:
        for who in (ADMIN, MEDIATOR, OTHER_MEDIATOR, GRID):
            user = add_user(session, username=who.username, role=who.role, password="correct horse")
            if who is MEDIATOR:
                add_roster_entry(session, user=user, handler_role="mediator", village_id="v1")
        session.commit()
    return store


def intake(**overrides: Any) -> CaseIntake:
    fields: dict[str, Any] = {
        "description": "邻居占了俺家宅基地",
        "channel": "console",
        "requested": "mediation",
        "dispute_type": "homestead",
        "resident_name": "王大山",
        "phone": "13912345678",
        "village_id": "v1",
        "counterparty": "李四",
    }
    fields.update(overrides)
    return CaseIntake(**fields)


def assigned_case(store: CaseStore) -> str:
    """A case filed by the grid worker, assessed and assigned to ``MEDIATOR``."""
    number = handling.file_case(store, GRID, intake()).number
    handling.transition(store, ADMIN, number, "assessed")
    handling.assign(store, ADMIN, number, username=MEDIATOR.username)
    return number


def audited(store: CaseStore, number: str | None = None) -> list[str]:
    with store.session() as session:
        query = select(AuditEntry.action).order_by(AuditEntry.id)
        if number is not None:
            query = query.where(AuditEntry.case_number == number)
        return list(session.scalars(query))


def snapshot(store: CaseStore, number: str) -> dict[str, Any]:
    """What a step could change: the case's own fields, its history and the notifications waiting."""
    with store.session() as session:
        case = session.scalar(select(Case).where(Case.number == number))
        assert case is not None
        return {
            "status": case.status,
            "assignee": case.assignee,
            "village_id": case.village_id,
            "updated_at": case.updated_at,
            "events": [(e.kind, e.to_status) for e in case.events],
            "outbox": session.scalar(select(func.count()).select_from(OutboxMessage)),
        }


@pytest.fixture
def audit_refused(store: CaseStore) -> Iterator[None]:
    """The database refuses every audit row from now on, as a violated constraint does."""
    with store.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql(
                "CREATE TRIGGER audit_refused BEFORE INSERT ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'the audit log refuses writes'); END"
            )
        else:
            connection.exec_driver_sql(
                "CREATE FUNCTION audit_refused() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION 'the audit log refuses writes' USING ERRCODE = 'check_violation'; END $$"
            )
            connection.exec_driver_sql(
                "CREATE TRIGGER audit_refused BEFORE INSERT ON audit_log "
                "FOR EACH ROW EXECUTE FUNCTION audit_refused()"
            )
    yield


class TestWhoMayDoWhat:
    def test_the_assignee_works_the_case_and_every_step_is_audited(self, store: CaseStore) -> None:
        number = assigned_case(store)
        detail = handling.read_case(store, MEDIATOR, number)
        assert detail["resident_phone"] == "13912345678" and detail["personal_data_masked"] is False
        after = handling.transition(store, MEDIATOR, number.lower(), "in_progress", note="电话联系了双方")
        assert after["status"] == "in_progress" and after["history"][-1]["to_status"] == "in_progress"
        assert after["history"][-1]["detail"] == {"note": "电话联系了双方"}
        assert handling.add_note(store, MEDIATOR, number, " 约了周六到现场 ") == number
        assert [c["case_id"] for c in handling.list_cases(store, MEDIATOR)] == [number]
        assert audited(store, number) == [
            "file_case", "transition", "assign", "read_case", "transition", "add_note",
        ]  # fmt: skip
        assert audited(store)[-1] == "list_cases"

    def test_someone_elses_case_looks_missing_and_nothing_is_audited(self, store: CaseStore) -> None:
        number = assigned_case(store)
        before, log = snapshot(store, number), audited(store)
        with pytest.raises(CaseNotFound, match=f"no case {number} for you"):
            handling.read_case(store, OTHER_MEDIATOR, number)
        with pytest.raises(CaseNotFound):
            handling.transition(store, OTHER_MEDIATOR, number, "in_progress")
        with pytest.raises(CaseNotFound):
            handling.add_note(store, OTHER_MEDIATOR, "2026-GEN-999999", "无此案")
        assert handling.list_cases(store, OTHER_MEDIATOR) == []
        assert snapshot(store, number) == before and audited(store) == [*log, "list_cases"]

    def test_the_filer_sees_a_masked_case_but_may_not_change_it(self, store: CaseStore) -> None:
        number = assigned_case(store)
        before = snapshot(store, number)
        detail = handling.read_case(store, GRID, number)
        assert detail["personal_data_masked"] is True and detail["resident_phone"] == "139****5678"
        for step in (
            lambda: handling.transition(store, GRID, number, "in_progress"),
            lambda: handling.add_note(store, GRID, number, "我来跟进"),
            lambda: handling.link_village(store, GRID, number, "liuhe", registered=registered),
            lambda: handling.assign(store, GRID, number, username=GRID.username),
        ):
            with pytest.raises(NotPermitted):
                step()
        assert snapshot(store, number) == before
        assert audited(store, number)[-1] == "read_case"

    def test_a_refused_step_leaves_no_trace(self, store: CaseStore) -> None:
        number = assigned_case(store)
        before, log = snapshot(store, number), audited(store)
        with pytest.raises(IllegalTransition):
            handling.transition(store, MEDIATOR, number, "closed", satisfaction=5)
        with pytest.raises(UnknownVillage):
            handling.link_village(store, MEDIATOR, number, "nowhere", registered=registered)
        assert snapshot(store, number) == before and audited(store) == log

    def test_filing_reads_the_risk_in_the_description(self, store: CaseStore) -> None:
        receipt = handling.file_case(store, GRID, intake(description="他说今晚要砍死我", risk_level="none"))
        assert receipt.risk_level == "emergency"
        with store.session() as session:
            case = session.scalar(select(Case).where(Case.number == receipt.number))
            assert case is not None and case.filed_by == GRID.username and case.risk_cues


class TestChangeAndAuditLandTogether:
    """With the audit row refused, no step changes the case: the audit and the change are one commit."""

    @pytest.mark.parametrize(
        "step",
        [
            lambda store, number: handling.transition(store, MEDIATOR, number, "in_progress"),
            lambda store, number: handling.add_note(store, MEDIATOR, number, "约了周六到现场"),
            lambda store, number: handling.assign(store, ADMIN, number),
            lambda store, number: handling.link_village(store, ADMIN, number, "liuhe", registered=registered),
        ],
        ids=["transition", "note", "assign", "link_village"],
    )
    def test_no_change_without_its_audit_row(
        self, store: CaseStore, request: pytest.FixtureRequest, step: Callable[[CaseStore, str], object]
    ) -> None:
        number = assigned_case(store)
        before, log = snapshot(store, number), audited(store)
        request.getfixturevalue("audit_refused")
        with pytest.raises(IntegrityError, match="refuses writes"):
            step(store, number)
        assert snapshot(store, number) == before and audited(store) == log

    def test_no_case_is_filed_without_its_audit_row(self, store: CaseStore, audit_refused: None) -> None:
        with pytest.raises(IntegrityError, match="refuses writes"):
            handling.file_case(store, GRID, intake())
        with store.session() as session:
            assert session.scalar(select(func.count()).select_from(Case)) == 0
            assert session.scalar(select(func.count()).select_from(CaseEvent)) == 0
            assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0

    def test_a_read_is_not_shown_without_its_audit_row(self, store: CaseStore) -> None:
        number = assigned_case(store)
        with store.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE audit_log")
        # A missing table is an OperationalError on SQLite (retried, then unavailable), a ProgrammingError on PostgreSQL.
        with pytest.raises((StoreUnavailable, ProgrammingError), match="audit_log"):
            handling.read_case(store, MEDIATOR, number)


def test_a_step_that_meets_a_locked_database_is_retried_whole(
    store: CaseStore, caplog: pytest.LogCaptureFixture
) -> None:
    """Another connection holds the write lock when the step first runs; the retry finds it free."""
    number = assigned_case(store)
    before, log = snapshot(store, number), audited(store)
    sqlite = store.engine.dialect.name == "sqlite"
    # Give up on a lock at once (SQLite) or within 100 ms (PostgreSQL) rather than after 15 s.
    store.engine.dispose()

    @event.listens_for(store.engine, "connect")
    def impatient(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=0" if sqlite else "SET lock_timeout = '100ms'")
        cursor.close()
        if not sqlite:
            dbapi_connection.commit()

    blocker_engine = create_engine(store.url, future=True)
    blocker: Connection = blocker_engine.connect()
    if sqlite:
        blocker.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        blocker.exec_driver_sql("SELECT id FROM cases WHERE number = %(n)s FOR UPDATE", {"n": number})
    failures: list[BaseException] = []

    @event.listens_for(store.engine, "handle_error")
    def release(context: ExceptionContext) -> None:
        failures.append(context.sqlalchemy_exception or context.original_exception)
        if blocker.in_transaction():
            blocker.rollback()

    try:
        with caplog.at_level(logging.WARNING, logger="cases.store"):
            after = handling.transition(store, MEDIATOR, number, "in_progress", note="第一次打通电话")
    finally:
        blocker.close()
        blocker_engine.dispose()
    assert failures and isinstance(failures[0], OperationalError), failures
    assert any("retrying" in r.getMessage() for r in caplog.records)
    assert after["status"] == "in_progress"
    # The failed attempt left nothing behind: one history line, one audit row.
    assert snapshot(store, number)["events"] == [*before["events"], ("transition", "in_progress")]
    assert audited(store) == [*log, "transition"]
