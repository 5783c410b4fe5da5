"""ORM tables of the case store (SQLAlchemy 1.4 in 2.0 style; Rasa pins SQLAlchemy < 1.5).

Timestamps are stored in UTC and always come back timezone-aware, whatever the database:
SQLite drops the zone, and an SLA computed from a naive time would silently shift by 8 hours.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.types import TypeDecorator

from cases.crypto import EncryptedJSON, EncryptedText, keyring

# SQLAlchemy 1.4 ships no type information, so ``declarative_base()`` is untyped; declared ``Any`` so that
# mypy accepts it as the base class of the mapped tables (the runtime object is unchanged).
Base: Any = declarative_base()

#: Rasa's tracker-store table in the same database (rasa.core.tracker_store.SQLTrackerStore.SQLEvent),
#: as the retention purge and key rotation read it: without Rasa, and never created here.
TRACKER_EVENTS = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("timestamp", sa.Float),
    sa.column("data", sa.Text),
)


class UTCDateTime(TypeDecorator):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware UTC time")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class JSONText(TypeDecorator):
    """JSON kept as text, so SQLite and PostgreSQL store it the same way."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False)

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        return None if value is None else json.loads(value)


class Case(Base):
    __tablename__ = "cases"

    id = Column(Integer, primary_key=True, autoincrement=True)
    number = Column(String(32), unique=True, index=True)
    idempotency_key = Column(String(160), unique=True)
    status = Column(String(20), nullable=False, index=True)
    requested = Column(String(16), nullable=False)
    handler_role = Column(String(16), nullable=False, index=True)
    dispute_type = Column(String(32), nullable=False, index=True)
    risk_level = Column(String(16), nullable=False)
    risk_cues = Column(JSONText, nullable=False, default=list)
    village_id = Column(String(64), index=True)
    village_name = Column(String(64))
    # Personal data is encrypted at rest (cases.crypto); the phone is also kept as a keyed hash for lookups.
    resident_name = Column(EncryptedText)
    resident_phone = Column(EncryptedText)
    phone_hash = Column(String(64), index=True)
    #: The contact's relation to the person the matter happened to ("daughter" asking for her father).
    contact_relation = Column(String(24), nullable=False, default="self", server_default="self")
    affected_person = Column(EncryptedText)
    phone_last4 = Column(String(4))
    counterparty = Column(EncryptedText)
    description = Column(EncryptedText, nullable=False)
    amount = Column(String(64))
    incident_date = Column(String(64))
    channel = Column(String(16), nullable=False)
    conversation_id = Column(String(200), index=True)
    filed_by = Column(String(64), nullable=False)
    context = Column(EncryptedJSON, nullable=False, default=dict)
    assignee = Column(String(64), index=True)
    created_at = Column(UTCDateTime, nullable=False, index=True)
    updated_at = Column(UTCDateTime, nullable=False)
    first_contact_due_at = Column(UTCDateTime, nullable=False)
    first_contact_at = Column(UTCDateTime)
    resolved_at = Column(UTCDateTime)
    closed_at = Column(UTCDateTime)
    satisfaction = Column(Integer)
    satisfaction_comment = Column(EncryptedText)

    events = relationship("CaseEvent", back_populates="case", order_by="CaseEvent.id", cascade="all, delete-orphan")


