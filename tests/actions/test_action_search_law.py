from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions._replies import DISCLAIMER
from actions.action_search_law import ActionSearchLaw
from cunfa.settings import Settings
from knowledge import AnswerPolicy, answer_question


async def test_answers_with_cited_statutes(tiny_settings: Settings, tracker_from) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionSearchLaw().run(dispatcher, tracker_from("legal_question"), domain={})
    assert events == [SlotSet("pending_question", None)]
    [message] = dispatcher.messages
    reply = message["custom"]
    assert reply["citations"][0]["citation"] == "中华人民共和国民法典第一千零八十五条"
    assert all(c["source"] == "statute" for c in reply["citations"])
    assert 1 <= len(reply["citations"]) <= 3
    assert "《中华人民共和国民法典》第一千零八十五条" in reply["text"]
    assert reply["text"].endswith(DISCLAIMER)
    assert {b["payload"] for b in reply["buttons"]} == {"/request_mediation", "/request_lawyer"}


async def test_unclear_question_gets_topics_not_a_guess(tiny_settings: Settings, tracker_from) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionSearchLaw().run(dispatcher, tracker_from("legal_question", text="zzzz qqqq"), domain={})
    reply = dispatcher.messages[0]["custom"]
    assert reply["citations"] == []
    assert "哪方面" in reply["text"]
    topics = [b for b in reply["buttons"] if b["payload"].startswith("/ask_legal_question")]
    assert len(topics) >= 3
    assert events == [SlotSet("pending_question", "zzzz qqqq")]


async def test_picking_a_topic_answers_the_pending_question(tiny_settings: Settings, tracker_from) -> None:
    tracker = tracker_from("legal_question", text='/ask_legal_question{"dispute_type": "marriage_family"}')
    tracker.slots.update({"pending_question": "孩子的钱谁出", "dispute_type": "marriage_family"})
    dispatcher = CollectingDispatcher()
    events = await ActionSearchLaw().run(dispatcher, tracker, domain={})
    reply = dispatcher.messages[0]["custom"]
    assert reply["citations"] and reply["text"].endswith(DISCLAIMER)
    assert events == [SlotSet("pending_question", None)]


async def test_button_payload_asks_for_details(tiny_settings: Settings, tracker_from) -> None:
    dispatcher = CollectingDispatcher()
    await ActionSearchLaw().run(dispatcher, tracker_from("legal_question", text="/ask_legal_question"), domain={})
    assert dispatcher.messages[0]["custom"]["citations"] == []
    assert "具体" in dispatcher.messages[0]["custom"]["text"]


async def test_missing_index_is_an_honest_failure(tmp_path, monkeypatch, tracker_from) -> None:
    from tests.conftest import TEST_DATA

    monkeypatch.setenv("CUNFA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CUNFA_LAWS_DIR", str(TEST_DATA / "laws"))
    monkeypatch.setenv("CUNFA_FAQ_FILE", str(TEST_DATA / "faq.json"))
    dispatcher = CollectingDispatcher()
    await ActionSearchLaw().run(dispatcher, tracker_from("legal_question"), domain={})
    assert dispatcher.messages[0]["response"] == "utter_search_failed"


async def test_village_rules_first_but_statutes_still_cited(tiny_settings: Settings, tracker_from) -> None:
    from knowledge.villages import VillageStore

    VillageStore(tiny_settings.villages_dir).put(
        "v1", "样例村", "第1条 离婚后孩子的抚养费由双方协商。\n第2条 抚养费按月给付。\n第3条 抚养费不得拖欠。"
    )
    dispatcher = CollectingDispatcher()
    await ActionSearchLaw().run(dispatcher, tracker_from("legal_question", village_id="v1"), domain={})
    sources = [c["source"] for c in dispatcher.messages[0]["custom"]["citations"]]
    assert sources[:2] == ["village_rule", "village_rule"] and sources[2:] == ["statute"]


async def test_a_question_asked_through_a_topic_button_is_answered_not_questioned(
    tiny_settings: Settings, tracker_from, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kiosk's topic buttons say which matter it is: asking "哪方面" back would cost an elderly
    visitor a turn for nothing, so the best citations come at once, however sure the search is."""
    import actions.action_search_law as module

    def unsure_search(kb, question, *, policy=None, **kwargs):  # noqa: ANN001, ANN202
        # The tiny index is sure of everything it finds: make its default bar unreachable.
        return answer_question(kb, question, policy=policy or AnswerPolicy(statute_min_score=99.0), **kwargs)

    monkeypatch.setattr(module, "answer_question", unsure_search)
    text = "赡养老人"
    unsure = CollectingDispatcher()
    await ActionSearchLaw().run(unsure, tracker_from("legal_question", text=text), domain={})
    assert "哪方面" in unsure.messages[0]["custom"]["text"]

    dispatcher = CollectingDispatcher()
    events = await ActionSearchLaw().run(
        dispatcher, tracker_from("legal_question", text=text, topic="support_elderly"), domain={}
    )
    reply = dispatcher.messages[0]["custom"]
    assert reply["citations"][0]["citation"] == "中华人民共和国民法典第一千零六十七条"
    assert reply["text"].endswith(DISCLAIMER)
    assert events == [SlotSet("pending_question", None)]
