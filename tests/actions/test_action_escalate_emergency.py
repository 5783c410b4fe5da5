from __future__ import annotations

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.action_escalate_emergency import ActionEscalateEmergency
from cases import CaseStore


async def test_emergency_gives_numbers_and_files_an_urgent_case(store: CaseStore, tracker_with, monkeypatch) -> None:
    monkeypatch.setenv("CUNFA_EMERGENCY_CONTACTS", "镇派出所 0371-12345678")
    from cunfa.settings import get_settings

    get_settings.cache_clear()
    dispatcher = CollectingDispatcher()
    tracker = tracker_with(
        "legal_question", text="他拿着刀说要砍死我", intent="emergency", message_id="e1", channel="kiosk"
    )
    events = await ActionEscalateEmergency().run(dispatcher, tracker, domain={})
    text = dispatcher.messages[0]["text"]
    assert text.startswith("情况紧急") and "110" in text and "120" in text
    assert "镇派出所 0371-12345678" in text
    assert SlotSet("risk_level", "emergency") in events
    case_slot = next(e["value"] for e in events if e["event"] == "slot" and e["name"] == "case")
    case = store.get(case_slot["case_id"])
    assert case.handler_role == "emergency" and case.risk_level == "emergency" and case.channel == "kiosk"
    assert case.description == "他拿着刀说要砍死我"
    assert any(cue.startswith("emergency:") for cue in case.risk_cues)
    assert case_slot["case_id"] in text and "15分钟" in text


async def test_a_second_cry_for_help_reuses_the_open_emergency_case(store: CaseStore, tracker_with) -> None:
    first = CollectingDispatcher()
    events = await ActionEscalateEmergency().run(
        first, tracker_with("legal_question", text="救命", intent="emergency", message_id="a"), domain={}
    )
    case_slot = next(e["value"] for e in events if e["event"] == "slot" and e["name"] == "case")
    second = CollectingDispatcher()
    tracker = tracker_with(
        "legal_question", text="快来人", intent="emergency", message_id="b", slots={"case": case_slot}
    )
    await ActionEscalateEmergency().run(second, tracker, domain={})
    assert case_slot["case_id"] in second.messages[0]["text"]
    with store.session() as session:
        from sqlalchemy import func, select

        from cases.models import Case

        assert session.scalar(select(func.count()).select_from(Case)) == 1


async def test_store_outage_never_holds_back_110(tiny_settings, tracker_with, monkeypatch) -> None:
    unreachable = CaseStore("postgresql://nobody@127.0.0.1:1/none", attempts=1, migrate=False)
    monkeypatch.setattr("actions.action_escalate_emergency.case_store", lambda: unreachable)
    dispatcher = CollectingDispatcher()
    events = await ActionEscalateEmergency().run(
        dispatcher, tracker_with("legal_question", text="救命", intent="emergency"), domain={}
    )
    assert "110" in dispatcher.messages[0]["text"]
    assert SlotSet("risk_level", "emergency") in events


async def test_a_number_given_after_the_emergency_reaches_the_case(store: CaseStore, tracker_with) -> None:
    from actions.action_validate_slot_mappings import ValidateSlotMappings

    events = await ActionEscalateEmergency().run(
        CollectingDispatcher(),
        tracker_with("legal_question", text="救命 他要打死我", intent="emergency", message_id="x"),
        domain={},
    )
    case_slot = next(e["value"] for e in events if e["event"] == "slot" and e["name"] == "case")
    dispatcher = CollectingDispatcher()
    tracker = tracker_with("legal_question", text="我电话13912345678", intent="affirm", slots={"case": case_slot})
    result = await ValidateSlotMappings().extract_emergency_contact(dispatcher, tracker, {})
    assert result == {"emergency_contact": "13912345678"}
    assert store.get(case_slot["case_id"]).resident_phone == "13912345678"
    assert case_slot["case_id"] in dispatcher.messages[0]["text"]
    assert [e.kind for e in store.get(case_slot["case_id"]).events] == ["created", "contact_added"]
