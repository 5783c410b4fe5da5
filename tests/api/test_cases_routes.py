"""The staff case API: login, roles, masking, lifecycle, audit, and the resident status lookup."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.limits import SlidingWindowLimiter
from api.main import create_app
from api.routes import cases as cases_route
from cases import CaseIntake, open_store
from cases.models import AuditEntry
from cases.staff import add_roster_entry, add_user
from cunfa.settings import Settings
from knowledge import KnowledgeBase

PASSWORD = "correct horse battery"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path)


@pytest.fixture
def client(tiny_kb: KnowledgeBase, settings: Settings, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cases_route, "STATUS_LIMIT", SlidingWindowLimiter(limit=3, window_s=600))
    store = open_store(settings.database)
    with store.session() as session:
        for name, role in (
            ("admin1", "admin"),
            ("med-a", "mediator"),
            ("med-b", "mediator"),
            ("grid-1", "grid_worker"),
        ):
            user = add_user(session, username=name, role=role, password=PASSWORD, display_name=name)
            if role == "mediator":
                add_roster_entry(session, user=user, handler_role="mediator", village_id="v1")
        session.commit()
    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(503)))
    with TestClient(create_app(settings, knowledge=tiny_kb, http_client=http)) as c:
        yield c


def login(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def file(settings: Settings, **overrides: object) -> str:
    fields: dict[str, object] = {
        "description": "邻居占了俺家宅基地，电话13812345678找我", "channel": "wechat", "requested": "mediation",
        "dispute_type": "homestead", "resident_name": "王大山", "phone": "13912345678", "village_id": "v1",
        "counterparty": "李四", "transcript": ({"speaker": "resident", "text": "我电话13912345678"},),
    }  # fmt: skip
    fields.update(overrides)
    return open_store(settings.database).create(CaseIntake(**fields)).number  # type: ignore[arg-type]


def test_login_rejects_wrong_passwords(client: TestClient) -> None:
    response = client.post("/v1/auth/token", json={"username": "med-a", "password": "nope-nope"})
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"
    assert client.get("/v1/cases").status_code == 401
    assert client.get("/v1/cases", headers={"Authorization": "Bearer forged.token.here"}).status_code == 401


def test_mediator_works_an_assigned_case_end_to_end(client: TestClient, settings: Settings) -> None:
    number = file(settings)
    admin, med_a, med_b = login(client, "admin1"), login(client, "med-a"), login(client, "med-b")
    assert client.post(f"/v1/cases/{number}/transitions", json={"to": "assessed"}, headers=admin).status_code == 200
    assigned = client.post(f"/v1/cases/{number}/assign", json={}, headers=admin).json()
    owner, other = (med_a, med_b) if assigned["assignee"] == "med-a" else (med_b, med_a)
    detail = client.get(f"/v1/cases/{number}", headers=owner).json()
    assert detail["resident_phone"] == "13912345678" and detail["personal_data_masked"] is False
    assert detail["transcript"][0]["text"] == "我电话13912345678"
    assert client.get(f"/v1/cases/{number}", headers=other).status_code == 404  # not theirs: not revealed
    assert [c["case_id"] for c in client.get("/v1/cases", headers=owner).json()["cases"]] == [number]
    for target in ("in_progress", "resolved", "follow_up"):
        response = client.post(f"/v1/cases/{number}/transitions", json={"to": target}, headers=owner)
        assert response.status_code == 200, response.text
    bad = client.post(f"/v1/cases/{number}/transitions", json={"to": "closed"}, headers=owner)
    assert bad.status_code == 409 and "satisfaction" in bad.json()["error"]["message"]
    closed = client.post(f"/v1/cases/{number}/transitions", json={"to": "closed", "satisfaction": 4}, headers=owner)
    assert closed.json()["status"] == "closed" and closed.json()["satisfaction"] == 4
    with open_store(settings.database).session() as session:
        actions = [e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.case_number == number))]
    assert "read_case" in actions and actions.count("transition") == 5 and "assign" in actions


def test_grid_worker_files_and_sees_masked_data_only_for_others(client: TestClient, settings: Settings) -> None:
    grid = login(client, "grid-1")
    response = client.post(
        "/v1/cases",
        json={"resident_name": "孙老汉", "phone": "13700001111", "village_id": "v1", "dispute_type": "support_elderly",
              "description": "儿子不给生活费", "requested": "mediation"},
        headers=grid,
    )  # fmt: skip
    assert response.status_code == 201, response.text
    number = response.json()["case_id"]
    detail = client.get(f"/v1/cases/{number}", headers=grid).json()
    assert detail["resident_phone"] == "137****1111" and detail["resident_name"] == "孙**"
    assert detail["personal_data_masked"] is True
    assert client.post(f"/v1/cases/{number}/transitions", json={"to": "assessed"}, headers=grid).status_code == 403
    assert client.post(f"/v1/cases/{number}/assign", json={}, headers=grid).status_code == 403


def test_illegal_transition_is_a_409(client: TestClient, settings: Settings) -> None:
    number = file(settings)
    response = client.post(f"/v1/cases/{number}/transitions", json={"to": "closed"}, headers=login(client, "admin1"))
    assert response.status_code == 409 and response.json()["error"]["code"] == "illegal_transition"


def test_resident_status_needs_the_digits_and_is_rate_limited(client: TestClient, settings: Settings) -> None:
    number = file(settings)
    ok = client.get(f"/v1/cases/{number}/status", params={"phone_last4": "5678"})
    assert ok.status_code == 200 and set(ok.json()) == {
        "case_id",
        "status",
        "status_label",
        "handler_role",
        "updated_at",
    }
    assert client.get(f"/v1/cases/{number}/status", params={"phone_last4": "0000"}).status_code == 404
    assert client.get(f"/v1/cases/{number}/status", params={"phone_last4": "12"}).status_code == 422
    assert client.get(f"/v1/cases/{number}/status", params={"phone_last4": "1111"}).status_code == 404
    limited = client.get(f"/v1/cases/{number}/status", params={"phone_last4": "5678"})
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limited"


def test_admin_manages_staff_and_sees_the_numbers(client: TestClient, settings: Settings) -> None:
    admin = login(client, "admin1")
    created = client.post(
        "/v1/users", json={"username": "law-1", "role": "lawyer", "password": "another horse"}, headers=admin
    )
    assert created.status_code == 201, created.text
    posted = client.post("/v1/rosters", json={"username": "law-1", "handler_role": "lawyer", "village_id": "v1"},
                         headers=admin)  # fmt: skip
    assert posted.status_code == 201
    assert client.post("/v1/relations", json={"username": "law-1", "person": "李四"}, headers=admin).status_code == 201
    assert client.post("/v1/users", json={"username": "x1x", "role": "lawyer", "password": "short"},
                       headers=admin).status_code == 422  # fmt: skip
    assert client.post("/v1/users", json={"username": "law-2", "role": "lawyer", "password": "another horse"},
                       headers=login(client, "med-a")).status_code == 403  # fmt: skip
    file(settings)
    stats = client.get("/v1/stats", params={"group_by": "dispute_type"}, headers=admin)
    assert stats.status_code == 200 and stats.json()["groups"]["homestead"]["cases"] == 1
    assert client.get("/v1/stats", headers=login(client, "med-a")).status_code == 403
    assert client.get("/v1/overdue", headers=admin).json() == {"cases": []}


def test_receipt_page_lists_the_facts_citations_and_next_step(client: TestClient, settings: Settings) -> None:
    cited = ({"source": "statute", "citation": "中华人民共和国民法典第二百八十八条", "title": "中华人民共和国民法典",
              "article": "第二百八十八条", "text": "不动产的相邻权利人应当按照有利生产、方便生活……"},)  # fmt: skip
    number = file(settings, citations=cited, description="<script>alert(1)</script>隔壁占地")
    page = client.get(f"/receipts/{number}", params={"phone_last4": "5678"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    body = page.text
    assert number in body and "受理回执" in body and "139****5678" in body and "13912345678" not in body
    assert "第二百八十八条" in body and "24小时" in body
    assert "<script>alert" not in body and "&lt;script&gt;" in body
    assert client.get(f"/receipts/{number}", params={"phone_last4": "0000"}).status_code == 404


def test_staff_admins_manage_village_rules_and_others_may_not(client: TestClient) -> None:
    rules = "# 样例村村规民约\n\n第1条 禁止焚烧秸秆。\n".encode()
    headers = {"Content-Type": "text/markdown"}
    ok = client.put("/v1/villages/v9/rules", params={"name": "样例村"}, content=rules,
                    headers={**headers, **login(client, "admin1")})  # fmt: skip
    assert ok.status_code == 200, ok.text
    denied = client.put("/v1/villages/v9/rules", params={"name": "样例村"}, content=rules,
                        headers={**headers, **login(client, "med-a")})  # fmt: skip
    assert denied.status_code == 403


def test_case_filed_under_an_unknown_village_is_linked_to_the_registered_one(
    client: TestClient, settings: Settings
) -> None:
    admin = login(client, "admin1")
    rules = "# 柳河村村规民约\n\n第1条 禁止焚烧秸秆。\n".encode()
    created = client.put("/v1/villages/liuhe/rules", params={"name": "柳河村"}, content=rules,
                         headers={"Content-Type": "text/markdown", **admin})  # fmt: skip
    assert created.status_code == 200, created.text
    number = file(settings, village_id=None, village_name="柳河", village_registered=False,
                  contact_relation="son", affected_person="赵老太")  # fmt: skip
    detail = client.get(f"/v1/cases/{number}", headers=admin).json()
    assert detail["village_registered"] is False and detail["contact_relation"] == "son"
    assert detail["affected_person"] == "赵老太"
    assert client.post(f"/v1/cases/{number}/village", json={"village_id": "nowhere"}, headers=admin).status_code == 404
    assert client.post(f"/v1/cases/{number}/village", json={"village_id": "Bad Id"}, headers=admin).status_code == 422
    grid = login(client, "grid-1")
    assert (
        client.post(f"/v1/cases/{number}/village", json={"village_id": "liuhe"}, headers=grid).status_code == 404
    )  # not theirs
    linked = client.post(f"/v1/cases/{number}/village", json={"village_id": "liuhe"}, headers=admin)
    assert linked.status_code == 200, linked.text
    assert linked.json() == {"case_id": number, "village_id": "liuhe", "village_name": "柳河村"}
    after = client.get(f"/v1/cases/{number}", headers=admin).json()
    assert after["village_registered"] is True and after["village_id"] == "liuhe"


def test_staff_find_a_callers_cases_by_phone_without_the_number_in_clear(
    client: TestClient, settings: Settings
) -> None:
    number = file(settings, phone="13912345678")
    file(settings, phone="13800001111", resident_name="王五")
    admin = login(client, "admin1")
    found = client.get("/v1/cases", params={"phone": "139 1234 5678"}, headers=admin)
    assert found.status_code == 200 and [c["case_id"] for c in found.json()["cases"]] == [number]
    assert client.get("/v1/cases", params={"phone": "13700000000"}, headers=admin).json()["cases"] == []
    assert client.get("/v1/cases", params={"phone": "12"}, headers=admin).status_code == 422


def test_case_errors_keep_their_status_codes_and_shape(client: TestClient, settings: Settings) -> None:
    number = file(settings)
    admin, med_a, grid = login(client, "admin1"), login(client, "med-a"), login(client, "grid-1")
    client.post(f"/v1/cases/{number}/transitions", json={"to": "assessed"}, headers=admin)
    client.post(f"/v1/cases/{number}/assign", json={"username": "med-a"}, headers=admin)
    noted = client.post(f"/v1/cases/{number}/notes", json={"text": "约了周六到现场"}, headers=med_a)
    assert noted.status_code == 201 and noted.json() == {"case_id": number, "noted": True}
    missing = client.post("/v1/cases/2026-GEN-999999/notes", json={"text": "无此案"}, headers=med_a)
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": "not_found", "message": "no case 2026-GEN-999999 for you"}}
    other = client.post(f"/v1/cases/{number}/notes", json={"text": "x"}, headers=login(client, "med-b"))
    assert other.status_code == 404 and other.json()["error"]["message"] == f"no case {number} for you"
    assert client.get(f"/v1/cases/{number}", headers=grid).status_code == 404  # filed by the bot, not by grid-1
    forbidden = client.post(f"/v1/cases/{number}/assign", json={}, headers=grid)
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "forbidden"
    blank = client.post(f"/v1/cases/{number}/notes", json={"text": "   "}, headers=med_a)
    assert blank.status_code == 422 and blank.json()["error"]["code"] == "invalid_note"
    village = client.post(f"/v1/cases/{number}/village", json={"village_id": "nowhere"}, headers=med_a)
    assert village.status_code == 404
    assert village.json() == {"error": {"code": "not_found", "message": "no registered village 'nowhere'"}}
    with open_store(settings.database).session() as session:
        actions = [e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.case_number == number))]
    assert actions == ["transition", "assign", "add_note"]  # refused steps leave no audit row


def test_the_filer_may_read_but_not_change_a_case(client: TestClient) -> None:
    grid = login(client, "grid-1")
    filed = client.post(
        "/v1/cases",
        json={"resident_name": "孙老汉", "phone": "13700001111", "village_id": "v1", "description": "儿子不给生活费"},
        headers=grid,
    )
    number = filed.json()["case_id"]
    refused = client.post(f"/v1/cases/{number}/notes", json={"text": "我来跟进"}, headers=grid)
    assert refused.status_code == 403
    assert refused.json() == {
        "error": {"code": "forbidden", "message": "only the assignee or an admin may change this case"}
    }
