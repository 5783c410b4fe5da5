"""Each WeChat message is processed once, however many times WeChat delivers it.

WeChat retries a callback (up to three times) when it gets no answer within 5 s, and a resident
must not get two answers, nor an emergency be filed twice. The delivery key is inserted *before*
processing into a table with a UNIQUE key, so the database decides which of two concurrent
deliveries (even in two gateway processes) is the first; a repeat gets the first one's reply if it
is known, else ``success``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from api.wechat.pruning import Pruner
from cases import CaseStore
from cases.models import ChannelDelivery

logger = logging.getLogger(__name__)

CHANNEL = "wechat"
#: WeChat gives up retrying after about 15 s; two days keeps a margin for clock trouble and for audits.
KEEP_FOR = timedelta(days=2)


@dataclass(frozen=True)
class Claim:
    first: bool
    reply: str | None = None


class DeliveryLog:
    """Claims and replies of WeChat deliveries in ``channel_deliveries``; methods are blocking (run in a thread)."""

    def __init__(self) -> None:
        self._pruner = Pruner()

    def claim(self, store: CaseStore, key: str, now: datetime | None = None) -> Claim:
        """Record the delivery; ``first`` is False when the key was already recorded."""
        now = now or datetime.now(timezone.utc)
        self._maybe_prune(store, now)
        with store.session() as session:
            session.add(ChannelDelivery(channel=CHANNEL, key=key, received_at=now))
            try:
                session.commit()
                return Claim(first=True)
            except IntegrityError:
                session.rollback()
                reply = session.scalar(select(ChannelDelivery.reply).where(ChannelDelivery.key == key))
                return Claim(first=False, reply=reply)

    def record_reply(self, store: CaseStore, key: str, reply: str) -> None:
        """Keep the passive reply, so that a repeat delivery gets the same answer."""
        with store.session() as session:
            session.execute(update(ChannelDelivery).where(ChannelDelivery.key == key).values(reply=reply))
            session.commit()

    def _maybe_prune(self, store: CaseStore, now: datetime) -> None:
        old = ChannelDelivery.channel == CHANNEL, ChannelDelivery.received_at < now - KEEP_FOR
        removed = self._pruner.maybe(store, delete(ChannelDelivery).where(*old))
        if removed:
            logger.info("wechat: forgot %d deliveries older than %s", removed, KEEP_FOR)
