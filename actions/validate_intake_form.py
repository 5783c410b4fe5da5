"""Checks each intake answer, and lets the resident cancel or correct at any point."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions._intake import (
    FIELD_LABELS,
    clean_counterparty,
    clean_description,
    clean_dispute_type,
    clean_name,
    clean_village,
    edit_target,
    hardship_answer,
    is_cancel,
    is_confirm,
    wants_edit,
)
from actions._slots import value_before_latest_message
from triage import parse_phone

Slots = dict[str, Any]


def _text(tracker: Tracker) -> str:
    return ((tracker.latest_message or {}).get("text") or "").strip()


def _intent(tracker: Tracker) -> str:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""


def _keep_unless_asked(tracker: Tracker, slot: str) -> tuple[bool, Any]:
    """Whether a value picked up in passing must not replace the one the resident gave.

    "邻居李四" answers "who is the other party?" and also mentions a neighbour; it must not turn
    a homestead case into a neighbour dispute. A value changes when it is the question being
    answered, when the slot was empty, or when the resident says it is a correction.
    """
    previous = value_before_latest_message(tracker, slot)
    asked = tracker.get_slot("requested_slot") == slot
    return (not asked and previous is not None and not wants_edit(_text(tracker))), previous


_PARTICLES = "啊呀吧呢哈嘛哦噢"


def _name_answer(tagged: str | None, typed: str) -> str | None:
    """The name in an answer to "请问您怎么称呼": the tagged span, or the whole answer when that is a name.

    The tagger finds the name inside "俺是村东头的老李", but it can also cut one short ("刘" of
    "刘桂兰"). An answer of at most four characters that starts with the tagged span is a bare
    name, and is taken whole.
    """
    whole, span = clean_name(typed), clean_name(tagged or "")
    if span and whole and whole.startswith(span) and len(whole) <= 4 and whole[-1] not in _PARTICLES:
        return whole
    return span or whole


def _entity(tracker: Tracker, name: str) -> str | None:
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == name and entity.get("value"):
            return str(entity["value"])
    return None


class ValidateIntakeForm(FormValidationAction):
    def name(self) -> str:
        return "validate_intake_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        """Legal aid needs one more answer: the economic-hardship pre-check, asked before the read-back."""
        slots = [slot for slot in domain_slots if slot != "legal_aid_eligible"]
        if tracker.get_slot("handoff_kind") == "legal_aid":
            slots.insert(
                slots.index("intake_confirmed") if "intake_confirmed" in slots else len(slots), "legal_aid_eligible"
            )
        return slots

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        text = _text(tracker)
        if is_cancel(text):
            return [SlotSet("intake_status", "cancelled"), SlotSet("requested_slot", None)]
        field = edit_target(text)
        if field and not (field == "phone" and parse_phone(text)):
            dispatcher.utter_message(text=f"好的，请重新说一下{FIELD_LABELS[field]}。")
            return [
                SlotSet(field, None),
                SlotSet("intake_confirmed", None),
                SlotSet("intake_editing", None),
                SlotSet("requested_slot", field),
            ]
        return await super().run(dispatcher, tracker, domain)

    def validate_resident_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        name = _name_answer(_entity(tracker, "person"), str(value or ""))
        if name is None:
            dispatcher.utter_message(text="只说您的名字或者怎么称呼您就行，比如“王大山”或“老王”。")
        return {"resident_name": name}

    def validate_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        keep, previous = _keep_unless_asked(tracker, "phone")
        if keep:
            return {"phone": previous}
        phone = parse_phone(str(value or "")) or parse_phone(_text(tracker))
        if phone is None and tracker.get_slot("requested_slot") == "phone":
            dispatcher.utter_message(text="这个号码好像不对。手机号是11位，座机请带区号，比如 0371-65432100。")
        if phone is None and tracker.get_slot("requested_slot") != "phone":
            # A number mentioned in passing that does not parse must not wipe a good one.
            return {"phone": tracker.get_slot("phone") if _is_valid(tracker.get_slot("phone")) else None}
        return {"phone": phone}

    def validate_village(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        village = clean_village(str(value or ""))
        if village is None:
            dispatcher.utter_message(text="说村名就行，比如“青石湾村”。")
        return {"village": village}

    def validate_dispute_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        keep, previous = _keep_unless_asked(tracker, "dispute_type")
        if keep:
            return {"dispute_type": previous}
        dispute_type = clean_dispute_type(str(value or ""))
        if dispute_type is None:
            dispatcher.utter_message(text="没听明白是哪类事，您点一下最接近的选项，拿不准就选“其他”。")
        return {"dispute_type": dispute_type}

    def validate_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        description = clean_description(str(value or ""))
        if description is None:
            dispatcher.utter_message(text="请多说几句：什么时候、因为什么事、现在怎么样了。")
        return {"description": description}

    def validate_counterparty(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        return {"counterparty": clean_counterparty(str(value or ""))}

    def validate_legal_aid_eligible(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        answer = hardship_answer(_text(tracker), _intent(tracker))
        if answer is None:
            dispatcher.utter_message(text="请回答“是”或“不是”：家里是不是经济困难？")
        return {"legal_aid_eligible": answer}

    def validate_intake_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        text = _text(tracker)
        if _intent(tracker) == "affirm" or is_confirm(text):
            return {"intake_confirmed": "yes", "intake_status": "confirmed", "intake_editing": None}
        if _intent(tracker) == "deny" or wants_edit(text):
            return {"intake_confirmed": None, "intake_editing": True}
        dispatcher.utter_message(text="信息对的话请点“确认提交”；要改就点“修改”；不登记了就点“取消”。")
        return {"intake_confirmed": None}


def _is_valid(phone: Any) -> bool:
    return bool(phone) and parse_phone(str(phone)) is not None
