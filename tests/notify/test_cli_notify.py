"""``cunfa notify add|list|remove|test`` end to end: the real CLI, a SQLite store, the local providers."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from cases import open_store
from cases.models import AuditEntry, NotifyChannel
from cunfa.cli import main
from cunfa.settings import get_settings
from tests.notify.providers import Providers

KEY = "693a91f6-7aoc-4bc4-97a0-0ec2sifa5aaa"
SECRET = "SECa-dingtalk-signing-secret-0001"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CUNFA_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str, stdin: str = "") -> tuple[int, str, str]:
    import sys

    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        code = main(list(argv))
    finally:
        sys.stdin = old
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_add_list_test_and_remove_never_show_a_secret(
    data_dir: Path, providers: Providers, capsys: pytest.CaptureFixture[str]
) -> None:
    providers.wecom_keys.add(KEY)
    providers.dingtalk_robots["ding-token-0000000001"] = SECRET
    wecom = f"{providers.base_url}/cgi-bin/webhook/send?key={KEY}"
    code, out, err = run(capsys, "notify", "add", "--scope", "township:青山镇", "--role", "mediator", "--kind", "wecom",
                         "--target", wecom, "--name", "青山镇调解员群")  # fmt: skip
    assert code == 0, err
    added = json.loads(out)
    assert added["scope"] == "township:青山镇" and added["role"] == "mediator" and added["name"] == "青山镇调解员群"
    assert KEY not in out and added["target"].endswith("key=***5aaa") and added["has_secret"] is False

    # The robot URL and its signing secret both come on stdin: nothing secret in argv or shell history.
    ding = f"{providers.base_url}/robot/send?access_token=ding-token-0000000001"
    code, out, err = run(capsys, "notify", "add", "--scope", "county", "--role", "emergency", "--kind", "dingtalk",
                         "--target", "-", "--secret-stdin", stdin=f"{ding}\n{SECRET}\n")  # fmt: skip
    assert code == 0, err
    assert SECRET not in out and "ding-token-0000000001" not in out and json.loads(out)["has_secret"] is True
    ding_id = json.loads(out)["id"]

    code, out, _ = run(capsys, "notify", "list")
    listed = [json.loads(line) for line in out.splitlines()]
    assert [c["id"] for c in listed] == [added["id"], ding_id]
    assert KEY not in out and SECRET not in out and "ding-token-0000000001" not in out

    code, out, _ = run(capsys, "notify", "test", str(ding_id))
    assert code == 0 and json.loads(out) == {"id": ding_id, "outcome": "sent", "code": None, "detail": ""}
    (request,) = providers.of("/robot/send")
    assert "测试消息" in request.json()["markdown"]["title"] and "sign" in request.query

    assert run(capsys, "notify", "remove", str(added["id"]))[0] == 0
    assert [json.loads(line)["id"] for line in run(capsys, "notify", "list")[1].splitlines()] == [ding_id]
    code, _, err = run(capsys, "notify", "remove", str(added["id"]))
    assert code == 2 and "no notification channel" in err

    with open_store(get_settings().database).session() as session:
        actions = [a.action for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        details = json.dumps([a.detail for a in session.scalars(select(AuditEntry))], ensure_ascii=False)
    assert actions == [
        "notify_channel_added",
        "notify_channel_added",
        "notify_channel_tested",
        "notify_channel_removed",
    ]
    assert KEY not in details and SECRET not in details


def test_a_refused_test_exits_non_zero_with_the_providers_code(
    data_dir: Path, providers: Providers, capsys: pytest.CaptureFixture[str]
) -> None:
    wecom = f"{providers.base_url}/cgi-bin/webhook/send?key=robot-was-removed-0001"
    code, out, _ = run(capsys, "notify", "add", "--scope", "village:v-qsw", "--role", "*", "--kind", "wecom",
                       "--target", wecom)  # fmt: skip
    code, out, _ = run(capsys, "notify", "test", str(json.loads(out)["id"]))
    result = json.loads(out)
    assert code == 1 and (result["outcome"], result["code"]) == ("failed", "93000")
    assert "robot-was-removed-0001" not in out


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["--scope", "village:青石湾", "--role", "*", "--kind", "wecom", "--target", "https://h/x?key=k"], "", "scope"),
        (["--scope", "township:county", "--role", "*", "--kind", "wecom", "--target", "https://h/x?key=k"], "", "county"),
        (["--scope", "county", "--role", "*", "--kind", "wecom", "--target", "https://h/robot/send"], "", "?key="),
        (["--scope", "county", "--role", "*", "--kind", "webhook", "--target", "https://h/hook", "--secret-stdin"],
         "short\n", "at least 16"),
        (["--scope", "county", "--role", "*", "--kind", "wecom", "--target", "https://h/x?key=k", "--secret-stdin"],
         "s3cret-value\n", "take no secret"),
        (["--scope", "county", "--role", "*", "--kind", "wechat_template", "--target", "not an openid"], "", "openid"),
    ],
)  # fmt: skip
def test_channels_that_could_never_deliver_are_refused(
    data_dir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], stdin: str, message: str
) -> None:
    code, out, err = run(capsys, "notify", "add", *argv, stdin=stdin)
    assert code == 2 and message in err and out == ""
    assert "s3cret-value" not in err
    with open_store(get_settings().database).session() as session:
        assert session.scalars(select(NotifyChannel)).first() is None


def test_settings_hide_the_webhook_secret(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CUNFA_NOTIFY_WEBHOOK_SECRET", "legacy-webhook-secret-0001")
    get_settings.cache_clear()
    code, out, _ = run(capsys, "settings")
    assert code == 0 and "legacy-webhook-secret-0001" not in out and json.loads(out)["notify_webhook_secret"] == "***"
