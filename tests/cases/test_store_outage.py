"""A database that drops out for a moment: filing waits it out and nothing confirmed is lost.

PostgreSQL is reached through a TCP relay the test can cut, so the outage is a real one at
the network level (connections reset, then refused), not a patched function.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import select

from cases import CaseIntake, CaseStore, StoreUnavailable
from cases.models import Case


class Relay:
    """Forwards TCP to ``target``; while down it closes every connection at once, old and new."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.up = threading.Event()
        self.up.set()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if not self.up.is_set():
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.close()
                except OSError:
                    pass

    def go_down(self) -> None:
        self.up.clear()
        with self._lock:
            for s in self._open:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                    s.close()
                except OSError:
                    pass
            self._open.clear()

    def close(self) -> None:
        self._server.close()
        self.go_down()


def _via(url: str, port: int) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host))


def _intake(n: int) -> CaseIntake:
    return CaseIntake(
        description=f"邻居占了我家的路，第{n}次",
        channel="web",
        resident_name="王秀英",
        phone="13812345678",
        dispute_type="neighbor",
        requested="mediation",
        village_id="sample-qingshiwan",
        idempotency_key=f"outage-test-{n}",
    )


#: The relay cuts a TCP connection; SQLite has none, so these run on PostgreSQL only.
pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture
def relayed(database_url: str):
    parts = urlsplit(database_url)
    relay = Relay((parts.hostname or "127.0.0.1", parts.port or 5432))
    yield relay, _via(database_url, relay.port)
    relay.close()


def test_a_brief_outage_is_waited_out_and_the_case_is_filed(relayed, caplog: pytest.LogCaptureFixture) -> None:
    relay, url = relayed
    store = CaseStore(url, attempts=5, backoff_s=0.2)
    store.create(_intake(1))  # warm: pooled connections now exist and will be reset
    relay.go_down()
    threading.Timer(0.7, relay.up.set).start()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="cases.store"):
        receipt = store.create(_intake(2))
    assert time.monotonic() - started >= 0.2, "the first attempt cannot have succeeded while the relay was down"
    assert any("retrying" in r.getMessage() for r in caplog.records)
    with store.session() as session:
        stored = session.scalar(select(Case).where(Case.number == receipt.number))
        assert stored is not None and stored.description == "邻居占了我家的路，第2次"
    # The retry did not file it twice.
    assert store.create(_intake(2)).number == receipt.number


def test_a_long_outage_ends_in_store_unavailable_not_a_hang(relayed) -> None:
    relay, url = relayed
    store = CaseStore(url, attempts=3, backoff_s=0.05)
    relay.go_down()
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):
        store.create(_intake(3))
    assert time.monotonic() - started < 10
    relay.up.set()
    assert store.create(_intake(3)).number
