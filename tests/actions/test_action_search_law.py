"""action_search_law: answer first from the matter's guide, follow-ups from its sections, one clarification at most."""

from __future__ import annotations

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions._replies import DISCLAIMER
from actions.action_search_law import ActionSearchLaw
from cunfa.settings import Settings
from knowledge.guides.render import CLARIFY, HANDOFF


async def run(tracker) -> tuple[dict, list]:  # a rasa_sdk Tracker
    dispatcher = CollectingDispatcher()
    events = await ActionSearchLaw().run(dispatcher, tracker, domain={})
    [message] = dispatcher.messages
    return message.get("custom") or message, events


async def test_a_clear_question_is_answered_from_its_guide_on_the_first_reply(
    tiny_settings: Settings, tracker_from
) -> None:
    reply, events = await run(tracker_from("legal_question"))
    assert reply["text"].startswith("离婚后孩子跟一方过的，另一方要出抚养费")
    assert reply["citations"][0]["citation"] == "中华人民共和国民法典第一千零八十五条"
    assert reply["citations"][0]["text"].startswith("离婚后，子女由一方直接抚养的")  # the corpus text, verbatim
    assert "《中华人民共和国民法典》第一千零八十五条" in reply["text"]
    assert reply["text"].endswith(DISCLAIMER)
    assert reply["brief"].endswith(DISCLAIMER) and len(reply["brief"]) < len(reply["text"])
    payloads = [b["payload"] for b in reply["buttons"]]
    assert payloads[:2] == [
        '/ask_followup{"followup_section": "steps"}',
        '/ask_followup{"followup_section": "evidence"}',
    ]
    assert {"/request_mediation", "/request_lawyer"} <= set(payloads)
    assert SlotSet("matter", "child_custody") in events
    assert SlotSet("dispute_type", "marriage_family") in events
    assert SlotSet("pending_question", None) in events


async def test_a_follow_up_is_answered_from_the_current_matters_guide(tiny_settings: Settings, tracker_with) -> None:
    tracker = tracker_with("legal_question", text="那俺该上哪告他去", slots={"matter": "child_custody"})
    reply, events = await run(tracker)
    assert "【去哪里、找谁】" in reply["text"]
    assert "到孩子住所地的人民法院起诉" in reply["text"]
    assert reply["citations"][0]["citation"] == "中华人民共和国民法典第一千零八十五条"
    assert reply["text"].endswith(DISCLAIMER)
    assert all("where" not in b["payload"] for b in reply["buttons"])
    assert events == [SlotSet("pending_question", None)]


async def test_a_follow_up_button_asks_for_one_section(tiny_settings: Settings, tracker_with) -> None:
    tracker = tracker_with(
        "legal_question",
        text='/ask_followup{"followup_section": "cost"}',
        intent="ask_followup",
        entities=[{"entity": "followup_section", "value": "cost"}],
        slots={"matter": "elderly_support"},
    )
    reply, _ = await run(tracker)
    assert "【花不花钱】" in reply["text"] and "法律援助" in reply["text"]
    assert "【怎么办】" not in reply["text"]


async def test_another_matter_replaces_the_current_one(tiny_settings: Settings, tracker_with) -> None:
    tracker = tracker_with("legal_question", text="老板拖欠了三个月工资 咋整", slots={"matter": "child_custody"})
    reply, events = await run(tracker)
    assert reply["text"].startswith("工资要按月用钱发给本人")
    assert SlotSet("matter", "wage_arrears") in events


async def test_no_matter_at_all_gets_one_clarifying_question(tiny_settings: Settings, tracker_from) -> None:
    reply, events = await run(tracker_from("legal_question", text="俺想问个事"))
    assert reply["text"] == CLARIFY and reply["citations"] == []
    topics = [b for b in reply["buttons"] if b["payload"].startswith("/ask_legal_question")]
    assert len(topics) >= 3
    assert events == [SlotSet("pending_question", "俺想问个事")]


async def test_the_next_message_is_answered_with_both(tiny_settings: Settings, tracker_with) -> None:
    tracker = tracker_with("legal_question", text="是俺儿子不管俺", slots={"pending_question": "俺想问个事"})
    reply, events = await run(tracker)
    assert reply["text"].startswith("儿女有赡养父母的义务")
    assert SlotSet("pending_question", None) in events


async def test_never_the_same_clarifying_question_twice(tiny_settings: Settings, tracker_with) -> None:
    """Still no matter after one clarification: a person is offered, not the same question nor a guess."""
    tracker = tracker_with("legal_question", text="还是那个事", slots={"pending_question": "俺想问个事"})
    reply, events = await run(tracker)
    assert reply["text"] == HANDOFF and reply["citations"] == []
    assert {b["payload"] for b in reply["buttons"]} == {"/request_mediation", "/request_lawyer"}
    assert events == [SlotSet("pending_question", None)]


async def test_picking_a_topic_answers_the_pending_question(tiny_settings: Settings, tracker_with) -> None:
    tracker = tracker_with(
        "legal_question",
        text='/ask_legal_question{"dispute_type": "support_elderly"}',
        slots={"pending_question": "家里的事", "dispute_type": "support_elderly"},
    )
    reply, events = await run(tracker)
    assert reply["citations"] and reply["text"].endswith(DISCLAIMER)
    assert SlotSet("pending_question", None) in events


async def test_a_topic_button_answers_at_once(tiny_settings: Settings, tracker_from) -> None:
    """The kiosk's topic buttons say which matter it is: the best answer comes at once."""
    reply, events = await run(tracker_from("legal_question", text="老人的事", topic="support_elderly"))
    assert reply["text"].startswith("儿女有赡养父母的义务")
    assert reply["citations"][0]["citation"] == "中华人民共和国民法典第一千零六十七条"
    assert SlotSet("matter", "elderly_support") in events


async def test_button_payload_without_a_question_asks_for_details(tiny_settings: Settings, tracker_from) -> None:
    reply, _ = await run(tracker_from("legal_question", text="/ask_legal_question"))
    assert reply["citations"] == []
    assert "具体" in reply["text"]


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
    reply, _ = await run(tracker_from("legal_question", village_id="v1"))
    sources = [c["source"] for c in reply["citations"]]
    assert sources[:2] == ["village_rule", "village_rule"] and sources[2:] == ["statute"]
