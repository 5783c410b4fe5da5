"""Rasa's SQL tracker store with the SQLite file opened the way the case store opens it.

With a file database, SQLAlchemy 1.4 gives ``SQLTrackerStore`` a ``NullPool``: every retrieve
and every save opened a new SQLite connection, and every commit waited for a full fsync. Both
ran on the Rasa server's event loop, so each one held up every conversation in the process.
Here SQLite gets a small connection pool and the case store's own pragmas
(``cases.db.sqlite_pragmas``: WAL, ``synchronous=NORMAL``, a busy timeout) for the same file.
PostgreSQL (the scale-out deployment) is left exactly as Rasa configures it.

With either database, each saved tracker is also offered to ``turn_state.recent_saves``, so
the ``cunfa`` channel can answer with the turn's outcome without reading it back.

Selected in ``bot/endpoints.yml`` with ``type: rasa_components.tracker_store.CunfaSQLTrackerStore``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.pool import QueuePool

from cases.db import sqlite_pragmas
from rasa_components.turn_state import recent_saves

#: Rasa's store runs on one event-loop thread; a few connections cover the tracker endpoint too.
POOL_SIZE = 4


class CunfaSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
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

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        recent_saves.record(tracker)
