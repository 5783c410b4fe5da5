"""The admin API for notification channels over real HTTP: admin only, targets masked, secrets never returned.

The app's TestClient, a real SQLite case store, and the local providers of tests/notify for the test send.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.main import create_app
from cases import open_store
from cases.models import AuditEntry
from cases.staff import add_user
from cunfa.settings import Settings
from knowledge import KnowledgeBase
from tests.notify.providers import Providers

PASSWORD = "correct horse battery"
KEY = "693a91f6-7aoc-4bc4-97a0-0ec2sifa5aaa"
HOOK_SECRET = "webhook-hmac-secret-0000000000001"
URL = "/v1/admin/notify-channels"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path)


@pytest.fixture
def client(tiny_kb: KnowledgeBase, settings: Settings):
    with open_store(settings.database).session() as session:
        add_user(session, username="admin1", role="admin", password=PASSWORD, display_name="管理员")
        add_user(session, username="med-a", role="mediator", password=PASSWORD, display_name="王调解")
        session.commit()
    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(503)))  # Rasa is not needed
    with TestClient(create_app(settings, knowledge=tiny_kb, http_client=http, run_background=False)) as c:
        yield c


def token(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_admin_adds_lists_tests_and_removes_channels(
    client: TestClient, settings: Settings, providers: Providers
) -> None:
    admin = token(client, "admin1")
    providers.wecom_keys.add(KEY)
    providers.webhook_secrets["/hooks/county"] = HOOK_SECRET
    wecom = {"scope": "village:v-qsw", "role": "mediator", "kind": "wecom", "name": "青石湾调解员群",
             "target": f"{providers.base_url}/cgi-bin/webhook/send?key={KEY}"}  # fmt: skip
    hook = {"scope": "county", "role": "*", "kind": "webhook", "target": f"{providers.base_url}/hooks/county",
            "secret": HOOK_SECRET}  # fmt: skip
    created = client.post(URL, json=wecom, headers=admin)
    assert created.status_code == 201, created.text
    body = created.json()
    assert {k: body[k] for k in ("scope", "role", "kind", "name", "has_secret", "enabled", "created_by")} == {
        "scope": "village:v-qsw", "role": "mediator", "kind": "wecom", "name": "青石湾调解员群",
        "has_secret": False, "enabled": True, "created_by": "admin1",
    }  # fmt: skip
    assert body["target"].endswith("?key=***5aaa")
    second = client.post(URL, json=hook, headers=admin)
    assert second.status_code == 201 and second.json()["has_secret"] is True

    listed = client.get(URL, headers=admin)
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()["channels"]] == [body["id"], second.json()["id"]]
    for response in (created, second, listed):
        assert KEY not in response.text and HOOK_SECRET not in response.text

    tested = client.post(f"{URL}/{second.json()['id']}/test", headers=admin)
    assert tested.json() == {"id": second.json()["id"], "outcome": "sent", "code": None, "detail": ""}
    assert providers.of("/hooks/county")[0].json()["test"] is True  # the receiver verified the signature

    assert client.delete(f"{URL}/{body['id']}", headers=admin).status_code == 204
    assert client.delete(f"{URL}/{body['id']}", headers=admin).status_code == 404
    assert client.post(f"{URL}/{body['id']}/test", headers=admin).status_code == 404
    assert [c["id"] for c in client.get(URL, headers=admin).json()["channels"]] == [second.json()["id"]]

    with open_store(settings.database).session() as session:
        entries = list(session.scalars(select(AuditEntry).where(AuditEntry.action.like("notify_channel%"))))
    assert [e.action for e in entries] == [
        "notify_channel_added", "notify_channel_added", "notify_channel_tested", "notify_channel_removed",
    ]  # fmt: skip
    assert all(e.actor == "admin1" for e in entries)
    details = json.dumps([e.detail for e in entries])
    assert KEY not in details and HOOK_SECRET not in details


def test_only_admins_may_see_or_change_channels(client: TestClient) -> None:
    mediator = token(client, "med-a")
    body = {"scope": "county", "role": "*", "kind": "wecom", "target": "https://q.example/send?key=k-0001"}
    assert client.get(URL).status_code == 401
    assert client.post(URL, json=body).status_code == 401
    assert client.get(URL, headers=mediator).status_code == 403
    assert client.post(URL, json=body, headers=mediator).status_code == 403
    assert client.delete(f"{URL}/1", headers=mediator).status_code == 403
    assert client.post(f"{URL}/1/test", headers=mediator).status_code == 403
    assert client.get(URL, headers=token(client, "admin1")).json() == {"channels": []}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"scope": "province:henan"}, "scope must be"),
        ({"kind": "sms"}, "kind"),
        ({"target": "https://q.example/robot/send?token=never-shown-0001"}, "?key="),
        ({"secret": "never-shown-secret-0001"}, "take no secret"),
        ({"kind": "webhook", "secret": "short"}, "at least 16"),
    ],
)
def test_channels_that_could_never_deliver_are_refused_without_echoing_them(
    client: TestClient, change: dict[str, str], message: str
) -> None:
    body = {"scope": "county", "role": "*", "kind": "wecom", "target": "https://q.example/send?key=never-shown-0002"}
    response = client.post(URL, json={**body, **change}, headers=token(client, "admin1"))
    assert response.status_code == 422 and message in response.json()["error"]["message"]
    assert "never-shown" not in response.text
