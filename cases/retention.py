"""Personal data kept no longer than the notice says (个人信息保护法第十九条, 第四十七条).

One purge, run by the API's background duty every hour and by ``cunfa purge``:

* **Conversations** (Rasa's ``events`` table, in the same database): a conversation whose last
  event is older than ``conversation_days`` is deleted, unless a case still needs it (a case that
  is open, or closed less than ``closed_case_days`` ago); the case keeps its own transcript.
* **Closed cases** older than ``closed_case_days`` are anonymised, not deleted: name, phone, the
  person affected, the other side, the story, the transcript and free-text notes go; the type,
  village, status, dates, risk and satisfaction stay, so the county's statistics do not change.
* **Notifications** sent or given up on, **channel deliveries** (which hold the reply text) and
  expired **numbered options** older than ``conversation_days`` are deleted.

Each run writes one audit entry with what it removed. Every step is idempotent: a run that dies
halfway is finished by the next one.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from cases import audit
from cases.models import TRACKER_EVENTS as EVENTS
from cases.models import Case, ChannelDelivery, ChannelOptions, ForgetConversation, OutboxMessage
from cases.workflow import Status

logger = logging.getLogger(__name__)

ACTOR = "retention"
#: How long a declined conversation must be quiet before it is deleted.
DECLINED_IDLE = timedelta(hours=1)
ANONYMISED = "（保存期满，个人信息已删除）"
#: Keys of a case event's detail that may hold what a person said or wrote.
_FREE_TEXT = ("text", "comment", "note", "reason", "from")


@dataclass(frozen=True)
class PurgeReport:
    conversations_deleted: int = 0
    conversation_events_deleted: int = 0
    declined_conversations_deleted: int = 0
    cases_anonymised: int = 0
    notifications_deleted: int = 0
    deliveries_deleted: int = 0
    options_deleted: int = 0

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def _kept_conversations(case_cutoff: datetime) -> sa.Select:
    """Conversations a case still needs: open cases, and closed ones inside their retention."""
    return select(Case.conversation_id).where(
        Case.conversation_id.is_not(None),
        sa.or_(Case.status != Status.closed.value, Case.closed_at.is_(None), Case.closed_at >= case_cutoff),
    )


def delete_conversation(session: Session, sender_id: str) -> int:
    """One conversation's events, gone (a resident's deletion request); 0 where Rasa never stored any."""
    if not sa.inspect(session.get_bind()).has_table("events"):
        return 0
    return session.execute(delete(EVENTS).where(EVENTS.c.sender_id == sender_id)).rowcount or 0


def _purge_conversations(session: Session, cutoff: datetime, case_cutoff: datetime) -> tuple[int, int]:
    if not sa.inspect(session.get_bind()).has_table("events"):
        return 0, 0  # Rasa never ran against this database
    expired = (
        select(EVENTS.c.sender_id)
        .group_by(EVENTS.c.sender_id)
        .having(func.max(EVENTS.c.timestamp) < cutoff.timestamp())
    )
    kept = set(session.scalars(_kept_conversations(case_cutoff)))
    senders = [sender for (sender,) in session.execute(expired) if sender not in kept]
    events = 0
    for start in range(0, len(senders), 500):
        batch = senders[start : start + 500]
        events += session.execute(delete(EVENTS).where(EVENTS.c.sender_id.in_(batch))).rowcount or 0
    return len(senders), events


def forget_conversation(session: Session, sender_id: str, now: datetime) -> None:
    """Mark a conversation to be deleted once idle (the resident declined the notice)."""
    if session.get(ForgetConversation, sender_id) is None:
        session.add(ForgetConversation(sender_id=sender_id, at=now))


def _purge_declined(session: Session, now: datetime, case_cutoff: datetime) -> int:
    marks = list(session.scalars(select(ForgetConversation)))
    if not marks:
        return 0
    kept = set(session.scalars(_kept_conversations(case_cutoff)))
    has_events = sa.inspect(session.get_bind()).has_table("events")
    forgotten = 0
    for mark in marks:
        last = None
        if has_events:
            last = session.scalar(select(func.max(EVENTS.c.timestamp)).where(EVENTS.c.sender_id == mark.sender_id))
        if last is not None and last > (now - DECLINED_IDLE).timestamp():
            continue  # still talking: next run
        if mark.sender_id not in kept and last is not None:
            delete_conversation(session, mark.sender_id)
            forgotten += 1
        session.delete(mark)
    return forgotten


def anonymise(case: Case, now: datetime) -> None:
    """Remove what identifies the resident; keep what the county's statistics count."""
    case.resident_name = case.resident_phone = case.phone_last4 = None
    case.affected_person = case.counterparty = case.satisfaction_comment = None
    case.conversation_id = None
    case.description = ANONYMISED
    context = dict(case.context or {})
    kept = {key: context[key] for key in ("citations", "consent", "legal_aid_eligible") if key in context}
    case.context = {**kept, "anonymised_at": now.isoformat(timespec="seconds")}
    for event in case.events:
        detail = dict(event.detail or {})
        if any(key in detail for key in _FREE_TEXT):
            event.detail = {k: (ANONYMISED if k in _FREE_TEXT else v) for k, v in detail.items()}


def purge(session: Session, *, now: datetime, conversation_days: int, closed_case_days: int) -> PurgeReport:
    """Delete or anonymise what has outlived its retention; the caller commits."""
    cutoff = now - timedelta(days=conversation_days)
    case_cutoff = now - timedelta(days=closed_case_days)
    conversations, conversation_events = _purge_conversations(session, cutoff, case_cutoff)
    declined = _purge_declined(session, now, case_cutoff)

    # The story is encrypted, so "not yet anonymised" is read per case, not asked of the database.
    expired_cases = [
        case
        for case in session.scalars(
            select(Case).where(Case.status == Status.closed.value, Case.closed_at < case_cutoff)
        )
        if case.description != ANONYMISED
    ]
    for case in expired_cases:
        anonymise(case, now)

    notifications = session.execute(
        delete(OutboxMessage).where(OutboxMessage.status.in_(("sent", "failed")), OutboxMessage.created_at < cutoff)
    ).rowcount
    deliveries = session.execute(delete(ChannelDelivery).where(ChannelDelivery.received_at < cutoff)).rowcount
    options = session.execute(delete(ChannelOptions).where(ChannelOptions.expires_at < now)).rowcount
    report = PurgeReport(
        conversations_deleted=conversations,
        conversation_events_deleted=conversation_events,
        declined_conversations_deleted=declined,
        cases_anonymised=len(expired_cases),
        notifications_deleted=notifications or 0,
        deliveries_deleted=deliveries or 0,
        options_deleted=options or 0,
    )
    counts: dict[str, Any] = report.to_dict()  # audit detail fields, none of them ``record``'s own keywords
    audit.record(
        session,
        actor=ACTOR,
        action="retention_purge",
        conversation_days=conversation_days,
        closed_case_days=closed_case_days,
        anonymised=[case.number for case in expired_cases][:200],
        **counts,
    )
    if any(report.to_dict().values()):
        logger.info("retention purge: %s", report.to_dict())
    return report
