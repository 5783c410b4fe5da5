"""Rasa's Redis lock store, with each change to a conversation's lock made atomic.

Rasa 3.6 keeps a conversation's ticket lock as one Redis value and changes it by read, modify,
write: issuing a ticket, finishing one, dropping expired ones. Two Rasa servers taking a ticket
for the same conversation at the same moment can both read the lock before either writes it
back; both then hold ticket 0, run the turn at once, and the second save of the tracker
silently drops the first turn's events. ``tests/e2e/test_scale_out.py`` sends two turns of one
conversation to two servers at once and lost one in about one run in three.

Here every read-modify-write of a lock runs under a short Redis mutex (redis-py's ``Lock``: SET
NX with an expiry), so tickets are handed out one at a time across all servers. Waiting for the
turn itself is still Rasa's own ticket queue.

Selected by ``cunfa.bot_model.endpoints_file`` when ``CUNFA_LOCK_STORE_URL`` is set.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

#: A read-modify-write takes a few milliseconds; the expiry only matters if a server dies mid-way.
MUTEX_TIMEOUT_S = 5.0


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        # Rasa builds a lock store named by module path with ``endpoint_config`` only.
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    @contextmanager
    def _mutex(self, conversation_id: str) -> Iterator[None]:
        mutex = self.red.lock(
            f"{self.key_prefix}mutex:{conversation_id}", timeout=MUTEX_TIMEOUT_S, blocking_timeout=MUTEX_TIMEOUT_S
        )
        with mutex:
            yield

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: str) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # finish_serving, then delete if nobody waits: one step, or a ticket issued in between
        # could be deleted with the lock.
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)
