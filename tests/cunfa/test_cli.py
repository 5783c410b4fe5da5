from __future__ import annotations

import json

import pytest

from cunfa.cli import main
from cunfa.settings import Settings


def test_search_json_prints_hits(tiny_settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "离婚后孩子抚养费", "--k", "2", "--source", "statute", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["hits"]) == 2
    assert out["hits"][0]["citation"].startswith("中华人民共和国民法典")


def test_search_with_bad_k_fails_clearly(tiny_settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "工资", "--k", "0"]) == 2
    assert "k must be between" in capsys.readouterr().err


def test_search_without_index_says_how_to_build(
    tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.conftest import TEST_DATA

    monkeypatch.setenv("CUNFA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CUNFA_LAWS_DIR", str(TEST_DATA / "laws"))
    monkeypatch.setenv("CUNFA_FAQ_FILE", str(TEST_DATA / "faq.json"))
    assert main(["search", "工资"]) == 2
    assert "cunfa index build" in capsys.readouterr().err


def test_settings_hides_the_token(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CUNFA_RASA_TOKEN", "secret-value")
    assert main(["settings"]) == 0
    out = capsys.readouterr().out
    assert "secret-value" not in out and json.loads(out)["port"] == "8000"


def test_batch_search_writes_one_line_per_query(
    tiny_settings: Settings, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        '{"id": "a", "q": "离婚后孩子抚养费", "source": "statute"}\n'
        "\n"
        '{"id": "b", "q": "拖欠工资", "source": "faq"}\n'
        "not json\n"
        '{"id": "d", "q": ""}\n',
        encoding="utf-8",
    )
    assert main(["search", "--queries", str(queries), "--k", "3", "--json"]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["id"] for line in lines] == ["a", "b", 4, "d"]
    assert lines[0]["hits"][0]["source"] == "statute" and lines[0]["latency_ms"] >= 0
    assert {h["source"] for h in lines[1]["hits"]} == {"faq"}
    assert "line 4" in lines[2]["error"] and "empty" in lines[3]["error"]


def test_query_and_queries_are_exclusive(tiny_settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search"]) == 2
    assert "either a query or --queries" in capsys.readouterr().err


def test_users_add_reads_the_password_from_stdin(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    import io

    from cases.staff import authenticate
    from cunfa.cli import main

    monkeypatch.setenv("CUNFA_DATA_DIR", str(tmp_path))
    monkeypatch.setattr("sys.stdin", io.StringIO("long-enough-pw\n"))
    assert (
        main(["users", "add", "--username", "med-zhang", "--role", "mediator", "--name", "张调解", "--password-stdin"])
        == 0
    )
    assert "med-zhang" in capsys.readouterr().out
    assert main(["users", "post", "--username", "med-zhang", "--handler-role", "mediator", "--village-id", "v1"]) == 0
    from cases import open_store
    from cunfa.settings import get_settings

    with open_store(get_settings().database).session() as session:
        assert authenticate(session, "med-zhang", "long-enough-pw") is not None
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["users", "add", "--username", "x-y-z", "--role", "lawyer", "--password-stdin"]) == 2
    assert "at least 8" in capsys.readouterr().err


def test_purge_reports_what_it_removed_and_audits_the_run(
    tiny_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import select

    from cases import open_store
    from cases.models import AuditEntry

    assert main(["purge"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["cases_anonymised"] == 0 and "conversations_deleted" in report
    with open_store(tiny_settings.database).session() as session:
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "retention_purge")).first() is not None


def test_users_list_disable_enable_reset_and_unlock(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    import io

    from sqlalchemy import select

    from cases import open_store
    from cases.models import AuditEntry
    from cases.staff import LOGIN_MAX_FAILURES, LoginLocked, authenticate, log_in
    from cunfa.settings import get_settings

    monkeypatch.setenv("CUNFA_DATA_DIR", str(tmp_path))
    for username, role in (("boss", "admin"), ("med-zhang", "mediator")):
        monkeypatch.setattr("sys.stdin", io.StringIO("long-enough-pw\n"))
        assert main(["users", "add", "--username", username, "--role", role, "--password-stdin"]) == 0
    assert main(["users", "post", "--username", "med-zhang", "--handler-role", "mediator", "--village-id", "v1"]) == 0
    capsys.readouterr()
    store = open_store(get_settings().database)

    assert main(["users", "list"]) == 0
    out = capsys.readouterr().out
    listed = {line["username"]: line for line in map(json.loads, out.splitlines())}
    assert listed["med-zhang"]["role"] == "mediator" and listed["med-zhang"]["disabled"] is False
    assert listed["med-zhang"]["posts"] == [{"handler_role": "mediator", "village_id": "v1", "township": None}]
    assert "scrypt" not in out and "hash" not in out and "long-enough-pw" not in out

    assert main(["users", "disable", "--username", "med-zhang"]) == 0
    assert json.loads(capsys.readouterr().out) == {"username": "med-zhang", "disabled": True}
    with store.session() as session:
        assert authenticate(session, "med-zhang", "long-enough-pw") is None
    assert main(["users", "disable", "--username", "boss"]) == 2  # the last admin stays
    assert "last active admin" in capsys.readouterr().err
    assert main(["users", "enable", "--username", "med-zhang"]) == 0
    assert json.loads(capsys.readouterr().out)["disabled"] is False

    # The new password comes on stdin only; too short is refused with the rule.
    monkeypatch.setattr("sys.stdin", io.StringIO("short-pw\n"))
    assert main(["users", "reset-password", "--username", "med-zhang", "--password-stdin"]) == 2
    assert "at least 10 characters" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["users", "reset-password", "--username", "med-zhang"])  # no --password-stdin: refused
    monkeypatch.setattr("sys.stdin", io.StringIO("a much better password\n"))
    assert main(["users", "reset-password", "--username", "med-zhang", "--password-stdin"]) == 0
    assert "a much better password" not in capsys.readouterr().out
    with store.session() as session:
        assert authenticate(session, "med-zhang", "a much better password") is not None
        assert authenticate(session, "med-zhang", "long-enough-pw") is None

    with store.session() as session:
        for _ in range(LOGIN_MAX_FAILURES):
            log_in(session, "med-zhang", "wrong guess")
        session.commit()
        with pytest.raises(LoginLocked):
            log_in(session, "med-zhang", "a much better password")
    assert main(["users", "unlock", "--username", "med-zhang"]) == 0
    assert json.loads(capsys.readouterr().out) == {"username": "med-zhang", "was_locked": True}
    with store.session() as session:
        assert log_in(session, "med-zhang", "a much better password") is not None

    assert main(["users", "unlock", "--username", "nobody-here"]) == 2
    assert "no user" in capsys.readouterr().err
    with store.session() as session:
        rows = [(e.actor, e.action) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert [action for _, action in rows] == [
        "list_users", "disable_user", "enable_user", "reset_password", "unlock_user",
    ]  # fmt: skip
    assert all(actor.startswith("cli") for actor, _ in rows)
