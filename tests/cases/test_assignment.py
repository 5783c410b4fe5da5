"""Rosters, least-loaded assignment and the conflict check, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cases import CaseIntake, CaseStore
from cases.assignment import assign, conflicts
from cases.auth import AuthError, issue_token, read_token, verify_password
from cases.errors import ConflictOfInterest, NoHandlerAvailable
from cases.models import Case
from cases.staff import StaffError, add_relation, add_roster_entry, add_user, authenticate


def file(store: CaseStore, **overrides: object) -> Case:
    fields: dict[str, object] = {
        "description": "邻居占了俺家宅基地",
        "channel": "web",
        "requested": "mediation",
        "dispute_type": "homestead",
        "resident_name": "王大山",
        "phone": "13912345678",
        "village_id": "v-qsw",
        "counterparty": "李四",
    }
    fields.update(overrides)
    return store.get(store.create(CaseIntake(**fields)).number)  # type: ignore[arg-type]


@pytest.fixture
def staffed(database_url: str) -> CaseStore:
    store = CaseStore(database_url)
    with store.session() as session:
        for name, display in (("med-a", "张调解"), ("med-b", "赵调解"), ("town-1", "镇调解")):
            user = add_user(session, username=name, role="mediator", password="correct horse", display_name=display)
            if name == "town-1":
                add_roster_entry(session, user=user, handler_role="mediator", township="青山镇")
            else:
                add_roster_entry(session, user=user, handler_role="mediator", village_id="v-qsw", township="青山镇")
        session.commit()
    return store


def _assign(store: CaseStore, number: str, **kwargs: object):
    with store.session() as session:
        case = session.query(Case).filter_by(number=number).one()
        result = assign(session, case, actor="admin", **kwargs)  # type: ignore[arg-type]
        session.commit()
        return result


def test_least_loaded_village_mediator_gets_the_case(staffed: CaseStore) -> None:
    first = _assign(staffed, file(staffed).number)
    second = _assign(staffed, file(staffed).number)
    assert {first.username, second.username} == {"med-a", "med-b"} and first.level == "village"


def test_relative_of_the_counterparty_is_skipped(staffed: CaseStore) -> None:
    with staffed.session() as session:
        from cases.models import User

        add_relation(session, user=session.query(User).filter_by(username="med-a").one(), person="李四")
        session.commit()
    result = _assign(staffed, file(staffed).number)
    assert result.username == "med-b" and result.skipped == ("med-a",)


def test_township_takes_over_when_the_village_is_in_conflict(staffed: CaseStore) -> None:
    number = file(staffed, counterparty="张调解和赵调解").number
    result = _assign(staffed, number)
    assert result.username == "town-1" and result.level == "township"


def test_acting_for_the_counterparty_elsewhere_is_a_conflict(staffed: CaseStore) -> None:
    other = file(staffed, resident_name="李四", counterparty="王大山").number
    assert _assign(staffed, other, username="med-a").username == "med-a"
    with staffed.session() as session:
        from cases.models import User

        case = session.query(Case).filter_by(number=file(staffed).number).one()
        assert conflicts(session, session.query(User).filter_by(username="med-a").one(), case)


def test_override_needs_a_written_reason(staffed: CaseStore) -> None:
    number = file(staffed, counterparty="张调解").number
    with pytest.raises(ConflictOfInterest, match="reason"):
        _assign(staffed, number, username="med-a")
    result = _assign(staffed, number, username="med-a", override_reason="全村只有他懂这类纠纷，双方书面同意")
    assert result.level == "override"
    assert staffed.get(number).events[-1].detail["reason"].startswith("全村")


def test_no_roster_no_assignment(staffed: CaseStore) -> None:
    with pytest.raises(NoHandlerAvailable):
        _assign(staffed, file(staffed, village_id="v-nowhere").number)


def test_accounts_and_tokens(database_url: str) -> None:
    store = CaseStore(database_url)
    with store.session() as session:
        user = add_user(session, username="lawyer-li", role="lawyer", password="s3cret-pass")
        session.commit()
        assert user.password_hash.startswith("scrypt$") and "s3cret" not in user.password_hash
        assert verify_password("s3cret-pass", user.password_hash)
        assert authenticate(session, "lawyer-li", "s3cret-pass") is not None
        assert authenticate(session, "lawyer-li", "wrong-pass") is None
        assert authenticate(session, "nobody", "s3cret-pass") is None
        with pytest.raises(StaffError, match="already exists"):
            add_user(session, username="lawyer-li", role="lawyer", password="another-pass")
    with pytest.raises(StaffError, match="role"):
        with store.session() as session:
            add_user(session, username="x-user", role="king", password="long enough")
    token = issue_token("lawyer-li", "lawyer", "k" * 32)
    assert read_token(token, "k" * 32).role == "lawyer"
    with pytest.raises(AuthError):
        read_token(token, "another-secret-another-secret-xyz")


def test_overdue_cases_go_to_the_township_once(staffed: CaseStore) -> None:
    from datetime import datetime, timedelta, timezone

    from cases.sla import escalate_overdue, overdue

    number = file(staffed).number
    _assign(staffed, number)
    later = datetime.now(timezone.utc) + timedelta(hours=25)
    with staffed.session() as session:
        assert [c.number for c in overdue(session, now=later)] == [number]
        assert escalate_overdue(session, now=later) == [number]
        session.commit()
        assert escalate_overdue(session, now=later) == []
    case = staffed.get(number)
    assert case.assignee == "town-1"
    assert [e.kind for e in case.events][-2:] == ["assigned", "escalated"]
    with staffed.session() as session:
        assert overdue(session) == []  # not overdue yet at the real now


def test_notifications_retry_with_backoff_and_never_block_filing(staffed: CaseStore) -> None:
    from datetime import datetime, timedelta, timezone

    from cases.models import OutboxMessage
    from cases.outbox import deliver_due

    number = file(staffed).number
    _assign(staffed, number)
    calls: list[dict] = []

    def down(message: dict) -> None:
        calls.append(message)
        raise ConnectionError("webhook down")

    with staffed.session() as session:
        assert deliver_due(session, down) == {"sent": 0, "retry": 2, "failed": 0}
        pending = session.scalars(select(OutboxMessage)).all()
        assert {m.topic for m in pending} == {"case_received", "case_assigned"}
        assert all(m.next_attempt_at > datetime.now(timezone.utc) for m in pending)
        assert deliver_due(session, down) == {"sent": 0, "retry": 0, "failed": 0}  # not due yet
        later = datetime.now(timezone.utc) + timedelta(minutes=5)
        assert deliver_due(session, calls.append, now=later) == {"sent": 2, "retry": 0, "failed": 0}
    assert any(c["topic"] == "case_assigned" and c["recipient"] and c["case_id"] == number for c in calls)


def test_statistics_by_village_type_and_status(staffed: CaseStore) -> None:
    from datetime import datetime, timedelta, timezone

    from cases.stats import case_stats

    done = file(staffed).number
    file(staffed, dispute_type="neighbor")
    file(staffed, village_id="v-other")
    for target in ("assessed", "assigned", "in_progress", "resolved", "follow_up"):
        staffed.transition(done, target, actor="a")
    staffed.transition(done, "closed", actor="a", satisfaction=4)
    now = datetime.now(timezone.utc)
    with staffed.session() as session:
        stats = case_stats(session, since=now - timedelta(days=1), until=now + timedelta(minutes=1))
        assert stats["total"]["cases"] == 3 and stats["total"]["resolution_rate"] == 1.0
        assert stats["total"]["average_satisfaction"] == 4.0
        assert stats["groups"]["v-qsw"]["cases"] == 2 and stats["groups"]["v-other"]["cases"] == 1
        assert stats["total"]["median_hours_to_first_contact"] is not None
        later = case_stats(
            session, since=now - timedelta(days=1), until=now + timedelta(minutes=1), now=now + timedelta(days=2)
        )
        assert later["total"]["overdue"] == 2
        by_type = case_stats(
            session, since=now - timedelta(days=1), until=now + timedelta(minutes=1), group_by="dispute_type"
        )
        assert set(by_type["groups"]) == {"homestead", "neighbor"}


def test_two_gateways_delivering_at_once_send_each_notification_once(staffed: CaseStore) -> None:
    """Every gateway runs the outbox loop; with a slow webhook they overlap."""
    import threading
    import time

    from cases.outbox import deliver_due

    for _ in range(3):
        _assign(staffed, file(staffed).number)
    sent: list[int] = []
    lock = threading.Lock()

    def slow(message: dict) -> None:
        time.sleep(0.05)
        with lock:
            sent.append(message["id"])

    def gateway() -> None:
        with staffed.session() as session:
            deliver_due(session, slow)

    threads = [threading.Thread(target=gateway) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(sent) == 6 and len(set(sent)) == 6, sent


def test_two_gateways_escalating_at_once_escalate_once(staffed: CaseStore) -> None:
    from datetime import datetime, timedelta, timezone

    from cases.sla import escalate_overdue

    number = file(staffed).number
    _assign(staffed, number)
    later = datetime.now(timezone.utc) + timedelta(hours=25)
    first, second = staffed.session(), staffed.session()
    try:
        escalated_first = escalate_overdue(first, now=later)
        if staffed.engine.dialect.name == "postgresql":
            # The second sweep starts while the first is uncommitted: it must stand aside.
            assert escalate_overdue(second, now=later) == []
            second.commit()
        first.commit()
        assert escalated_first == [number]
        assert escalate_overdue(second, now=later) == []
    finally:
        first.close()
        second.close()
    assert [e.kind for e in staffed.get(number).events].count("escalated") == 1


def test_county_roster_takes_what_no_village_or_township_can(staffed: CaseStore) -> None:
    with staffed.session() as session:
        county = add_user(session, username="county-1", role="mediator", password="correct horse", display_name="县调")
        add_roster_entry(session, user=county, handler_role="mediator", township="county")
        session.commit()
    result = _assign(staffed, file(staffed, village_id=None, village_name="柳河村", village_registered=False).number)
    assert result.username == "county-1" and result.level == "county"
    # A registered village with its own mediators still gets them first.
    assert _assign(staffed, file(staffed).number).level == "village"


def test_unregistered_village_is_kept_as_told_and_noted_for_the_handler(staffed: CaseStore) -> None:
    case = file(staffed, village_id=None, village_name="柳河村", village_registered=False,
                contact_relation="daughter", affected_person="李老汉")  # fmt: skip
    assert case.village_name == "柳河村" and case.context["village_registered"] is False
    assert case.contact_relation == "daughter" and case.affected_person == "李老汉"
    notes = [e.detail["text"] for e in case.events if e.kind == "note"]
    assert notes and "柳河村" in notes[0] and "县级" in notes[0]
    linked = staffed.link_village(case.number, "v-qsw", "青山湾村", actor="admin")
    assert (linked.village_id, linked.village_name) == ("v-qsw", "青山湾村")
    assert "village_registered" not in linked.context
    assert linked.events[-1].kind == "village_linked" and linked.events[-1].detail["from"] == "柳河村"


def test_unknown_contact_relation_is_refused_before_anything_is_stored() -> None:
    from cases.intake import InvalidIntake

    with pytest.raises(InvalidIntake, match="contact_relation"):
        CaseIntake(description="娘的地叫人占了", channel="web", requested="mediation", phone="13912345678",
                   contact_relation="boss")  # fmt: skip
