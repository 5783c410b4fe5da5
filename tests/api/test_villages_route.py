from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from cunfa.settings import Settings
from knowledge import KnowledgeBase
from knowledge.villages import VillageStore

RULES = "# 样例村村规民约\n\n第1条 禁止焚烧秸秆。\n\n第2条 犬只应当拴养。\n"


@pytest.fixture
def client(tiny_kb: KnowledgeBase, tmp_path: Path):
    settings = Settings(data_dir=tmp_path, admin_token="s3cret-admin")
    kb = KnowledgeBase(tiny_kb.index, villages=VillageStore(settings.villages_dir))
    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(503)))
    with TestClient(create_app(settings, knowledge=kb, http_client=http)) as c:
        yield c


AUTH = {"Authorization": "Bearer s3cret-admin", "Content-Type": "text/markdown"}


def test_put_makes_rules_searchable_at_once(client: TestClient) -> None:
    response = client.put("/v1/villages/v1/rules", params={"name": "样例村"}, content=RULES.encode(), headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.json()["clauses"] == 2
    hits = client.get("/v1/search", params={"q": "烧秸秆", "source": "village_rule", "village_id": "v1"}).json()["hits"]
    assert hits[0]["citation"] == "样例村村规民约第一条" and hits[0]["village_id"] == "v1"
    assert [v["village_id"] for v in client.get("/v1/villages").json()] == ["v1"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret"}])
def test_put_needs_the_admin_token(client: TestClient, headers: dict) -> None:
    response = client.put("/v1/villages/v1/rules", params={"name": "样例村"}, content=RULES.encode(), headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert client.get("/v1/villages").json() == []


@pytest.mark.parametrize(
    "path, params, body, code",
    [
        ("/v1/villages/v1/rules", {"name": "样例村"}, "没有条款的文字", "invalid_rules"),
        ("/v1/villages/Bad!Id/rules", {"name": "样例村"}, RULES, "invalid_village"),
        ("/v1/villages/v9/rules", {}, RULES, "invalid_request"),
        ("/v1/villages/0/rules", {"name": ""}, "", "invalid_request"),  # found by schemathesis: was a 500
        ("/v1/villages/v9/rules", {"name": "  "}, RULES, "invalid_request"),
    ],
)
def test_bad_rules_are_refused_and_nothing_changes(client: TestClient, path, params, body, code) -> None:
    response = client.put(path, params=params, content=body.encode(), headers=AUTH)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == code
    assert client.get("/v1/villages").json() == []
