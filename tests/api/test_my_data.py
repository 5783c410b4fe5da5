"""Residents' rights through the HTTP API: a code to their own channel, a copy, a deletion request, staff erase."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.limits import SlidingWindowLimiter
from api.main import create_app
from api.routes import my_data as my_data_route
from cases import CaseIntake, open_store
from cases.models import AuditEntry, Case
from cases.staff import add_user
from cunfa.settings import Settings
from knowledge import KnowledgeBase
from tests.resident_codes import sent_code

PASSWORD = "correct horse battery"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path)


@pytest.fixture
def client(tiny_kb: KnowledgeBase, settings: Settings, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(my_data_route, "RESIDENT_LIMIT", SlidingWindowLimiter(limit=8, window_s=600))
    with open_store(settings.database).session() as session:
        add_user(session, username="admin1", role="admin", password=PASSWORD, display_name="admin1")
        add_user(session, username="med-a", role="mediator", password=PASSWORD, display_name="med-a")
        session.commit()
    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(503)))
    with TestClient(create_app(settings, knowledge=tiny_kb, http_client=http)) as c:
        yield c


def login(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_a_resident_gets_a_copy_asks_deletion_and_staff_erase_after_the_case_closes(
    client: TestClient, settings: Settings
) -> None:
    store = open_store(settings.database)
    number = store.create(
        CaseIntake(
            description="儿子不给生活费",
            channel="kiosk",
            requested="mediation",
            dispute_type="support_elderly",
            resident_name="孙老汉",
            phone="13700001111",
            conversation_id="kiosk:abc",
        )  # fmt: skip
    ).number
    ask = {"case_id": number, "phone_last4": "1111"}
    wrong = client.post("/v1/my-data/code", json={**ask, "phone_last4": "2222", "purpose": "view"})
    assert wrong.status_code == 404 and wrong.json()["error"]["code"] == "not_verified"
    sent = client.post("/v1/my-data/code", json={**ask, "purpose": "view"})
    assert sent.status_code == 202 and sent.json() == {"sent_via": "sms"}
    assert client.post("/v1/my-data", json={**ask, "code": "12345"}).status_code == 422
    copy = client.post("/v1/my-data", json={**ask, "code": sent_code(store, number)})
    assert copy.status_code == 200, copy.text
    assert copy.json()["resident_phone"] == "13700001111" and copy.json()["description"] == "儿子不给生活费"

    client.post("/v1/my-data/code", json={**ask, "purpose": "delete"})
    asked = client.post("/v1/my-data/deletion", json={**ask, "code": sent_code(store, number)})
    assert asked.status_code == 202 and "办理中" in asked.json()["held"]
    admin = login(client, "admin1")
    queue = client.get("/v1/deletion-requests", headers=admin).json()["requests"]
    assert [r["case_id"] for r in queue] == [number] and "办理中" in queue[0]["held"]
    assert client.get("/v1/deletion-requests", headers=login(client, "med-a")).status_code == 403
    refused = client.post(f"/v1/cases/{number}/erase", headers=admin)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "legal_hold"

    with store.session() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        case.status = "closed"
        session.commit()
    held = client.post(f"/v1/cases/{number}/legal-hold", json={"reason": "法院3月开庭，证据保留"}, headers=admin)
    assert held.status_code == 200
    assert "法院" in client.post(f"/v1/cases/{number}/erase", headers=admin).json()["error"]["message"]
    client.post(f"/v1/cases/{number}/legal-hold", json={"reason": None}, headers=admin)
    erased = client.post(f"/v1/cases/{number}/erase", headers=admin)
    assert erased.status_code == 200, erased.text
    assert store.get(number).resident_phone is None
    assert client.get("/v1/deletion-requests", headers=admin).json()["requests"] == []
    with store.session() as session:
        actions = [e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.case_number == number))]
    for action in ("resident_code_sent", "resident_access", "deletion_requested", "erase_refused", "erase"):
        assert action in actions, action


def test_tries_are_rate_limited_per_client(client: TestClient) -> None:
    body = {"case_id": "2026-GEN-000009", "phone_last4": "0000", "purpose": "view"}
    codes = [client.post("/v1/my-data/code", json=body).status_code for _ in range(9)]
    assert codes[:8] == [404] * 8 and codes[8] == 429
