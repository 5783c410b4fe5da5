"""Two Rasa servers asking for a ticket on one conversation at the same moment get different ones."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from rasa.core.lock_store import RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from rasa_components.lock_store import AtomicRedisLockStore
from tests.aio import run_async

redis = pytest.importorskip("redis")


@pytest.fixture(scope="module")
def redis_db() -> int:
    try:
        redis.StrictRedis(host="127.0.0.1", port=6379, db=7, socket_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379 (the scale-out tests install one)")
    return 7


def slow_reader(base: type[RedisLockStore]) -> type[RedisLockStore]:
    """Widens the window between reading a lock and writing it back, as a busy server would."""

    class Slow(base):  # type: ignore[misc, valid-type]
        def get_or_create_lock(self, conversation_id: str):
            lock = super().get_or_create_lock(conversation_id)
            time.sleep(0.05)
            return lock

    return Slow


def tickets_from_two_servers(store_class: type[RedisLockStore], db: int) -> list[int]:
    conversation = f"web:lock-{uuid.uuid4().hex}"
    servers = [store_class(host="127.0.0.1", port=6379, db=db, key_prefix="cunfatest") for _ in range(2)]
    tickets: list[int] = []
    threads = [threading.Thread(target=lambda s=s: tickets.append(s.issue_ticket(conversation))) for s in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    servers[0].delete_lock(conversation)
    return sorted(tickets)


def test_rasas_own_store_hands_out_the_same_ticket_twice(redis_db: int) -> None:
    """The bug this store exists for; if Rasa ever fixes it, this test says so."""
    assert tickets_from_two_servers(slow_reader(RedisLockStore), redis_db) == [0, 0]


def test_tickets_are_issued_one_at_a_time(redis_db: int) -> None:
    assert tickets_from_two_servers(slow_reader(AtomicRedisLockStore), redis_db) == [0, 1]


def test_turns_still_run_one_after_the_other(redis_db: int) -> None:
    store = AtomicRedisLockStore(EndpointConfig(url="127.0.0.1", port=6379, db=redis_db, key_prefix="cunfatest"))
    conversation = f"web:lock-{uuid.uuid4().hex}"

    async def first_turn() -> int:
        async with store.lock(conversation) as lock:
            assert lock.now_serving == 0
            second = store.issue_ticket(conversation)
            assert store.get_lock(conversation).is_locked(second)
        return second

    second = run_async(first_turn())
    assert not store.get_lock(conversation).is_locked(second), "the first turn's ticket was released"
    store.cleanup(conversation, second)
    assert store.get_lock(conversation) is None
