"""Residents see and delete their data with number, last 4 digits and a one-time code; legal holds refuse; all audited."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from cases import CaseIntake, CaseStore
from cases.models import AuditEntry, Case, OutboxMessage
from cases.retention import ANONYMISED
from cases.rights import (
    DeletionRefused,
    NotVerified,
    deletion_requests,
    erase,
    give_copy,
    request_deletion,
    send_code,
    set_legal_hold,
    verify,
)
from tests.resident_codes import sent_code

SECRET = "test-secret-key-for-codes"
NOW = datetime(2027, 3, 1, 8, 0, tzinfo=timezone.utc)


def _file(store: CaseStore, **overrides: object) -> str:
    fields: dict[str, object] = {
        "description": "男人喝了酒就打俺", "channel": "wechat", "requested": "mediation",
        "dispute_type": "marriage_family", "resident_name": "张桂芝", "phone": "13912345678",
        "conversation_id": "wechat:oAbc123", "transcript": ({"speaker": "resident", "text": "男人喝了酒就打俺"},),
    }  # fmt: skip
    fields.update(overrides)
    return store.create(CaseIntake(**fields)).number  # type: ignore[arg-type]


def _close(store: CaseStore, number: str) -> None:
    with store.session() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        case.status, case.closed_at = "closed", NOW - timedelta(days=3)
        session.commit()


def test_a_resident_sees_everything_held_with_the_code_sent_to_their_channel(database_url: str) -> None:
    store = CaseStore(database_url)
    number = _file(store)
    with store.session() as session:
        via = send_code(session, number=number, phone_last4="5678", purpose="view", secret=SECRET, now=NOW)
        session.commit()
        assert via == "wechat"
        code = sent_code(store, number)
        message = session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "resident_code")).one()
        assert message.recipient == "wechat:oAbc123"
        case = verify(session, number=number, phone_last4="5678", code=code, purpose="view", secret=SECRET,
                      now=NOW + timedelta(minutes=3))  # fmt: skip
        copy = give_copy(session, case)
        session.commit()
    assert copy["resident_phone"] == "13912345678" and copy["description"] == "男人喝了酒就打俺"
    assert copy["transcript"][0]["text"] == "男人喝了酒就打俺"
    with store.session() as session:
        with pytest.raises(NotVerified):  # used once
            verify(session, number=number, phone_last4="5678", code=code, purpose="view", secret=SECRET, now=NOW)
        actions = [e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.case_number == number))]
    assert "resident_code_sent" in actions and "resident_access" in actions


def test_wrong_digits_wrong_codes_and_old_codes_get_nothing(database_url: str) -> None:
    store = CaseStore(database_url)
    number = _file(store, channel="kiosk", conversation_id="kiosk:abc")
    with store.session() as session:
        with pytest.raises(NotVerified):
            send_code(session, number=number, phone_last4="0000", purpose="view", secret=SECRET, now=NOW)
        with pytest.raises(NotVerified):
            send_code(session, number="2027-XXX-000001", phone_last4="5678", purpose="view", secret=SECRET, now=NOW)
        assert send_code(session, number=number, phone_last4="5678", purpose="view", secret=SECRET, now=NOW) == "sms"
        session.commit()
        code = sent_code(store, number)
        late = NOW + timedelta(minutes=11)
        with pytest.raises(NotVerified):
            verify(session, number=number, phone_last4="5678", code=code, purpose="view", secret=SECRET, now=late)
        with pytest.raises(NotVerified):  # a code for viewing does not delete
            verify(session, number=number, phone_last4="5678", code=code, purpose="delete", secret=SECRET, now=NOW)
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(5):
            with pytest.raises(NotVerified):
                verify(session, number=number, phone_last4="5678", code=wrong, purpose="view", secret=SECRET, now=NOW)
        session.commit()
        with pytest.raises(NotVerified):  # five wrong tries burn the code, the right one included
            verify(session, number=number, phone_last4="5678", code=code, purpose="view", secret=SECRET, now=NOW)


def test_deletion_waits_for_an_open_case_and_a_legal_hold_then_erases_and_audits(database_url: str) -> None:
    store = CaseStore(database_url)
    number = _file(store)
    with store.session() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        assert "办理中" in request_deletion(session, case, NOW)
        session.commit()
        assert [c.number for c in deletion_requests(session)] == [number]
        with pytest.raises(DeletionRefused, match="办理中"):
            erase(session, number, actor="admin1", now=NOW)
        session.commit()
    _close(store, number)
    with store.session() as session:
        set_legal_hold(session, number, "对方已起诉，法院开庭前保留", actor="med-a", now=NOW)
        session.commit()
        with pytest.raises(DeletionRefused, match="法院"):
            erase(session, number, actor="admin1", now=NOW)
        set_legal_hold(session, number, None, actor="med-a", now=NOW)
        erase(session, number, actor="admin1", now=NOW)
        session.commit()
        assert deletion_requests(session) == []
    case = store.get(number)
    assert case.resident_name is None and case.resident_phone is None and case.description == ANONYMISED
    assert "transcript" not in case.context and case.dispute_type == "marriage_family"
    with store.session() as session:
        actions = [e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.case_number == number))]
    assert actions.count("erase_refused") == 2 and "erase" in actions and "deletion_requested" in actions
