from __future__ import annotations

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.action_check_case_status import MAX_FAILURES, ActionCheckCaseStatus
from cases import CaseIntake, CaseStore


def _file(store: CaseStore) -> str:
    return store.create(
        CaseIntake(description="工钱没给", channel="web", phone="13912345678", dispute_type="wage_arrears")
    ).number


async def test_status_with_number_and_last_four(store: CaseStore, tracker_with) -> None:
    number = _file(store)
    dispatcher = CollectingDispatcher()
    tracker = tracker_with("legal_question", slots={"case_number": number, "phone_last4": "5678"})
    events = await ActionCheckCaseStatus().run(dispatcher, tracker, domain={})
    assert "已受理" in dispatcher.messages[0]["text"] and "村法律顾问" in dispatcher.messages[0]["text"]
    assert "工钱" not in dispatcher.messages[0]["text"]
    assert SlotSet("case_number", None) in events


async def test_wrong_digits_reveal_nothing_and_count(store: CaseStore, tracker_with) -> None:
    number = _file(store)
    dispatcher = CollectingDispatcher()
    tracker = tracker_with("legal_question", slots={"case_number": number, "phone_last4": "0000"})
    events = await ActionCheckCaseStatus().run(dispatcher, tracker, domain={})
    assert "没有查到" in dispatcher.messages[0]["text"]
    assert SlotSet("status_failures", 1) in events


async def test_too_many_failures_stop_the_lookup(store: CaseStore, tracker_with) -> None:
    number = _file(store)
    dispatcher = CollectingDispatcher()
    tracker = tracker_with(
        "legal_question", slots={"case_number": number, "phone_last4": "5678", "status_failures": MAX_FAILURES}
    )
    await ActionCheckCaseStatus().run(dispatcher, tracker, domain={})
    assert "次数太多" in dispatcher.messages[0]["text"]
