"""Several Rasa servers behind the gateway: turns alternate, a refused connection fails over."""

from __future__ import annotations

import httpx
import pytest

from api.rasa_client import RasaClient, RasaUnavailable


def recording(refuse: set[str] = frozenset(), fail: set[str] = frozenset()):
    hosts: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        host = f"{request.url.host}:{request.url.port}"
        hosts.append(host)
        if host in refuse:
            raise httpx.ConnectError("refused", request=request)
        if host in fail:
            raise httpx.ReadTimeout("slow", request=request)
        if request.url.path == "/status":
            return httpx.Response(200, json={"model_file": host})
        return httpx.Response(200, json={"messages": [{"text": host}], "tracker": {}})

    return hosts, httpx.AsyncClient(transport=httpx.MockTransport(handle))


async def test_turns_alternate_between_servers() -> None:
    hosts, http = recording()
    client = RasaClient(http, "http://a:1,http://b:2/")
    for _ in range(4):
        await client.send_turn("s", "你好", {})
    assert hosts == ["a:1", "b:2", "a:1", "b:2"]


async def test_a_refused_server_is_skipped_for_that_turn() -> None:
    hosts, http = recording(refuse={"a:1"})
    client = RasaClient(http, ["http://a:1", "http://b:2"])
    assert (await client.send_turn("s", "你好", {}))["messages"] == [{"text": "b:2"}]
    assert hosts == ["a:1", "b:2"]


async def test_a_timeout_is_not_retried_elsewhere() -> None:
    """The turn may have run on the slow server; running it again elsewhere could file twice."""
    hosts, http = recording(fail={"a:1"})
    client = RasaClient(http, ["http://a:1", "http://b:2"])
    with pytest.raises(RasaUnavailable, match="a:1"):
        await client.send_turn("s", "你好", {})
    assert hosts == ["a:1"]


async def test_all_refused_is_unavailable() -> None:
    _, http = recording(refuse={"a:1", "b:2"})
    with pytest.raises(RasaUnavailable, match="no Rasa server"):
        await RasaClient(http, "http://a:1,http://b:2").status()


def test_needs_a_url() -> None:
    with pytest.raises(ValueError):
        RasaClient(httpx.AsyncClient(), " , ")


async def test_an_answer_without_messages_is_unavailable() -> None:
    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200, json=[{"text": "hi"}])))
    with pytest.raises(RasaUnavailable, match="message list"):
        await RasaClient(http, "http://a:1").send_turn("s", "你好", {})
