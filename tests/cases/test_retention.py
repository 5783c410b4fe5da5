"""The retention purge, aged with a clock, on SQLite and PostgreSQL: every table it touches, and statistics after."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy import select

from cases import CaseIntake, CaseStore
from cases.models import (
    AuditEntry,
    Case,
    CaseEvent,
    ChannelDelivery,
    ChannelOptions,
    ForgetConversation,
    OutboxMessage,
)
from cases.retention import ANONYMISED, forget_conversation, purge
from cases.stats import case_stats

NOW = datetime(2030, 6, 1, tzinfo=timezone.utc)
#: Rasa's tracker-store table as Rasa creates it (rasa.core.tracker_store.SQLTrackerStore.SQLEvent).
EVENTS = sa.Table(
    "events",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("data", sa.Text),
)


def _file(store: CaseStore, conversation: str, **overrides: object) -> str:
    fields: dict[str, object] = {
        "description": "隔壁把院墙砌到俺家宅基地上了", "channel": "wechat", "requested": "mediation",
        "dispute_type": "homestead", "resident_name": "王大山", "phone": "13912345678", "village_id": "v1",
        "counterparty": "李四", "conversation_id": conversation, "affected_person": "王老汉",
        "contact_relation": "son", "transcript": ({"speaker": "resident", "text": "俺叫王大山 13912345678"},),
    }  # fmt: skip
    fields.update(overrides)
    return store.create(CaseIntake(**fields)).number  # type: ignore[arg-type]


def _close(store: CaseStore, number: str, at: datetime) -> None:
    with store.session() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        case.status, case.closed_at, case.satisfaction, case.satisfaction_comment = "closed", at, 4, "王大山说挺好"
        case.created_at = at - timedelta(days=20)
        session.add(CaseEvent(case_id=case.id, at=at, actor="med-a", kind="note", detail={"text": "王大山电话打通了"}))
        session.commit()


def _say(engine: sa.engine.Engine, sender: str, at: datetime) -> None:
    with engine.begin() as connection:
        for kind in ("user", "bot"):
            connection.execute(
                EVENTS.insert(), {"sender_id": sender, "type_name": kind, "timestamp": at.timestamp(), "data": "{}"}
            )


def test_the_purge_removes_what_expired_keeps_what_is_needed_and_statistics_stay(database_url: str) -> None:
    store = CaseStore(database_url)
    engine = sa.create_engine(database_url)
    EVENTS.create(engine)
    old, recent = NOW - timedelta(days=4 * 365), NOW - timedelta(days=10)
    _say(engine, "web:chat-only-old", NOW - timedelta(days=31))  # no case, past 30 days: goes
    _say(engine, "web:chat-only-new", NOW - timedelta(days=5))  # no case, recent: stays
    _say(engine, "web:closed-long-ago", old)  # its case is anonymised: goes
    _say(engine, "web:open-case", old)  # an open case still needs it: stays
    expired = _file(store, "web:closed-long-ago")
    _close(store, expired, old)
    kept_closed = _file(store, "web:closed-recently", dispute_type="neighbor")
    _close(store, kept_closed, recent)
    open_case = _file(store, "web:open-case")
    with store.session() as session:
        session.add_all(
            [
                OutboxMessage(created_at=old, topic="new_case", payload={"name": "王大山"}, status="sent",
                              next_attempt_at=old),
                OutboxMessage(created_at=old, topic="new_case", payload={}, status="pending", next_attempt_at=old),
                ChannelDelivery(channel="wechat", key="msg-old", received_at=old, reply="王大山您好"),
                ChannelDelivery(channel="wechat", key="msg-new", received_at=recent, reply="您好"),
                ChannelOptions(channel="wechat", user_key="o1", options=[], expires_at=NOW - timedelta(hours=1)),
            ]
        )  # fmt: skip
        session.commit()
        before = case_stats(session, since=old - timedelta(days=60), until=NOW, group_by="dispute_type", now=NOW)

    with store.session() as session:
        report = purge(session, now=NOW, conversation_days=30, closed_case_days=3 * 365)
        session.commit()

    assert report.conversations_deleted == 2 and report.conversation_events_deleted == 4
    assert report.cases_anonymised == 1 and report.notifications_deleted == 1
    assert report.deliveries_deleted == 1 and report.options_deleted == 1
    with engine.connect() as connection:
        left = {s for (s,) in connection.execute(select(EVENTS.c.sender_id).distinct())}
    assert left == {"web:chat-only-new", "web:open-case"}
    gone = store.get(expired)
    assert gone.resident_name is None and gone.resident_phone is None and gone.phone_last4 is None
    assert gone.counterparty is None and gone.affected_person is None and gone.satisfaction_comment is None
    assert gone.description == ANONYMISED and "transcript" not in gone.context and gone.conversation_id is None
    assert all("王大山" not in str(event.detail) for event in gone.events)
    assert (gone.dispute_type, gone.village_id, gone.status, gone.satisfaction) == ("homestead", "v1", "closed", 4)
    assert store.get(kept_closed).resident_name == "王大山" and store.get(open_case).resident_phone == "13912345678"
    with store.session() as session:
        after = case_stats(session, since=old - timedelta(days=60), until=NOW, group_by="dispute_type", now=NOW)
        assert after == before
        statuses = [m.status for m in session.scalars(select(OutboxMessage))]
        assert "sent" not in statuses and statuses.count("pending") == 4  # pending: still to deliver
        assert [d.key for d in session.scalars(select(ChannelDelivery))] == ["msg-new"]
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "retention_purge")).all()
        assert (
            entry.actor == "retention"
            and entry.detail["cases_anonymised"] == 1
            and expired in entry.detail["anonymised"]
        )

    with store.session() as session:  # a second run finds nothing left to do, and says so in the log
        again = purge(session, now=NOW, conversation_days=30, closed_case_days=3 * 365)
        session.commit()
    assert not any(again.to_dict().values())
    engine.dispose()


def test_a_database_rasa_never_used_is_purged_without_error(database_url: str) -> None:
    store = CaseStore(database_url)
    with store.session() as session:
        report = purge(session, now=NOW, conversation_days=30, closed_case_days=1095)
        session.commit()
    assert report.conversations_deleted == 0


def test_a_declined_conversation_is_forgotten_once_idle(database_url: str) -> None:
    store = CaseStore(database_url)
    engine = sa.create_engine(database_url)
    EVENTS.create(engine)
    _say(engine, "web:declined-quiet", NOW - timedelta(hours=2))
    _say(engine, "web:declined-talking", NOW - timedelta(minutes=10))
    _say(engine, "web:declined-then-filed", NOW - timedelta(hours=3))
    _file(store, "web:declined-then-filed")  # changed their mind: the open case needs the conversation
    with store.session() as session:
        for sender in ("web:declined-quiet", "web:declined-talking", "web:declined-then-filed"):
            forget_conversation(session, sender, NOW - timedelta(hours=3))
        session.commit()
        report = purge(session, now=NOW, conversation_days=30, closed_case_days=1095)
        session.commit()
        assert report.declined_conversations_deleted == 1
        assert session.scalars(select(ForgetConversation.sender_id)).all() == ["web:declined-talking"]
    with engine.connect() as connection:
        left = {s for (s,) in connection.execute(select(EVENTS.c.sender_id).distinct())}
    assert left == {"web:declined-talking", "web:declined-then-filed"}
    engine.dispose()
