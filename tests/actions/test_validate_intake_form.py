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


def test_a_type_answered_with_more_of_the_story_is_read_from_the_whole_story(tracker_with) -> None:
    form = ValidateIntakeForm()
    text = "俺爹走了以后 老房子叫俺姐偷着卖了 钱一分没给俺"
    tracker = answering(tracker_with, "dispute_type", text)
    assert form.validate_dispute_type(text, CollectingDispatcher(), tracker, {}) == {"dispute_type": "inheritance"}


def test_a_type_nobody_can_name_is_other_without_asking_again(tracker_with) -> None:
    form = ValidateIntakeForm()
    for text in ["不知道", "就是那个事呗 俺也说不上来是啥 反正挺窝囊的"]:
        dispatcher = CollectingDispatcher()
        tracker = answering(tracker_with, "dispute_type", text)
        assert form.validate_dispute_type(text, dispatcher, tracker, {}) == {"dispute_type": "other"}
        assert not dispatcher.messages


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


def answering(tracker_with, slot: str, text: str, **slots: object):
    """A tracker in which the resident just answered the form's question for ``slot`` with ``text``
    (Rasa's from_text mapping has put the raw text in the slot, as it does before validation)."""
    tracker = tracker_with("intake_confirmed", text=text, slots={"requested_slot": slot, **slots})
    tracker.slots[slot] = text
    tracker.events.extend([{"event": "user", "text": text}, {"event": "slot", "name": slot, "value": text}])
    return tracker


def slots_of(events: list) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_name_and_phone_given_together_fill_both(tracker_with) -> None:
    tracker = answering(tracker_with, "resident_name", "俺叫宋玉兰 电话18937465500", resident_name=None, phone=None)
    events = await ValidateIntakeForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert slots_of(events)["resident_name"] == "宋玉兰" and slots_of(events)["phone"] == "18937465500"


async def test_a_daughter_asking_gives_name_phone_and_who_she_asks_for(tracker_with) -> None:
    text = "俺是他闺女 叫李秀兰 手机15937651234"
    tracker = answering(tracker_with, "resident_name", text, resident_name=None, phone=None)
    got = slots_of(await ValidateIntakeForm().run(CollectingDispatcher(), tracker, DOMAIN))
    assert got["resident_name"] == "李秀兰" and got["phone"] == "15937651234"
    assert got["contact_relation"] == "daughter"


async def test_name_and_an_unregistered_village_in_one_answer(tracker_with) -> None:
    tracker = answering(tracker_with, "resident_name", "俺叫葛小军 柳河村的", resident_name=None, village=None)
    got = slots_of(await ValidateIntakeForm().run(CollectingDispatcher(), tracker, DOMAIN))
    assert got["resident_name"] == "葛小军" and got["village"] == "柳河村"


async def test_a_village_without_its_suffix_is_recorded_as_a_clerk_writes_it(tracker_with) -> None:
    tracker = answering(tracker_with, "village", "俺是石门沟的 三组", village=None)
    got = slots_of(await ValidateIntakeForm().run(CollectingDispatcher(), tracker, DOMAIN))
    assert got["village"] == "石门沟村"


async def test_a_story_told_when_asked_for_a_name_is_kept(tracker_with) -> None:
    story = "包工头欠了俺们六个人三万多块 过年都没给 人也找不着了"
    tracker = answering(tracker_with, "resident_name", story, resident_name=None, description=None, counterparty=None)
    dispatcher = CollectingDispatcher()
    got = slots_of(await ValidateIntakeForm().run(dispatcher, tracker, DOMAIN))
    assert got["resident_name"] is None  # still to be asked
    assert got["description"] == story and got["counterparty"] == "包工头" and got["amount"].startswith("30000")
    assert "记下了" in dispatcher.messages[0]["text"]


async def test_a_correction_at_the_read_back_that_names_the_new_value_is_taken(tracker_with) -> None:
    tracker = tracker_with(
        "intake_confirmed", text="电话错了 是13812345679", slots={"requested_slot": "intake_confirmed"}
    )
    got = slots_of(await ValidateIntakeForm().run(CollectingDispatcher(), tracker, DOMAIN))
    assert got == {
        "phone": "13812345679",
        "intake_confirmed": None,
        "intake_editing": None,
        "requested_slot": "intake_confirmed",  # read back again, never the domain's next slot
    }


async def test_a_read_back_correction_takes_the_value_after_not_x_but_y(tracker_with) -> None:
    text = "村名不对，不是杏花村，是杏林村，我说快了"
    tracker = tracker_with("intake_confirmed", text=text, slots={"requested_slot": "intake_confirmed"})
    got = slots_of(await ValidateIntakeForm().run(CollectingDispatcher(), tracker, DOMAIN))
    assert got["village"] == "杏林村" and got["requested_slot"] == "intake_confirmed"


async def test_a_phone_corrected_while_another_question_is_open_replaces_the_wrong_one(tracker_with) -> None:
    text = "刚才那个号是我老公的，千万别打那个！我自己的是13597402286"
    tracker = answering(tracker_with, "village", text, phone="13597402268", village=None, counterparty="老公马东")
    tracker.events.insert(0, {"event": "slot", "name": "phone", "value": "13597402268"})
    got = slots_of(await ValidateIntakeForm().run(CollectingDispatcher(), tracker, DOMAIN))
    assert got["phone"] == "13597402286"
    assert got["village"] is None  # no village was given: asked again
    assert "counterparty" not in got  # "老公" in the correction does not replace "老公马东"


def test_a_name_is_read_from_the_answer(tracker_with) -> None:
    form = ValidateIntakeForm()
    for typed, name in [("刘桂兰", "刘桂兰"), ("我叫王大山", "王大山"), ("王大山啊", "王大山"), ("周建国", "周建国")]:
        tracker = answering(tracker_with, "resident_name", typed)
        assert form.validate_resident_name(typed, CollectingDispatcher(), tracker, {}) == {"resident_name": name}
    dispatcher = CollectingDispatcher()
    tracker = answering(tracker_with, "resident_name", "你问这个干啥？")
    assert form.validate_resident_name("你问这个干啥？", dispatcher, tracker, {}) == {"resident_name": None}
    assert "名字" in dispatcher.messages[0]["text"]


async def test_a_legal_question_in_the_middle_of_the_form_is_answered(
    tiny_settings,
    tracker_with,
) -> None:
    tracker = answering(tracker_with, "village", "离婚后孩子抚养费谁出啊", village=None, matter="child_custody")
    dispatcher = CollectingDispatcher()
    events = await ValidateIntakeForm().run(dispatcher, tracker, DOMAIN)
    assert events == [SlotSet("village", None)]  # asked again after the answer
    answer = dispatcher.messages[0]["custom"]
    assert answer["citations"] and "抚养费" in answer["text"]
    assert dispatcher.messages[1]["text"] == "我们接着登记："


async def test_danger_mid_form_fills_nothing_so_the_emergency_rule_takes_over(tracker_with) -> None:
    text = "俺男人拿着刀在院里 说今天非砍死俺不可 他是王二 俺家在柳河村"
    tracker = answering(tracker_with, "dispute_type", text, dispute_type=None)
    tracker.latest_message["intent"] = {"name": "emergency", "confidence": 1.0}
    assert await ValidateIntakeForm().run(CollectingDispatcher(), tracker, DOMAIN) == []


async def test_the_request_button_tapped_again_is_not_the_story(tracker_with) -> None:
    tracker = answering(tracker_with, "description", "/request_mediation", description=None)
    events = await ValidateIntakeForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert events == [SlotSet("description", None)]
