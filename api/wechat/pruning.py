"""Deleting a channel table's expired rows now and then, on the request path, with no scheduler to run."""

from __future__ import annotations

import time

from sqlalchemy.sql.dml import Delete

from cases import CaseStore


class Pruner:
    """Runs a DELETE at most once per ``every_s`` in this process (the first call runs it)."""

    def __init__(self, every_s: float = 3600.0) -> None:
        self.every_s = every_s
        self._last: float | None = None

    def maybe(self, store: CaseStore, statement: Delete) -> int:
        """The rows ``statement`` deleted; 0 when it was not yet time."""
        if self._last is not None and time.monotonic() - self._last < self.every_s:
            return 0
        self._last = time.monotonic()
        with store.session() as session:
            result = session.execute(statement)
            session.commit()
        return result.rowcount or 0
