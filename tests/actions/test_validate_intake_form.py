from __future__ import annotations

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.validate_intake_form import ValidateIntakeForm

DOMAIN = {
    "slots": {},
    "forms": {
        "intake_form": {
            "required_slots": [
                "resident_name",
                "phone",
                "village",
                "dispute_type",
                "description",
                "counterparty",
                "intake_confirmed",
            ]
        }
    },
}


async def test_cancel_at_any_question_ends_the_form(tracker_with) -> None:
    tracker = tracker_with("intake_confirmed", text="算了不办了", slots={"requested_slot": "village"})
    tracker.latest_message["text"] = "不办了"
    events = await ValidateIntakeForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert events == [SlotSet("intake_status", "cancelled"), SlotSet("requested_slot", None)]


async def test_correction_reopens_the_named_field(tracker_with) -> None:
    dispatcher = CollectingDispatcher()
    tracker = tracker_with("intake_confirmed", text="电话写错了", slots={"requested_slot": "intake_confirmed"})
    events = await ValidateIntakeForm().run(dispatcher, tracker, DOMAIN)
    assert SlotSet("phone", None) in events and SlotSet("requested_slot", "phone") in events
    assert "电话" in dispatcher.messages[0]["text"]


def test_phone_is_validated_and_normalised(tracker_with) -> None:
    form = ValidateIntakeForm()
    tracker = tracker_with("intake_confirmed", text="139 1234 5678", slots={"requested_slot": "phone"})
    assert form.validate_phone("139 1234 5678", CollectingDispatcher(), tracker, {}) == {"phone": "13912345678"}
    dispatcher = CollectingDispatcher()
    tracker = tracker_with("intake_confirmed", text="12345", slots={"requested_slot": "phone"})
    assert form.validate_phone("12345", dispatcher, tracker, {}) == {"phone": None}
    assert "11位" in dispatcher.messages[0]["text"]


def test_landline_is_accepted(tracker_with) -> None:
    tracker = tracker_with("intake_confirmed", text="0371-65432100", slots={"requested_slot": "phone"})
    assert ValidateIntakeForm().validate_phone("0371-65432100", CollectingDispatcher(), tracker, {}) == {
        "phone": "0371-65432100"
    }


def test_confirmation_needs_a_yes(tracker_with) -> None:
    form = ValidateIntakeForm()
    yes = tracker_with("intake_confirmed", text="/affirm", intent="affirm")
    assert form.validate_intake_confirmed("/affirm", CollectingDispatcher(), yes, {})["intake_status"] == "confirmed"
    edit = tracker_with("intake_confirmed", text="修改", intent="deny")
    assert form.validate_intake_confirmed("修改", CollectingDispatcher(), edit, {}) == {
        "intake_confirmed": None,
        "intake_editing": True,
    }
    dispatcher = CollectingDispatcher()
    unclear = tracker_with("intake_confirmed", text="今天天气咋样", intent="out_of_scope")
    assert form.validate_intake_confirmed("今天天气咋样", dispatcher, unclear, {}) == {"intake_confirmed": None}
    assert "确认提交" in dispatcher.messages[0]["text"]


def test_dispute_type_from_a_button_or_words(tracker_with) -> None:
    form = ValidateIntakeForm()
    tracker = tracker_with("intake_confirmed", text="欠工钱")
    assert form.validate_dispute_type("欠工钱", CollectingDispatcher(), tracker, {}) == {"dispute_type": "wage_arrears"}


def test_a_type_mentioned_in_passing_does_not_replace_the_answer(tracker_with) -> None:
    tracker = tracker_with(
        "intake_confirmed", text="邻居李四", slots={"requested_slot": "counterparty", "dispute_type": "neighbor"}
    )
    tracker.events.extend(
        [
            {"event": "slot", "name": "dispute_type", "value": "homestead"},
            {"event": "user", "text": "邻居李四"},
            {"event": "slot", "name": "dispute_type", "value": "neighbor"},
        ]
    )
    result = ValidateIntakeForm().validate_dispute_type("neighbor", CollectingDispatcher(), tracker, {})
    assert result == {"dispute_type": "homestead"}


def test_a_phone_mentioned_in_passing_does_not_replace_the_residents(tracker_with) -> None:
    tracker = tracker_with("intake_confirmed", text="对方电话是13700000000", slots={"requested_slot": "counterparty"})
    tracker.events.extend(
        [{"event": "slot", "name": "phone", "value": "13912345678"}, {"event": "user", "text": "对方电话是13700000000"}]
    )
    assert ValidateIntakeForm().validate_phone("13700000000", CollectingDispatcher(), tracker, {}) == {
        "phone": "13912345678"
    }


async def test_legal_aid_adds_the_hardship_question_before_the_read_back(tracker_with) -> None:
    form = ValidateIntakeForm()
    slots = DOMAIN["forms"]["intake_form"]["required_slots"] + ["legal_aid_eligible"]
    legal_aid = tracker_with("intake_confirmed", slots={"handoff_kind": "legal_aid"})
    required = await form.required_slots(slots, CollectingDispatcher(), legal_aid, DOMAIN)
    assert required[-2:] == ["legal_aid_eligible", "intake_confirmed"]
    mediation = tracker_with("intake_confirmed", slots={"handoff_kind": "mediation"})
    assert "legal_aid_eligible" not in await form.required_slots(slots, CollectingDispatcher(), mediation, DOMAIN)


def test_a_name_the_tagger_cut_short_is_taken_whole(tracker_with) -> None:
    from actions.validate_intake_form import _name_answer

    assert _name_answer("刘", "刘桂兰") == "刘桂兰"
    assert _name_answer("刘桂兰", "刘桂兰") == "刘桂兰"
    assert _name_answer("老李", "俺是村东头的老李") == "老李"
    assert _name_answer("王大山", "王大山啊") == "王大山"
    assert _name_answer("王大山", "我叫王大山") == "王大山"
    assert _name_answer(None, "周建国") == "周建国"
    assert _name_answer(None, "你问这个干啥？") is None
