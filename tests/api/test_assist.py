"""The hotline assist API through the real app: tiny real index, real SQLite case store, real tokens."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.main import create_app
from cases import open_store
from cases.models import AssistEvent, AuditEntry, Case
from cases.staff import add_user
from cunfa.settings import Settings
from knowledge import KnowledgeBase
from knowledge.answer import DISCLAIMER
from tests.conftest import TEST_DATA

PASSWORD = "correct horse battery"
WAGES = [
    {"speaker": "agent", "text": "您好，法律服务热线，请讲。"},
    {"speaker": "caller", "text": "包工头张三拖欠工资不给，欠了我们三万块，怎么办"},
    {"speaker": "agent", "text": "您怎么称呼？"},
    {"speaker": "caller", "text": "王大山"},
]
DANGER = [
    {"speaker": "caller", "text": "我老公又打我了，他拿着刀"},
    {"speaker": "agent", "text": "您现在安全吗？"},
    {"speaker": "caller", "text": "我跑出来了，现在没事了"},
]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, guides_dir=TEST_DATA / "guides", emergency_contacts="镇派出所 0371-12345678")


def _users(settings: Settings) -> None:
    with open_store(settings.database).session() as session:
        for name, role in (("agent1", "hotline"), ("admin1", "admin"), ("med-a", "mediator")):
            add_user(session, username=name, role=role, password=PASSWORD)
        session.commit()


def _client(settings: Settings, knowledge: KnowledgeBase | None) -> TestClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(503)))
    return TestClient(create_app(settings, knowledge=knowledge, http_client=http, run_background=False))


@pytest.fixture
def client(tiny_kb: KnowledgeBase, settings: Settings):
    _users(settings)
    with _client(settings, tiny_kb) as c:
        yield c


def login(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def events(settings: Settings, **where: str) -> list[AssistEvent]:
    with open_store(settings.database).session() as session:
        query = select(AssistEvent).order_by(AssistEvent.id)
        for key, value in where.items():
            query = query.where(getattr(AssistEvent, key) == value)
        return list(session.scalars(query))


def assert_error(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


def test_assist_returns_the_contract_and_records_what_was_shown(client: TestClient, settings: Settings) -> None:
    agent = login(client, "agent1")
    response = client.post("/v1/assist", json={"call_id": "call-1", "transcript": WAGES}, headers=agent)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {
        "call_id", "suggestions", "suggestion_ids", "reply_drafts", "draft_ids", "dispute_type",
        "dispute_type_label", "risk_level", "risk_cues", "case_draft", "handoff", "emergency_case", "latency_ms",
    }  # fmt: skip
    assert body["emergency_case"] is None
    assert body["call_id"] == "call-1"
    assert body["suggestions"] and len(body["suggestion_ids"]) == len(body["suggestions"])
    assert body["suggestion_ids"][0] == body["suggestions"][0]["citation"]
    assert all("village_id" not in hit for hit in body["suggestions"] if hit["source"] == "statute")
    assert "劳动法" in body["suggestions"][0]["citation"]
    assert len(body["draft_ids"]) == len(body["reply_drafts"]) and 1 <= len(body["reply_drafts"]) <= 3
    assert body["draft_ids"][0].startswith("answer:") and body["reply_drafts"][0].endswith(DISCLAIMER)
    assert (body["dispute_type"], body["dispute_type_label"]) == ("wage_arrears", "欠薪劳动")
    assert body["risk_level"] == "none" and body["risk_cues"] == []
    assert body["case_draft"] == {
        "name": "王大山",
        "dispute_type": "wage_arrears",
        "counterparty": "包工头张三",
        "summary": "包工头张三拖欠工资不给，欠了我们三万块，怎么办。",
        "amount": "30000元",
    }
    assert body["handoff"]["handler_role"] == "lawyer"
    assert isinstance(body["latency_ms"], float) and body["latency_ms"] >= 0  # speed is benched, not tested

    shown = events(settings, kind="shown")
    assert len(shown) == 1 and shown[0].agent == "agent1"
    assert shown[0].detail["suggestion_ids"] == body["suggestion_ids"]
    # The page re-sends the same transcript: nothing new was shown, nothing new is recorded.
    client.post("/v1/assist", json={"call_id": "call-1", "transcript": WAGES}, headers=agent)
    assert len(events(settings, kind="shown")) == 1


def test_fields_are_null_not_missing_when_unknown(client: TestClient) -> None:
    body = client.post(
        "/v1/assist",
        json={"call_id": "call-2", "transcript": [{"speaker": "caller", "text": "喂，你好"}]},
        headers=login(client, "agent1"),
    ).json()
    assert body["dispute_type"] is None and body["dispute_type_label"] is None and body["handoff"] is None
    assert body["case_draft"] == {} and body["suggestions"] == [] and body["draft_ids"] == ["greeting"]


def test_emergency_puts_110_first_and_risk_never_drops(client: TestClient) -> None:
    agent = login(client, "agent1")
    body = client.post("/v1/assist", json={"call_id": "call-3", "transcript": DANGER}, headers=agent).json()
    assert body["risk_level"] == "emergency"
    assert body["draft_ids"][0] == "emergency"
    assert "110" in body["reply_drafts"][0] and "120" in body["reply_drafts"][0]
    assert "镇派出所 0371-12345678" in body["reply_drafts"][0]
    assert body["handoff"]["handler_role"] == "emergency"
    assert "emergency:weapon" in body["risk_cues"]


def test_feedback_is_recorded_once_and_must_name_something_shown(client: TestClient, settings: Settings) -> None:
    agent = login(client, "agent1")
    shown = client.post("/v1/assist", json={"call_id": "call-4", "transcript": WAGES}, headers=agent).json()
    used = {"call_id": "call-4", "kind": "suggestion_used", "ref": shown["suggestion_ids"][0]}
    first = client.post("/v1/assist/feedback", json=used, headers=agent)
    assert first.status_code == 201 and first.json()["duplicate"] is False
    again = client.post("/v1/assist/feedback", json=used, headers=agent)
    assert again.status_code == 201 and again.json()["duplicate"] is True
    draft = {"call_id": "call-4", "kind": "draft_used", "ref": shown["draft_ids"][0]}
    assert client.post("/v1/assist/feedback", json=draft, headers=agent).status_code == 201
    assert len(events(settings, kind="suggestion_used")) == 1 and len(events(settings, kind="draft_used")) == 1

    wrong_kind = {**used, "kind": "draft_used"}  # a suggestion id is not a draft id
    assert_error(client.post("/v1/assist/feedback", json=wrong_kind, headers=agent), 422, "unknown_ref")
    unknown_call = {**used, "call_id": "never-seen"}
    assert_error(client.post("/v1/assist/feedback", json=unknown_call, headers=agent), 404, "not_found")
    bad_kind = {**used, "kind": "liked"}
    assert_error(client.post("/v1/assist/feedback", json=bad_kind, headers=agent), 422, "invalid_request")


def test_filing_from_the_draft_happens_once_per_call(client: TestClient, settings: Settings) -> None:
    agent = login(client, "agent1")
    shown = client.post("/v1/assist", json={"call_id": "call-5", "transcript": WAGES}, headers=agent).json()
    draft = {**shown["case_draft"], "phone": "幺三八 1234 5678", "village": "青石湾村"}
    request = {"call_id": "call-5", "case_draft": draft}
    first = client.post("/v1/assist/case", json=request, headers=agent)
    assert first.status_code == 201, first.text
    receipt = first.json()
    assert receipt["call_id"] == "call-5" and receipt["handler_role"] == "lawyer"
    assert receipt["dispute_type"] == "wage_arrears" and receipt["contact_promise"]
    second = client.post("/v1/assist/case", json=request, headers=agent)  # a double click
    assert second.status_code == 201 and second.json()["case_id"] == receipt["case_id"]

    with open_store(settings.database).session() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1
        case = session.scalar(select(Case))
        assert case.number == receipt["case_id"] and case.channel == "hotline" and case.filed_by == "agent1"
        assert case.resident_phone == "13812345678" and case.resident_name == "王大山"
        assert case.requested == "report" and case.amount == "30000元" and case.counterparty == "包工头张三"
        assert [line["text"] for line in case.context["transcript"]] == [line["text"] for line in WAGES]
        assert case.context["citations"][0]["citation"] == shown["suggestion_ids"][0]
        audits = session.scalars(select(AuditEntry).where(AuditEntry.action == "file_case")).all()
        assert [a.case_number for a in audits] == [receipt["case_id"]]
    assert [e.ref for e in events(settings, kind="case_filed")] == [receipt["case_id"]]


def test_filing_without_name_or_phone_is_a_clear_422(client: TestClient, settings: Settings) -> None:
    agent = login(client, "agent1")
    request = {"call_id": "call-6", "case_draft": {"summary": "邻居占了俺家宅基地"}}
    error = assert_error(client.post("/v1/assist/case", json=request, headers=agent), 422, "invalid_case")
    assert "case_draft.name and case_draft.phone are required" in error["message"]
    request["case_draft"] = {"name": "王大山", "phone": "12345", "summary": "邻居占了俺家宅基地"}
    error = assert_error(client.post("/v1/assist/case", json=request, headers=agent), 422, "invalid_case")
    assert "not a valid phone number" in error["message"]
    with open_store(settings.database).session() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0


def test_an_emergency_call_files_without_contact_details_and_keeps_its_risk(client: TestClient) -> None:
    agent = login(client, "agent1")
    client.post("/v1/assist", json={"call_id": "call-7", "transcript": DANGER}, headers=agent)
    request = {"call_id": "call-7", "case_draft": {"summary": "已经没事了", "dispute_type": "other"}}
    response = client.post("/v1/assist/case", json=request, headers=agent)
    assert response.status_code == 201, response.text
    assert response.json()["risk_level"] == "emergency" and response.json()["handler_role"] == "emergency"


def test_usage_is_for_admins(client: TestClient) -> None:
    agent, admin = login(client, "agent1"), login(client, "admin1")
    shown = client.post("/v1/assist", json={"call_id": "call-8", "transcript": WAGES}, headers=agent).json()
    used = {"call_id": "call-8", "kind": "draft_used", "ref": shown["draft_ids"][0]}
    client.post("/v1/assist/feedback", json=used, headers=agent)
    assert_error(client.get("/v1/assist/usage", headers=agent), 403, "forbidden")
    usage = client.get("/v1/assist/usage", headers=admin).json()
    assert usage["counts"] == {"shown": 1, "suggestion_used": 0, "draft_used": 1, "case_filed": 0}
    assert usage["drafts"]["used"] == 1 and usage["drafts"]["shown"] == len(shown["draft_ids"])
    assert usage["drafts_by_kind"]["answer"]["used_shown_ratio"] == 1.0
    assert usage["used_shown_ratio"] == round(1 / (len(shown["draft_ids"]) + len(shown["suggestion_ids"])), 4)
    assert client.get("/v1/assist/usage?days=1", headers=admin).json()["counts"]["shown"] == 1
    assert_error(client.get("/v1/assist/usage?days=0", headers=admin), 422, "invalid_request")


def test_staff_token_and_role_are_required(client: TestClient) -> None:
    body = {"call_id": "call-9", "transcript": WAGES}
    assert_error(client.post("/v1/assist", json=body), 401, "unauthorized")
    assert_error(client.post("/v1/assist", json=body, headers={"Authorization": "Bearer forged"}), 401, "unauthorized")
    mediator = login(client, "med-a")
    assert_error(client.post("/v1/assist", json=body, headers=mediator), 403, "forbidden")
    case = {"call_id": "call-9", "case_draft": {}}
    assert_error(client.post("/v1/assist/case", json=case, headers=mediator), 403, "forbidden")
    assert client.post("/v1/assist", json=body, headers=login(client, "admin1")).status_code == 200


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"call_id": "c", "transcript": []}, "transcript"),
        ({"call_id": "c", "transcript": [{"speaker": "caller", "text": "x"}] * 201}, "transcript"),
        ({"call_id": "c", "transcript": [{"speaker": "caller", "text": "长" * 2001}]}, "text"),
        ({"call_id": "c", "transcript": [{"speaker": "robot", "text": "hi"}]}, "speaker"),
        ({"call_id": "bad id!", "transcript": [{"speaker": "caller", "text": "hi"}]}, "call_id"),
        (
            {"call_id": "c", "village_id": "Not Valid", "transcript": [{"speaker": "caller", "text": "hi"}]},
            "village_id",
        ),
        ({"transcript": [{"speaker": "caller", "text": "hi"}]}, "call_id"),
    ],
)
def test_bad_requests_are_422_with_the_field_named(client: TestClient, body: dict, where: str) -> None:
    error = assert_error(client.post("/v1/assist", json=body, headers=login(client, "agent1")), 422, "invalid_request")
    assert where in error["message"]


def test_assist_still_helps_while_the_index_loads(settings: Settings, tmp_path: Path) -> None:
    _users(settings)
    with _client(settings, None) as c:  # no index in this data directory: it never loads
        body = c.post("/v1/assist", json={"call_id": "c10", "transcript": DANGER}, headers=login(c, "agent1")).json()
    assert body["suggestions"] == [] and body["draft_ids"][0] == "emergency" and body["risk_level"] == "emergency"


def test_openapi_documents_every_assist_route(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path, method in (
        ("/v1/assist", "post"),
        ("/v1/assist/feedback", "post"),
        ("/v1/assist/case", "post"),
        ("/v1/assist/usage", "get"),
    ):
        operation = spec["paths"][path][method]
        assert operation["summary"] and operation["description"]
        assert "422" in operation["responses"] and "401" in operation["responses"]
    assert "AssistResponse" in spec["components"]["schemas"]
