from __future__ import annotations

import time

from rasa_sdk.executor import CollectingDispatcher

from actions import _resources
from actions.action_knowledge_status import ActionKnowledgeStatus
from cunfa.settings import Settings


async def test_reports_loading_then_ready(tiny_settings: Settings, tracker_from, monkeypatch) -> None:
    monkeypatch.setattr(_resources, "_loader", None)
    action = ActionKnowledgeStatus()
    deadline = time.monotonic() + 60
    ready = False
    while not ready and time.monotonic() < deadline:
        dispatcher = CollectingDispatcher()
        assert await action.run(dispatcher, tracker_from("legal_question"), {}) == []
        ready = dispatcher.messages[0]["custom"]["knowledge_ready"]
        time.sleep(0.1)
    assert ready is True
    assert dispatcher.messages[0]["custom"]["error"] is None


async def test_reports_the_error_when_no_index(tmp_path, monkeypatch, tracker_from) -> None:
    from tests.conftest import TEST_DATA

    monkeypatch.setenv("CUNFA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CUNFA_LAWS_DIR", str(TEST_DATA / "laws"))
    monkeypatch.setenv("CUNFA_FAQ_FILE", str(TEST_DATA / "faq.json"))
    monkeypatch.setattr(_resources, "_loader", None)
    action = ActionKnowledgeStatus()
    for _ in range(100):
        dispatcher = CollectingDispatcher()
        await action.run(dispatcher, tracker_from("legal_question"), {})
        if dispatcher.messages[0]["custom"]["error"]:
            break
        time.sleep(0.05)
    reply = dispatcher.messages[0]["custom"]
    assert reply["knowledge_ready"] is False and "cunfa index build" in reply["error"]
