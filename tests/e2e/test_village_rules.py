"""Village rules through the running stack: sample villages answer, and a new village added by
the CLI (another process) is searchable by the running service within 2 s."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid

import pytest

from cunfa.settings import PROJECT_ROOT
from tests.e2e.conftest import Stack
from tests.e2e.test_chat_flow import chat

pytestmark = pytest.mark.integration


def test_village_rule_question_cites_the_sample_rules(stack: Stack) -> None:
    body = chat(stack, "咱村村规民约对焚烧秸秆是怎么规定的", village_id="sample-qingshiwan", channel="kiosk")
    assert body["intent"]["name"] in {"ask_village_rule", "ask_legal_question"}
    citations = [c for r in body["replies"] for c in r["citations"]]
    assert citations[0]["source"] == "village_rule"
    assert citations[0]["village_id"] == "sample-qingshiwan"
    assert citations[0]["citation"] == "青石湾村村规民约（样例）第六条"


def test_rules_added_by_cli_are_searchable_by_the_running_service(stack: Stack, tmp_path) -> None:
    village = f"e2e-{uuid.uuid4().hex[:8]}"
    rules = tmp_path / "rules.md"
    rules.write_text("# 测试村村规民约\n\n第1条 村民饲养的鹅不得进入他人菜地。\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "cunfa.cli", "villages", "add", "--id", village, "--name", "测试村", "--rules", str(rules)],
        cwd=PROJECT_ROOT, env=stack.env, check=True, capture_output=True,
    )  # fmt: skip
    added = time.monotonic()
    hits: list = []
    with stack.client() as client:
        while time.monotonic() - added < 2.0 and not hits:
            params = {"q": "鹅进了菜地", "source": "village_rule", "village_id": village}
            hits = client.get("/v1/search", params=params).json()["hits"]
    assert hits and hits[0]["citation"] == "测试村村规民约第一条"
    with stack.client() as client:
        other = client.get(
            "/v1/search", params={"q": "鹅进了菜地", "source": "village_rule", "village_id": "sample-dongtan"}
        )
    assert all(h["village_id"] == "sample-dongtan" for h in other.json()["hits"])
