"""Notifications through an outbox table.

A notification is a row written in the same transaction as the change it reports, so a case
is never created without its notification and a notification is never sent for a change that
rolled back. Delivery happens later, in the background, with exponential backoff; a webhook
that is down delays notifications but never blocks filing a case.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cases.models import OutboxMessage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)
BATCH = 50
#: How long a claimed message is hidden from other senders; longer than any webhook call.
CLAIM_LEASE = timedelta(minutes=2)

#: Delivers one message, or raises to have it retried with backoff. It may return a note (kept as the
#: message's ``last_error``: what went wrong for some recipients of a message that is done all the same).
Sender = Callable[[dict[str, Any]], str | None]


class GiveUp(Exception):
    """Raised by a sender when retrying cannot help (every recipient refused the message for good)."""


def enqueue(session: Session, *, topic: str, payload: dict[str, Any], recipient: str | None = None) -> None:
    """Add a notification to the caller's transaction."""
    now = datetime.now(timezone.utc)
    session.add(OutboxMessage(created_at=now, topic=topic, recipient=recipient, payload=payload, next_attempt_at=now))


def backoff(attempts: int) -> timedelta:
    return min(BASE_DELAY * (2 ** max(0, attempts - 1)), MAX_DELAY)


def deliver_due(session: Session, send: Sender, *, now: datetime | None = None) -> dict[str, int]:
    """Try every pending message that is due; returns counts of sent, retried and failed."""
    when = now or datetime.now(timezone.utc)
    counts = {"sent": 0, "retry": 0, "failed": 0}

    # Each message is claimed before it is sent: a conditional update pushes its due time a
    # lease ahead, so every other gateway running this loop (and a second loop in this one)
    # skips it. A gateway that dies mid-send leaves it to be retried when the lease ends.
    def claimed_messages():  # a generator of rows
        for _ in range(BATCH):
            candidate = session.scalar(
                select(OutboxMessage.id)
                .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= when)
                .order_by(OutboxMessage.id)
                .limit(1)
            )
            if candidate is None:
                return
            won = session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == candidate,
                    OutboxMessage.status == "pending",
                    OutboxMessage.next_attempt_at <= when,
                )
                .values(next_attempt_at=when + CLAIM_LEASE)
                .execution_options(synchronize_session=False)
            ).rowcount
            session.commit()
            if won == 1:
                yield session.get(OutboxMessage, candidate, populate_existing=True)

    due = claimed_messages()
    for message in due:
        message.attempts += 1
        try:
            note = send({"id": message.id, "topic": message.topic, "recipient": message.recipient, **message.payload})
        except GiveUp as exc:
            message.status, message.last_error = "failed", f"{exc}"[:500]
            counts["failed"] += 1
            logger.error("notification %s refused for good: %s", message.id, message.last_error)
        except Exception as exc:  # any other delivery failure is retried, never raised
            message.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = "failed"
                counts["failed"] += 1
                logger.error("notification %s failed for good: %s", message.id, message.last_error)
            else:
                message.next_attempt_at = when + backoff(message.attempts)
                counts["retry"] += 1
        else:
            message.status, message.last_error = "sent", note[:500] if isinstance(note, str) else None
            counts["sent"] += 1
        session.commit()
    return counts
