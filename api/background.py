"""Background duties of the API process: deliver notifications, escalate overdue cases, purge expired data.

They run in a thread off the event loop, so a slow webhook or database never delays a chat
turn, and they keep going after errors: a failed round is logged and retried next round.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone
from typing import Any

import notify
from cases import retention, sla

logger = logging.getLogger(__name__)

OUTBOX_EVERY_S = 5.0
SLA_EVERY = timedelta(minutes=1)
#: Hourly: retention is counted in days, but a resident who declined the notice is forgotten within hours.
PURGE_EVERY = timedelta(hours=1)


def one_round(
    state: Any, last_sla: datetime | None, last_purge: datetime | None = None
) -> tuple[datetime | None, datetime | None]:
    store = state.case_store()
    now = datetime.now(timezone.utc)
    with store.session() as session:
        # To the channels per village, township and role, and to CUNFA_NOTIFY_WEBHOOK_URL as before.
        notify.deliver_due(session, state.settings, now=now)
        if last_sla is None or now - last_sla >= SLA_EVERY:
            escalated = sla.escalate_overdue(session, now=now)
            session.commit()
            if escalated:
                logger.warning("escalated overdue cases to the township: %s", ", ".join(escalated))
            last_sla = now
        if last_purge is None or now - last_purge >= PURGE_EVERY:
            retention.purge(
                session,
                now=now,
                conversation_days=state.settings.retention_conversation_days,
                closed_case_days=state.settings.retention_closed_case_days,
            )
            session.commit()
            last_purge = now
    return last_sla, last_purge


async def run_forever(state: Any) -> None:
    last_sla: datetime | None = None
    last_purge: datetime | None = None
    while True:
        try:
            last_sla, last_purge = await asyncio.to_thread(one_round, state, last_sla, last_purge)
        except Exception:  # a bad round must not end the duty
            logger.exception("background round failed; retrying")
        await asyncio.sleep(OUTBOX_EVERY_S)
