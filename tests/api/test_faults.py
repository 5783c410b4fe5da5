"""The gateway's answer when part of the assistant fails: never a 500, never silence."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from cunfa.settings import Settings
from knowledge import KnowledgeBase

TRACKER = {"latest_message": {"intent": {"name": "ask_legal_question", "confidence": 0.97}}, "slots": {}}


def rasa_with(webhook: Callable[[httpx.Request], httpx.Response]) -> Callable[[httpx.Request], httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/webhooks/cunfa/webhook":
            response = webhook(request)
            if response.status_code == 200 and isinstance(response.json(), list):
                return httpx.Response(200, json={"messages": response.json(), "tracker": TRACKER})
            return response
        return httpx.Response(404)

    return handle


@pytest.fixture
def make_client(tiny_kb: KnowledgeBase, tmp_path) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(handler, **overrides: object) -> TestClient:
        transport = handler if isinstance(handler, httpx.AsyncBaseTransport) else httpx.MockTransport(handler)
        http = httpx.AsyncClient(transport=transport)
        settings = Settings(rasa_token="tok", data_dir=tmp_path, **overrides)
        client = TestClient(create_app(settings, knowledge=tiny_kb, http_client=http, run_background=False))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def test_action_server_down_means_rasa_says_nothing_and_the_gateway_answers(make_client) -> None:
    # What Rasa 3.6 really does when a custom action cannot be reached: logs it, answers 200 [].
    client = make_client(rasa_with(lambda _: httpx.Response(200, json=[])))
    body = client.post("/v1/chat", json={"user_id": "u", "text": "拖欠劳动报酬怎么办"}).json()
    assert body["degraded"] is True
    assert body["replies"] and body["replies"][0]["text"].strip()


def test_action_server_down_during_danger_still_gives_110(make_client) -> None:
    client = make_client(rasa_with(lambda _: httpx.Response(200, json=[])))
    body = client.post("/v1/chat", json={"user_id": "u", "text": "他拿着刀要砍死我"}).json()
    assert body["risk_level"] == "emergency"
    assert "110" in body["replies"][0]["text"]
    assert body["case"] and body["case"]["case_id"]


@pytest.mark.parametrize("status", [500, 502, 503])
def test_rasa_error_status_is_answered_in_degraded_mode(make_client, status: int) -> None:
    client = make_client(rasa_with(lambda _: httpx.Response(status, text="boom")))
    response = client.post("/v1/chat", json={"user_id": "u", "text": "你好"})
    assert response.status_code == 200
    assert response.json()["degraded"] is True


def test_a_hung_rasa_is_given_up_on_within_the_timeout(make_client) -> None:
    class Hang(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            await asyncio.sleep(30)
            return httpx.Response(200, json=[])

    client = make_client(Hang(), rasa_timeout_s=0.5)
    response = client.post("/v1/chat", json={"user_id": "u", "text": "他拿着刀要砍死我"})
    assert response.status_code == 200
    assert response.json()["degraded"] is True and "110" in response.json()["replies"][0]["text"]


def test_an_unexpected_error_keeps_the_error_shape(make_client, monkeypatch: pytest.MonkeyPatch) -> None:
    import api.routes.chat as chat_route

    async def explode(*_: object) -> dict:
        raise RuntimeError("bug")

    monkeypatch.setattr(chat_route, "answer_turn", explode)
    client = make_client(rasa_with(lambda _: httpx.Response(200, json=[])))
    client_no_raise = TestClient(client.app, raise_server_exceptions=False)
    response = client_no_raise.post("/v1/chat", json={"user_id": "u", "text": "你好"})
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "12348" in response.json()["error"]["message"]