def phone_lookup_key(phone: str | None) -> str | None:
    """The digits a phone is looked up by ("139 1234 5678" and "13912345678" are one number)."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    return digits or None


@event.listens_for(Case.resident_phone, "set")
def _hash_phone(target: Case, value: str | None, _old: Any, _initiator: Any) -> None:
    key = phone_lookup_key(value)
    target.phone_hash = keyring().lookup_hash(key) if key else None


class CaseEvent(Base):
    """One line of a case's history: who did what, when. Never updated, never deleted."""

    __tablename__ = "case_events"

    id = Column(Integer, primary_key=True, autoincrement=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    at = Column(UTCDateTime, nullable=False)
    actor = Column(String(64), nullable=False)
    kind = Column(String(32), nullable=False)
    from_status = Column(String(20))
    to_status = Column(String(20))
    detail = Column(JSONText, nullable=False, default=dict)

    case = relationship("Case", back_populates="events")


class User(Base):
    """A staff account: admin, lawyer (village legal adviser), mediator or grid worker."""

    __tablename__ = "users"

    id = Column(Integer, primary_key=True, autoincrement=True)
    username = Column(String(64), unique=True, nullable=False, index=True)
    role = Column(String(16), nullable=False)
    display_name = Column(String(64), nullable=False, default="")
    password_hash = Column(String(255), nullable=False)
    phone = Column(String(32))
    #: 0 while disabled (``cases.staff.disable_user``); assignment and login consider only active accounts.
    active = Column(Integer, nullable=False, default=1)
    created_at = Column(UTCDateTime, nullable=False)
    #: Carried in every token and compared on every request; bumped when the account is disabled or its
    #: password reset, so the tokens issued before stop working at once.
    token_version = Column(Integer, nullable=False, default=0, server_default="0")
    disabled_at = Column(UTCDateTime)
    disabled_by = Column(String(64))
    password_changed_at = Column(UTCDateTime)
    last_login_at = Column(UTCDateTime)


class LoginThrottle(Base):
    """Failed logins per username (existing or not), shared by every gateway process.

    ``failures`` counts the failures since ``window_started_at``; enough of them within the window
    set ``locked_until``, and no login for that username is tried until then (``cases.staff``).
    """

    __tablename__ = "login_throttle"

    username = Column(String(64), primary_key=True)
    failures = Column(Integer, nullable=False, default=0)
    window_started_at = Column(UTCDateTime, nullable=False, index=True)
    locked_until = Column(UTCDateTime)


class RosterEntry(Base):
    """Who serves where: a village's legal adviser and mediators, or a township committee."""

    __tablename__ = "roster"

    id = Column(Integer, primary_key=True, autoincrement=True)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    handler_role = Column(String(16), nullable=False)  # mediator | lawyer | legal_aid | emergency
    village_id = Column(String(64), index=True)  # set for a village post
    township = Column(String(64), index=True)  # set for a township post (the escalation level)


class Relation(Base):
    """A relationship on record (kin, business) that disqualifies a handler from a counterparty."""

    __tablename__ = "relations"

    id = Column(Integer, primary_key=True, autoincrement=True)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    person = Column(String(100), nullable=False)
    kind = Column(String(32), nullable=False, default="relative")


class AuditEntry(Base):
    """Every read of personal data and every change, by whom and when. Append-only."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True, autoincrement=True)
    at = Column(UTCDateTime, nullable=False, index=True)
    actor = Column(String(64), nullable=False, index=True)
    action = Column(String(48), nullable=False)
    case_number = Column(String(32), index=True)
    detail = Column(JSONText, nullable=False, default=dict)


class OutboxMessage(Base):
    """A notification to deliver; written in the same transaction as the change it reports."""

    __tablename__ = "outbox"

    id = Column(Integer, primary_key=True, autoincrement=True)
    created_at = Column(UTCDateTime, nullable=False)
    topic = Column(String(48), nullable=False)
    recipient = Column(String(64))
    payload = Column(JSONText, nullable=False, default=dict)
    status = Column(String(16), nullable=False, default="pending", index=True)  # pending | sent | failed
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(UTCDateTime, nullable=False, index=True)
    last_error = Column(Text)


class ChannelDelivery(Base):
    """A message a channel delivered, recorded before it is processed.

    WeChat retries a callback three times when it gets no answer in 5 s; the unique key makes
    the second delivery of the same message a no-op in every gateway process at once.
    """

    __tablename__ = "channel_deliveries"

    id = Column(Integer, primary_key=True, autoincrement=True)
    channel = Column(String(16), nullable=False)
    key = Column(String(160), nullable=False, unique=True)
    received_at = Column(UTCDateTime, nullable=False, index=True)
    reply = Column(Text)


class ChannelOptions(Base):
    """The numbered options a channel last showed one resident ("回复 1 找调解员").

    Kept in the database, not in a gateway's memory, so that "1" typed back reaches whichever
    gateway process the platform sends it to, and survives a restart.
    """

    __tablename__ = "channel_options"

    channel = Column(String(16), primary_key=True)
    user_key = Column(String(128), primary_key=True)
    options = Column(JSONText, nullable=False)  # [{"title", "payload"}, …]
    expires_at = Column(UTCDateTime, nullable=False, index=True)


class AssistEvent(Base):
    """What the hotline assistant suggested and what the agent actually used, per call.

    Kept so the usefulness of suggestions can be measured (used / shown), never to judge agents.
    """

    __tablename__ = "assist_events"

    id = Column(Integer, primary_key=True, autoincrement=True)
    at = Column(UTCDateTime, nullable=False, index=True)
    call_id = Column(String(64), nullable=False, index=True)
    agent = Column(String(64))
    kind = Column(String(24), nullable=False)  # shown | suggestion_used | draft_used | case_filed
    ref = Column(String(200))
    detail = Column(JSONText, nullable=False, default=dict)


class AccessCode(Base):
    """A one-time code a resident asked for to see or delete their data (``cases.rights``); only its hash is kept."""

    __tablename__ = "access_codes"

    id = Column(Integer, primary_key=True, autoincrement=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    purpose = Column(String(8), nullable=False)  # view | delete
    code_hash = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    expires_at = Column(UTCDateTime, nullable=False)
    tries = Column(Integer, nullable=False, default=0)
    used_at = Column(UTCDateTime)


class ForgetConversation(Base):
    """A conversation whose resident declined the personal-information notice: the purge deletes it once idle."""

    __tablename__ = "forget_conversations"

    sender_id = Column(String(255), primary_key=True)
    at = Column(UTCDateTime, nullable=False)


class NotifyChannel(Base):
    """Where staff notifications go: a group robot (WeCom, DingTalk), a staff member's WeChat, a webhook.

    Chosen per village, township or the county, and per handler role ("*" = every role); the sending
    is ``notify``'s. The target (a robot URL carries its key, an openid names a person) and the secret
    are credentials, so both are encrypted at rest like residents' personal data.
    """

    __tablename__ = "notify_channels"

    id = Column(Integer, primary_key=True, autoincrement=True)
    scope_kind = Column(String(16), nullable=False, index=True)  # village | township | county
    scope_id = Column(String(64), index=True)  # village id or township name; None for the county
    role = Column(String(16), nullable=False)  # mediator | lawyer | legal_aid | emergency | *
    kind = Column(String(24), nullable=False)  # wecom | dingtalk | wechat_template | webhook
    name = Column(String(64), nullable=False, default="")
    target = Column(EncryptedText, nullable=False)
    secret = Column(EncryptedText)
    enabled = Column(Integer, nullable=False, default=1)
    created_at = Column(UTCDateTime, nullable=False)
    created_by = Column(String(64))


class NotifyDelivery(Base):
    """One channel's final answer for one outbox message: sent, or refused for good.

    A message goes to several channels; when some must be retried, the next attempt skips those
    that already answered, so a group never gets the same case twice because another group's
    robot was rate-limited.
    """

    __tablename__ = "notify_deliveries"
    __table_args__ = (sa.UniqueConstraint("message_id", "channel_key", name="uq_notify_deliveries_message_channel"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    message_id = Column(Integer, ForeignKey("outbox.id", ondelete="CASCADE"), nullable=False, index=True)
    channel_key = Column(String(32), nullable=False)  # "channel:<id>" or "legacy_webhook"
    status = Column(String(16), nullable=False)  # sent | failed
    code = Column(String(32))  # the provider's errcode or the HTTP status, when refused
    at = Column(UTCDateTime, nullable=False)
