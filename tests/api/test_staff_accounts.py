"""Staff accounts over real HTTP: disable/enable, password reset, the login throttle, rehash on login, the list.

Everything goes through the app's TestClient into a real SQLite case store; nothing of ours is mocked.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.main import create_app
from cases import open_store
from cases.models import AuditEntry, User
from cases.staff import LOGIN_MAX_FAILURES, add_roster_entry, add_user
from cunfa.settings import Settings
from knowledge import KnowledgeBase

PASSWORD = "correct horse battery"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path)


def _app(settings: Settings, tiny_kb: KnowledgeBase) -> TestClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(503)))
    return TestClient(create_app(settings, knowledge=tiny_kb, http_client=http, run_background=False))


@pytest.fixture
def client(tiny_kb: KnowledgeBase, settings: Settings):
    with open_store(settings.database).session() as session:
        add_user(session, username="admin1", role="admin", password=PASSWORD, display_name="管理员")
        mediator = add_user(session, username="med-a", role="mediator", password=PASSWORD, display_name="王调解")
        add_roster_entry(session, user=mediator, handler_role="mediator", village_id="v1")
        add_roster_entry(session, user=mediator, handler_role="mediator", township="qingshui")
        session.commit()
    with _app(settings, tiny_kb) as c:
        yield c


def token(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def attempt(client: TestClient, username: str, password: str) -> httpx.Response:
    return client.post("/v1/auth/token", json={"username": username, "password": password})


def audit_actions(settings: Settings, action: str) -> list[AuditEntry]:
    with open_store(settings.database).session() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_disabling_an_account_ends_its_issued_token_at_once(client: TestClient, settings: Settings) -> None:
    admin, mediator = token(client, "admin1"), token(client, "med-a")
    assert client.get("/v1/cases", headers=mediator).status_code == 200

    disabled = client.post("/v1/staff/users/med-a/disable", headers=admin)
    assert disabled.status_code == 200, disabled.text
    assert disabled.json() == {"username": "med-a", "disabled": True, "sessions_ended": True}
    refused = client.get("/v1/cases", headers=mediator)  # the very next request
    assert refused.status_code == 401 and "log in again" in refused.json()["error"]["message"]
    assert attempt(client, "med-a", PASSWORD).status_code == 401  # no new login either

    listed = {u["username"]: u for u in client.get("/v1/staff/users", headers=admin).json()["users"]}
    assert listed["med-a"]["disabled"] is True and listed["med-a"]["disabled_by"] == "admin1"
    assert listed["med-a"]["disabled_at"] is not None

    assert client.post("/v1/staff/users/med-a/enable", headers=admin).json()["disabled"] is False
    assert client.get("/v1/cases", headers=mediator).status_code == 401  # the old token stays dead
    assert client.get("/v1/cases", headers=token(client, "med-a")).status_code == 200
    assert [e.detail["user"] for e in audit_actions(settings, "disable_user")] == ["med-a"]
    assert audit_actions(settings, "enable_user")[0].actor == "admin1"


def test_password_reset_ends_old_sessions_and_the_new_password_works(client: TestClient, settings: Settings) -> None:
    admin, old_session = token(client, "admin1"), token(client, "med-a")
    short = client.post("/v1/staff/users/med-a/password", json={"password": "too-short"}, headers=admin)
    assert short.status_code == 422 and "at least 10 characters" in short.json()["error"]["message"]
    assert client.get("/v1/cases", headers=old_session).status_code == 200  # a refused reset changes nothing

    new_password = "a fresh start 2026"
    reset = client.post("/v1/staff/users/med-a/password", json={"password": new_password}, headers=admin)
    assert reset.status_code == 200 and reset.json()["sessions_ended"] is True
    assert client.get("/v1/cases", headers=old_session).status_code == 401
    assert attempt(client, "med-a", PASSWORD).status_code == 401
    assert client.get("/v1/cases", headers=token(client, "med-a", new_password)).status_code == 200

    (entry,) = audit_actions(settings, "reset_password")
    assert entry.actor == "admin1" and entry.detail == {"user": "med-a"}
    assert new_password not in str(entry.detail)


def test_five_wrong_passwords_lock_the_username_and_an_admin_unlocks_it(client: TestClient, settings: Settings) -> None:
    admin = token(client, "admin1")
    for _ in range(LOGIN_MAX_FAILURES):
        assert attempt(client, "med-a", "not the password").status_code == 401
    locked = attempt(client, "med-a", PASSWORD)  # the right password, but too late
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "rate_limited"
    assert "too many failed logins" in locked.json()["error"]["message"]
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    assert client.get("/v1/cases", headers=admin).status_code == 200  # other accounts are not affected

    listed = {u["username"]: u for u in client.get("/v1/staff/users", headers=admin).json()["users"]}
    assert listed["med-a"]["locked_until"] is not None and listed["med-a"]["failed_logins"] == LOGIN_MAX_FAILURES

    unlocked = client.post("/v1/staff/users/med-a/unlock", headers=admin)
    assert unlocked.status_code == 200, unlocked.text
    assert attempt(client, "med-a", PASSWORD).status_code == 200
    (entry,) = audit_actions(settings, "unlock_user")
    assert entry.actor == "admin1" and entry.detail == {"user": "med-a", "was_locked": True}
    assert len(audit_actions(settings, "login_locked")) == 1


def test_a_successful_login_resets_the_count(client: TestClient) -> None:
    for _ in range(LOGIN_MAX_FAILURES - 1):
        assert attempt(client, "med-a", "not the password").status_code == 401
    token(client, "med-a")
    for _ in range(LOGIN_MAX_FAILURES - 1):
        assert attempt(client, "med-a", "not the password").status_code == 401
    assert attempt(client, "med-a", PASSWORD).status_code == 200


def test_unknown_usernames_are_throttled_exactly_like_real_ones(client: TestClient) -> None:
    def run(username: str) -> list[tuple[int, str, str | None]]:
        answers = [attempt(client, username, "not the password") for _ in range(LOGIN_MAX_FAILURES + 1)]
        answers.append(attempt(client, username, PASSWORD))
        return [(r.status_code, r.json()["error"]["message"], r.headers.get("Retry-After")) for r in answers]

    real, ghost = run("med-a"), run("nobody-here")
    assert [status for status, _, _ in real] == [401] * LOGIN_MAX_FAILURES + [429, 429]
    assert [(s, m) for s, m, _ in real] == [(s, m) for s, m, _ in ghost]
    assert all(840 <= int(after or 0) <= 900 for _, _, after in ghost[LOGIN_MAX_FAILURES:])


def test_every_gateway_process_sees_the_same_lockout(client: TestClient, settings: Settings, tiny_kb) -> None:  # type: ignore[no-untyped-def]
    with _app(settings, tiny_kb) as second_gateway:
        for gateway in (client, second_gateway, client, second_gateway, client):
            assert attempt(gateway, "med-a", "not the password").status_code == 401
        assert attempt(second_gateway, "med-a", PASSWORD).status_code == 429
        assert attempt(client, "med-a", PASSWORD).status_code == 429


def test_login_upgrades_an_old_parameter_hash(client: TestClient, settings: Settings) -> None:
    salt = b"0123456789abcdef"
    digest = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    old_hash = f"scrypt$16384$8$1${b64(salt)}${b64(digest)}"  # as the code before 0009 stored it
    with open_store(settings.database).session() as session:
        session.scalar(select(User).where(User.username == "med-a")).password_hash = old_hash
        session.commit()

    assert attempt(client, "med-a", "not the password").status_code == 401  # a failure rewrites nothing
    with open_store(settings.database).session() as session:
        assert session.scalar(select(User.password_hash).where(User.username == "med-a")) == old_hash

    token(client, "med-a")
    with open_store(settings.database).session() as session:
        upgraded = session.scalar(select(User.password_hash).where(User.username == "med-a"))
    assert upgraded.startswith("scrypt$131072$8$1$") and upgraded != old_hash
    token(client, "med-a")  # and the new hash verifies


def test_the_staff_list_shows_roles_posts_and_no_secrets(client: TestClient, settings: Settings) -> None:
    admin = token(client, "admin1")
    response = client.get("/v1/staff/users", headers=admin)
    assert response.status_code == 200
    users = response.json()["users"]
    assert [u["username"] for u in users] == ["admin1", "med-a"]
    med = users[1]
    assert med["role"] == "mediator" and med["display_name"] == "王调解" and med["disabled"] is False
    assert med["posts"] == [
        {"handler_role": "mediator", "village_id": "v1", "township": None},
        {"handler_role": "mediator", "village_id": None, "township": "qingshui"},
    ]
    assert users[0]["last_login_at"] is not None and med["last_login_at"] is None
    assert "scrypt" not in response.text and "password_hash" not in response.text
    assert audit_actions(settings, "list_users")[0].actor == "admin1"
    assert client.get("/v1/staff/users", headers=token(client, "med-a")).status_code == 403


def test_admin_changes_are_refused_clearly(client: TestClient) -> None:
    admin, mediator = token(client, "admin1"), token(client, "med-a")
    own = client.post("/v1/staff/users/admin1/disable", headers=admin)
    assert own.status_code == 422 and "your own account" in own.json()["error"]["message"]
    for path in ("disable", "enable", "unlock"):
        missing = client.post(f"/v1/staff/users/nobody-here/{path}", headers=admin)
        assert missing.status_code == 404, missing.text
        assert client.post(f"/v1/staff/users/admin1/{path}", headers=mediator).status_code == 403
    assert (
        client.post("/v1/staff/users/med-a/password", json={"password": "x" * 20}, headers=mediator).status_code == 403
    )
    assert client.get("/v1/cases", headers=admin).status_code == 200
