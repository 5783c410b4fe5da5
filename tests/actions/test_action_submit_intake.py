from __future__ import annotations

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.action_submit_intake import ActionSubmitIntake
from cases import CaseStore


async def test_confirmed_intake_is_committed_before_the_number_is_given(store: CaseStore, tracker_with) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitIntake().run(dispatcher, tracker_with("intake_confirmed"), domain={})
    case_slot = next(e["value"] for e in events if e["event"] == "slot" and e["name"] == "case")
    case = store.get(case_slot["case_id"])
    assert case.resident_name == "王大山" and case.resident_phone == "13912345678"
    assert case.dispute_type == "homestead" and case.handler_role == "mediator" and case.requested == "mediation"
    assert case.risk_level == "medium" and case.risk_cues == ["medium:repeated conflict"]
    assert case.channel == "wechat" and case.conversation_id == "wechat:oResident42"
    assert case.context["citations"][0]["citation"] == "中华人民共和国民法典第二百八十八条"
    assert [line["speaker"] for line in case.context["transcript"]][:2] == ["resident", "assistant"]
    [message] = dispatcher.messages
    assert case.number in message["text"]
    assert "139****5678" in message["text"] and "13912345678" not in message["text"]
    assert "12小时" in message["text"]  # medium risk: the same day (cases.routing.RISK_SLA)
    assert SlotSet("description", None) in events and SlotSet("intake_status", None) in events


async def test_a_retried_confirmation_files_one_case(store: CaseStore, tracker_with) -> None:
    first, second = CollectingDispatcher(), CollectingDispatcher()
    await ActionSubmitIntake().run(first, tracker_with("intake_confirmed"), domain={})
    await ActionSubmitIntake().run(second, tracker_with("intake_confirmed"), domain={})
    assert first.messages[0]["text"] == second.messages[0]["text"]
    with store.session() as session:
        from sqlalchemy import func, select

        from cases.models import Case

        assert session.scalar(select(func.count()).select_from(Case)) == 1


async def test_cancelled_intake_stores_nothing(store: CaseStore, tracker_with) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitIntake().run(
        dispatcher, tracker_with("intake_confirmed", slots={"intake_status": "cancelled"}), domain={}
    )
    assert dispatcher.messages[0]["response"] == "utter_intake_cancelled"
    assert not any(e["event"] == "slot" and e["name"] == "case" for e in events)
    with store.session() as session:
        from sqlalchemy import func, select

        from cases.models import Case

        assert session.scalar(select(func.count()).select_from(Case)) == 0


async def test_database_down_tells_the_resident_and_keeps_the_facts(tiny_settings, tracker_with, monkeypatch) -> None:
    unreachable = CaseStore("postgresql://nobody@127.0.0.1:1/none", attempts=2, backoff_s=0.01, migrate=False)
    monkeypatch.setattr("actions.action_submit_intake.case_store", lambda: unreachable)
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitIntake().run(dispatcher, tracker_with("intake_confirmed"), domain={})
    assert "没能保存" in dispatcher.messages[0]["text"]
    assert dispatcher.messages[0]["buttons"][0]["payload"] == "/report_dispute"
    slots = {e["name"] for e in events if e["event"] == "slot"}
    assert slots == {"intake_confirmed", "intake_status"}  # the collected facts stay in the conversation


async def test_legal_aid_without_hardship_goes_to_the_legal_adviser(store: CaseStore, tracker_with) -> None:
    dispatcher = CollectingDispatcher()
    tracker = tracker_with("intake_confirmed", slots={"handoff_kind": "legal_aid", "legal_aid_eligible": "no"})
    events = await ActionSubmitIntake().run(dispatcher, tracker, domain={})
    case_slot = next(e["value"] for e in events if e["event"] == "slot" and e["name"] == "case")
    assert case_slot["handler_role"] == "lawyer"
    assert "法律援助的经济困难条件" in dispatcher.messages[0]["text"]
    assert store.get(case_slot["case_id"]).context["legal_aid_eligible"] is False
