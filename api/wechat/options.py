"""The numbered options last shown to each WeChat resident, kept where every gateway can read them.

WeChat has no buttons, so a reply offers "回复 1 找调解员" and the resident types "1" next. That
next message may reach another gateway process (several behind a load balancer) or the same one
after a restart; held in one process's memory, the "1" would then be read as plain text. The
options are therefore kept in the case database (``channel_options``), one row per resident,
replaced by each reply and forgotten after ``ttl``. Methods are blocking (run them in a thread).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from api.wechat.dedup import CHANNEL
from api.wechat.pruning import Pruner
from api.wechat.render import Option
from cases import CaseStore
from cases.models import ChannelOptions

logger = logging.getLogger(__name__)

#: Options answered more than half an hour later are more likely a new question that is a number.
TTL = timedelta(minutes=30)


class StoredOptions:
    def __init__(self, ttl: timedelta = TTL) -> None:
        self.ttl = ttl
        self._pruner = Pruner()

    def remember(self, store: CaseStore, openid: str, options: list[Option], now: datetime | None = None) -> None:
        """The options of the reply just sent replace the earlier ones (none: forget them)."""
        now = now or datetime.now(timezone.utc)
        self._maybe_prune(store, now)
        rows = [{"title": o.title, "payload": o.payload} for o in options]
        for attempt in (1, 2):
            with store.session() as session:
                session.execute(delete(ChannelOptions).where(*_key(openid)))
                if rows:
                    expires = now + self.ttl
                    session.add(ChannelOptions(channel=CHANNEL, user_key=openid, options=rows, expires_at=expires))
                try:
                    session.commit()
                    return
                except IntegrityError:
                    # Two replies to one resident saved at once by two gateways: the later write wins.
                    session.rollback()
                    if attempt == 2:
                        raise

    def recall(self, store: CaseStore, openid: str, now: datetime | None = None) -> list[Option]:
        now = now or datetime.now(timezone.utc)
        with store.session() as session:
            row = session.scalar(select(ChannelOptions).where(*_key(openid), ChannelOptions.expires_at >= now))
            return [Option(o["title"], o["payload"]) for o in row.options] if row else []

    def forget(self, store: CaseStore, openid: str) -> None:
        with store.session() as session:
            session.execute(delete(ChannelOptions).where(*_key(openid)))
            session.commit()

    def _maybe_prune(self, store: CaseStore, now: datetime) -> None:
        expired = ChannelOptions.channel == CHANNEL, ChannelOptions.expires_at < now
        removed = self._pruner.maybe(store, delete(ChannelOptions).where(*expired))
        if removed:
            logger.info("wechat: forgot the options of %d residents who did not answer them", removed)


def _key(openid: str) -> tuple:
    return ChannelOptions.channel == CHANNEL, ChannelOptions.user_key == openid
