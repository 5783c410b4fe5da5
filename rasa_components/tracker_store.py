"""Rasa's SQL tracker store with the SQLite file opened the way the case store opens it.

With a file database, SQLAlchemy 1.4 gives ``SQLTrackerStore`` a ``NullPool``: every retrieve
and every save opened a new SQLite connection, and every commit waited for a full fsync. Both
ran on the Rasa server's event loop, so each one held up every conversation in the process.
Here SQLite gets a small connection pool and the case store's own pragmas
(``cases.db.sqlite_pragmas``: WAL, ``synchronous=NORMAL``, a busy timeout) for the same file.
PostgreSQL (the scale-out deployment) is left exactly as Rasa configures it.

With either database, a save writes the events after those the tracker was read with, without
counting the stored ones again (see ``_additional_events``), and each saved tracker is also
offered to ``turn_state.recent_saves``, so the ``cunfa`` channel can answer with the turn's
outcome without reading it back.

Each event's ``data`` (the resident's words, slots with names and phones) is encrypted before it
is written and decrypted when it is read (``cases.crypto``, the deployment's data keys), so the
tracker store holds no personal data in clear either.

Selected in ``bot/endpoints.yml`` with ``type: rasa_components.tracker_store.CunfaSQLTrackerStore``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.pool import QueuePool

from cases import crypto
from cases.db import sqlite_pragmas
from cunfa.data_keys import ensure_configured
from cunfa.settings import get_settings
from rasa_components.turn_state import recent_saves

#: Rasa's store runs on one event-loop thread; a few connections cover the tracker endpoint too.
POOL_SIZE = 4
#: How many of a tracker's events are in the database, as far as this store knows.
STORED_EVENTS = "_cunfa_stored_events"


def _encrypt_event(_mapper: Any, _connection: Any, target: Any) -> None:
    target.data = crypto.keyring().encrypt(target.data)


def _decrypt_event(target: Any, _context: Any) -> None:
    # Set as loaded, not as a change: a later commit must never write the clear text back.
    set_committed_value(target, "data", crypto.keyring().decrypt(target.data))


def _encrypt_events() -> None:
    if not sa.event.contains(SQLTrackerStore.SQLEvent, "before_insert", _encrypt_event):
        sa.event.listen(SQLTrackerStore.SQLEvent, "before_insert", _encrypt_event)
        sa.event.listen(SQLTrackerStore.SQLEvent, "load", _decrypt_event)


class CunfaSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        ensure_configured(get_settings())
        _encrypt_events()
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name != "sqlite":
            return
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(
            url,
            poolclass=QueuePool,
            pool_size=POOL_SIZE,
            max_overflow=8,
            connect_args={"check_same_thread": False, "timeout": 15},
        )
        sa.event.listen(self.engine, "connect", sqlite_pragmas)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def init_tracker(self, sender_id: str) -> DialogueStateTracker:
        """Rasa makes a new tracker only after reading none back for ``sender_id``: nothing is stored."""
        tracker = super().init_tracker(sender_id)
        setattr(tracker, STORED_EVENTS, 0)
        return tracker

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            setattr(tracker, STORED_EVENTS, len(tracker.events))
        return tracker

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        """The events after those this tracker was read with (or last saved), without a COUNT query.

        Rasa counts the conversation's stored events on every save to find the new ones: a
        query of its own on the event loop, every turn. A tracker this store read or saved
        already knows that number, because the lock store lets only one server handle a
        conversation at a time, and a tracker it created has nothing stored yet. Any other
        tracker (built elsewhere) is counted as Rasa counts it.
        """
        stored = getattr(tracker, STORED_EVENTS, None)
        if stored is None or stored > len(tracker.events):
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        setattr(tracker, STORED_EVENTS, len(tracker.events))
        recent_saves.record(tracker)
