"""API routes over a real tiny index; Rasa is played by httpx.MockTransport (no network here)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from cunfa.settings import Settings
from knowledge import KnowledgeBase

Handler = Callable[[httpx.Request], httpx.Response]


def rasa_stub(messages: list[dict], tracker: dict, seen: list[httpx.Request]) -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/webhooks/cunfa/webhook":
            return httpx.Response(200, json={"messages": messages, "tracker": tracker})
        if request.url.path == "/status":
            return httpx.Response(200, json={"model_file": "bot.tar.gz"})
        if request.url.path == "/webhook":
            assert json.loads(request.content)["next_action"] == "action_knowledge_status"
            return httpx.Response(200, json={"events": [], "responses": [{"custom": {"knowledge_ready": True}}]})
        return httpx.Response(404)

    return handle


@pytest.fixture
def make_client(tiny_kb: KnowledgeBase, tmp_path) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(handler: Handler, knowledge: KnowledgeBase | None = tiny_kb) -> TestClient:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        settings = Settings(rasa_token="tok", data_dir=tmp_path)
        client = TestClient(create_app(settings, knowledge=knowledge, http_client=http))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


TRACKER = {
    "latest_message": {"intent": {"name": "ask_legal_question", "confidence": 0.93}},
    "slots": {"risk_level": "none", "case": None},
}


class TestChat:
    def test_maps_custom_payload_and_text_replies(self, make_client) -> None:
        seen: list[httpx.Request] = []
        citation = {
            "source": "statute",
            "citation": "中华人民共和国民法典第一千零八十五条",
            "title": "中华人民共和国民法典",
            "article": "第一千零八十五条",
            "text": "离婚后……",
            "score": 3.2,
        }
        messages = [
            {
                "recipient_id": "web:u1",
                "custom": {
                    "text": "找到这些规定",
                    "citations": [citation],
                    "buttons": [{"title": "找律师", "payload": "/request_lawyer"}],
                },
            },
            {"recipient_id": "web:u1", "text": "还有别的问题吗？"},
        ]
        client = make_client(rasa_stub(messages, TRACKER, seen))
        response = client.post("/v1/chat", json={"user_id": "u1", "text": "离婚孩子抚养费", "village_id": "v1"})
        assert response.status_code == 200
        body = response.json()
        assert body["intent"] == {"name": "ask_legal_question", "confidence": 0.93}
        assert body["risk_level"] == "none" and body["case"] is None
        assert body["replies"][0]["citations"][0]["citation"] == citation["citation"]
        assert body["replies"][0]["buttons"] == [{"title": "找律师", "payload": "/request_lawyer"}]
        assert body["replies"][1] == {"text": "还有别的问题吗？", "citations": [], "buttons": []}
        sent = json.loads(seen[0].content)
        assert sent == {
            "sender": "web:u1",
            "message": "离婚孩子抚养费",
            "metadata": {"village_id": "v1", "channel": "web", "user_id": "u1"},
        }
        assert seen[0].url.params["token"] == "tok"
        assert len(seen) == 1, "messages and outcome come back in one request"

    def test_a_topic_button_travels_to_the_bot_in_the_metadata(self, make_client) -> None:
        seen: list[httpx.Request] = []
        client = make_client(rasa_stub([], TRACKER, seen))
        body = {"user_id": "u1", "text": "儿女不赡养老人怎么办", "channel": "kiosk", "topic": "support_elderly"}
        assert client.post("/v1/chat", json=body).status_code == 200
        assert json.loads(seen[0].content)["metadata"]["topic"] == "support_elderly"

    def test_unsafe_user_ids_are_hashed_into_the_sender(self, make_client) -> None:
        seen: list[httpx.Request] = []
        client = make_client(rasa_stub([], TRACKER, seen))
        client.post("/v1/chat", json={"user_id": "../../状态?x=1", "text": "你好", "channel": "wechat"})
        sender = json.loads(seen[0].content)["sender"]
        assert sender.startswith("wechat:h-") and "/" not in sender

    def test_emergency_risk_comes_from_the_tracker(self, make_client) -> None:
        tracker = {
            "latest_message": {"intent": {"name": "emergency", "confidence": 0.99}},
            "slots": {"risk_level": "emergency"},
        }
        client = make_client(rasa_stub([{"text": "请马上拨打110"}], tracker, []))
        assert client.post("/v1/chat", json={"user_id": "u", "text": "他要砍人"}).json()["risk_level"] == "emergency"

    @pytest.mark.parametrize(
        "payload",
        [
            {"user_id": "u", "text": "   "},
            {"user_id": "", "text": "你好"},
            {"user_id": "u", "text": "你好", "channel": "fax"},
            {"user_id": "u", "text": "你好", "topic": "alimony"},
            {"user_id": "u", "text": "x" * 20_001},
            {"user_id": "u", "text": "\u0000\u0007\u200b"},
            {"text": "你好"},
        ],
    )
    def test_bad_input_is_a_clear_422(self, make_client, payload: dict) -> None:
        client = make_client(rasa_stub([], TRACKER, []))
        response = client.post("/v1/chat", json=payload)
        assert response.status_code == 422
        assert set(response.json()["error"]) == {"code", "message"}

    @staticmethod
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    def test_rasa_down_still_answers_and_says_so(self, make_client) -> None:
        response = make_client(self.down).post("/v1/chat", json={"user_id": "u", "text": "你好"})
        assert response.status_code == 200
        body = response.json()
        assert (
            body["degraded"] is True and "故障" in body["replies"][0]["text"] and "12348" in body["replies"][0]["text"]
        )

    def test_rasa_down_legal_question_gets_cited_articles(self, make_client) -> None:
        response = make_client(self.down).post("/v1/chat", json={"user_id": "u", "text": "离婚以后孩子的抚养费谁出"})
        body = response.json()
        assert response.status_code == 200 and body["degraded"] is True
        reply = body["replies"][0]
        assert reply["citations"] and reply["citations"][0]["source"] == "statute"
        assert "故障" in reply["text"] and reply["text"].endswith("12348公共法律服务热线。")

    def test_rasa_down_danger_still_gets_110_and_a_case(self, make_client, tmp_path) -> None:
        from cases import open_store
        from cunfa.settings import Settings as S

        response = make_client(self.down).post(
            "/v1/chat", json={"user_id": "u", "text": "他拿着刀说要砍死我", "channel": "hotline"}
        )
        body = response.json()
        assert response.status_code == 200 and body["risk_level"] == "emergency"
        assert "110" in body["replies"][0]["text"]
        case = open_store(S(data_dir=tmp_path).database).get(body["case"]["case_id"])
        assert case.handler_role == "emergency" and case.channel == "hotline" and case.filed_by == "gateway"


class TestSearch:
    def test_returns_hits_in_contract_shape(self, make_client) -> None:
        client = make_client(rasa_stub([], TRACKER, []))
        response = client.get("/v1/search", params={"q": "离婚后孩子抚养费", "k": 2, "source": "statute"})
        assert response.status_code == 200
        hits = response.json()["hits"]
        assert len(hits) == 2 and hits[0]["source"] == "statute"
        assert set(hits[0]) == {"source", "citation", "title", "article", "text", "score"}

    @pytest.mark.parametrize(
        "params", [{"q": ""}, {"q": "工资", "k": 0}, {"q": "工资", "k": 1000}, {"q": "工资", "source": "law"}]
    )
    def test_bad_parameters_are_422(self, make_client, params: dict) -> None:
        client = make_client(rasa_stub([], TRACKER, []))
        response = client.get("/v1/search", params=params)
        assert response.status_code == 422
        assert "error" in response.json()


class TestHealth:
    def test_healthz_and_ready_when_everything_answers(self, make_client) -> None:
        client = make_client(rasa_stub([], TRACKER, []))
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"rasa": True, "actions": True, "knowledge": True}

    def test_not_ready_while_the_action_server_loads_its_index(self, make_client) -> None:
        def loading(request: httpx.Request) -> httpx.Response:
            if request.url.path == "/webhook":
                return httpx.Response(200, json={"responses": [{"custom": {"knowledge_ready": False}}]})
            return httpx.Response(200, json={"model_file": "bot.tar.gz"})

        ready = make_client(loading).get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["actions"] is False

    def test_not_ready_while_rasa_has_no_model(self, make_client) -> None:
        def no_model(request: httpx.Request) -> httpx.Response:
            if request.url.path == "/status":
                return httpx.Response(200, json={})
            return httpx.Response(200, json={"status": "ok"})

        ready = make_client(no_model).get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["rasa"] is False

    def test_not_ready_without_an_index(self, make_client, tmp_path, monkeypatch) -> None:
        monkeypatch.setenv("CUNFA_DATA_DIR", str(tmp_path))
        client = make_client(rasa_stub([], TRACKER, []), knowledge=None)
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["knowledge"] is False
        assert client.get("/v1/search", params={"q": "工资"}).json()["error"]["code"] == "index_not_ready"

    def test_unknown_path_uses_the_error_shape(self, make_client) -> None:
        response = make_client(rasa_stub([], TRACKER, [])).get("/nope")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_openapi_documents_the_public_routes(make_client) -> None:
    spec = make_client(rasa_stub([], TRACKER, [])).get("/openapi.json").json()
    assert {"/v1/chat", "/v1/search", "/healthz", "/readyz"} <= set(spec["paths"])
    chat_schema = spec["components"]["schemas"]["ChatRequest"]
    assert chat_schema["properties"]["channel"]["enum"] == ["kiosk", "web", "hotline", "wechat"]
