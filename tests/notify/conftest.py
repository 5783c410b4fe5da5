from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.notify.providers import Providers, serve


@pytest.fixture
def providers() -> Iterator[Providers]:
    """WeCom, DingTalk, the WeChat API and a webhook receiver on 127.0.0.1 (tests/notify/providers.py)."""
    fake, server = serve()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
