"""First-contact deadlines: overdue cases go up to the township and are listed.

A resident who was promised a call within 24 hours (15 minutes in an emergency) and got none
must not wait on a handler who is away: the case is handed to the township committee for its
role, the history says so, and a notification goes out.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from cases import outbox
from cases.assignment import assign
from cases.errors import NoHandlerAvailable
from cases.models import Case, CaseEvent
from cases.workflow import OPEN_STATUSES


def overdue(session: Session, *, now: datetime | None = None) -> list[Case]:
    when = now or datetime.now(timezone.utc)
    return list(
        session.scalars(
            select(Case)
            .where(
                Case.first_contact_at.is_(None),
                Case.first_contact_due_at < when,
                Case.status.in_([s.value for s in OPEN_STATUSES]),
            )
            .order_by(Case.first_contact_due_at)
        )
    )


#: Advisory lock key for the SLA sweep ("CUNFA-SLA" in spirit; any constant unique to this use).
_SLA_LOCK_ID = 0x43554E5341


def _escalated(session: Session, case: Case) -> bool:
    return (
        session.scalar(select(CaseEvent.id).where(CaseEvent.case_id == case.id, CaseEvent.kind == "escalated"))
        is not None
    )


def escalate_overdue(session: Session, *, now: datetime | None = None) -> list[str]:
    """Escalate each overdue case once; returns the numbers escalated (caller commits)."""
    when = now or datetime.now(timezone.utc)
    escalated: list[str] = []
    # Several gateways run this loop; on PostgreSQL one of them at a time does the escalating
    # (the lock ends with the caller's commit), so a case is never escalated twice.
    if session.get_bind().dialect.name == "postgresql":
        if not session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _SLA_LOCK_ID}):
            return escalated
    for case in overdue(session, now=when):
        if _escalated(session, case):
            continue
        new_assignee = None
        try:
            new_assignee = assign(session, case, actor="sla", township_only=True, now=when).username
        except NoHandlerAvailable:
            pass  # no township committee on record: listed as overdue, the notification still goes out
        session.add(
            CaseEvent(
                case_id=case.id, at=when, actor="sla", kind="escalated",
                detail={"due": case.first_contact_due_at.isoformat(), "to": new_assignee},
            )
        )  # fmt: skip
        outbox.enqueue(
            session, topic="case_overdue", recipient=new_assignee,
            payload={"case_id": case.number, "handler_role": case.handler_role,
                     "due": case.first_contact_due_at.isoformat()},
        )  # fmt: skip
        escalated.append(case.number)
    return escalated
