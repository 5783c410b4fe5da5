"""The intake form that listens: every message may fill several fields, the story is kept, questions are answered.

Residents tell the story first and give name and phone together; the form follows them:

* **Every fact in every message** (``triage.facts.read_facts``, the same reader as the hotline
  assist's) fills the fields it answers: "俺叫宋玉兰 电话18937465500" gives name and phone at once,
  "俺是他闺女 叫李秀兰" name and who is asking for whom. A value said in passing fills an empty
  field only (the read-back shows it); the question being answered, or a correction, replaces it.
* **The story is kept**: a message that tells what happened, whatever was asked, is added to the
  description, and its facts (the other side, the amount, when) fill their fields.
* **A question is answered** ("那请律师要钱不"): from the matter's guide, then the form goes on.
* Cancel and correct at any step, read-back before filing, as before.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions._intake import (
    FIELD_LABELS,
    MAX_DESCRIPTION,
    asks_about_privacy,
    clean_counterparty,
    clean_description,
    clean_dispute_type,
    declines_notice,
    edit_target,
    hardship_answer,
    hardship_told,
    is_cancel,
    is_confirm,
    wants_edit,
)
from actions._replies import send_reply
from actions._resources import advisor
from actions._slots import value_before_latest_message
from actions._story_type import story_type
from cases.consent import notice_details
from cunfa.settings import get_settings
from knowledge import KnowledgeError
from knowledge.guides import GuideFormatError
from knowledge.guides.policy import Turn
from knowledge.guides.render import brief_answer, section_answer
from triage import parse_phone
from triage.asking import asks_rather_than_requests
from triage.contacts import mobile_shaped
from triage.facts import Facts, merge_relation, read_facts

logger = logging.getLogger(__name__)

Slots = dict[str, Any]

#: Form slot → the fact ``read_facts`` calls it.
FACT_OF_SLOT = {
    "resident_name": "name",
    "phone": "phone",
    "village": "village",
    "counterparty": "counterparty",
    "dispute_type": "dispute_type",
    "description": "description",
}
#: Facts said in passing fill these slots when they are empty.
PASSING = ("resident_name", "phone", "village", "counterparty", "dispute_type", "amount", "incident_date")
#: After a correction that names its new value: the read-back again. ``requested_slot`` is set here,
#: or Rasa would ask the next empty slot of the domain's list (the legal-aid check, on any request).
READ_BACK_AGAIN = [
    SlotSet("intake_confirmed", None),
    SlotSet("intake_editing", None),
    SlotSet("requested_slot", "intake_confirmed"),
]
_REQUEST_PAYLOAD = re.compile(r"^/(?:request_lawyer|request_mediation|report_dispute|legal_aid)\b")
#: Longer than this, an answer to "哪方面的事" is more of the story, not the name of a type.
SHORT_ANSWER = 12
_UNKNOWN = ("不知道", "不清楚", "不晓得", "说不清", "说不好", "拿不准")
_UNKNOWN_VILLAGE = ("不知道", "不清楚", "不晓得", "说不清", "不记得")


def _text(tracker: Tracker) -> str:
    return ((tracker.latest_message or {}).get("text") or "").strip()


def _intent(tracker: Tracker) -> str:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""


def _facts(tracker: Tracker) -> Facts:
    requested = tracker.get_slot("requested_slot")
    asked = frozenset({FACT_OF_SLOT[requested]}) if requested in FACT_OF_SLOT else frozenset()
    return read_facts(_text(tracker), asked=asked)


def _keep_unless_asked(tracker: Tracker, slot: str) -> tuple[bool, Any]:
    """Whether a value picked up in passing must not replace the one the resident gave.

    "邻居李四" answers "who is the other party?" and also mentions a neighbour; it must not turn
    a homestead case into a neighbour dispute. A value changes when it is the question being
    answered, when the slot was empty, or when the resident says it is a correction.
    """
    previous = value_before_latest_message(tracker, slot)
    asked = tracker.get_slot("requested_slot") == slot
    corrected = FACT_OF_SLOT.get(slot, slot) in _facts(tracker).corrected or wants_edit(_text(tracker))
    return (not asked and previous is not None and not corrected), previous


def _with_story(current: str | None, text: str) -> str:
    """The description with one more part of the story (never the same part twice)."""
    piece = clean_description(text) or ""
    if not current:
        return piece
    if piece in current:
        return current
    return f"{current} {piece}"[:MAX_DESCRIPTION]


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
        if _intent(tracker) == "emergency":
            # Danger (the intent is emergency exactly when the risk engine says so): fill nothing, so Rasa
            # rejects the form and the rule "danger interrupts the intake form" gives 110/120 at once. A slot
            # filled from the same words (the story, the other side) would keep the form going instead.
            return []
        text = _text(tracker)
        requested = tracker.get_slot("requested_slot")
        if _REQUEST_PAYLOAD.match(text) and requested:
            # The request button tapped again instead of an answer ("/request_mediation" while asked what
            # happened): not a fact. The question is asked again.
            return [SlotSet(requested, None)]
        if is_cancel(text):
            return [SlotSet("intake_status", "cancelled"), SlotSet("requested_slot", None)]
        if declines_notice(text):
            return [SlotSet("intake_status", "declined"), SlotSet("requested_slot", None)]
        requested = tracker.get_slot("requested_slot")
        if asks_about_privacy(text):
            settings = get_settings()
            dispatcher.utter_message(
                text=notice_details(settings.retention_conversation_days, settings.retention_closed_case_days)
            )
            dispatcher.utter_message(text="我们接着登记：")
            return [SlotSet(requested, None)] if requested else []
        field = edit_target(text)
        if field:
            corrected = read_facts(text, asked=frozenset({FACT_OF_SLOT.get(field, field)})).get(
                FACT_OF_SLOT.get(field, field)
            )
            if corrected and field != "description":
                # "电话错了 是13812345679": the new value is in the correction; read it back again.
                return [SlotSet(field, corrected), *READ_BACK_AGAIN]
            dispatcher.utter_message(text=f"好的，请重新说一下{FIELD_LABELS[field]}。")
            return [
                SlotSet(field, None),
                SlotSet("intake_confirmed", None),
                SlotSet("intake_editing", None),
                SlotSet("requested_slot", field),
            ]
        facts = _facts(tracker)
        if requested == "intake_confirmed" and facts.found and (facts.correction or wants_edit(text)):
            # A correction that names its new value ("不是三万 是三万五"): take it and read back again.
            return self._passing_facts(tracker, facts, None, text, corrections=True) + READ_BACK_AGAIN
        if self._answer_question(dispatcher, tracker, text, requested, facts):
            return [SlotSet(requested, None)] if requested else []
        extra = self._passing_facts(tracker, facts, requested, text)
        tracker.add_slots(extra)
        events = await super().run(dispatcher, tracker, domain)
        validated = {e.get("name") for e in events if e.get("event") == "slot"}
        return events + [e for e in extra if e["name"] not in validated]

    # --- what a message gives besides the answer ---------------------------------------------------------

    @staticmethod
    def _passing_facts(
        tracker: Tracker, facts: Facts, requested: str | None, text: str, *, corrections: bool = False
    ) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        for slot in PASSING:
            if slot == requested:
                continue  # the answer itself: its own validation decides
            fact = FACT_OF_SLOT.get(slot, slot)
            value = facts.get(fact)
            corrected = fact in facts.corrected or (corrections and not facts.corrected)
            if value and (not tracker.get_slot(slot) or corrected):
                events.append(SlotSet(slot, value))
        merged = merge_relation(
            tracker.get_slot("contact_relation"),
            tracker.get_slot("affected_person"),
            facts.relation,
            correction=facts.correction or corrections,
        )
        if merged:
            events += [SlotSet("contact_relation", merged[0]), SlotSet("affected_person", merged[1])]
        if (
            tracker.get_slot("handoff_kind") == "legal_aid"
            and requested != "legal_aid_eligible"
            and not tracker.get_slot("legal_aid_eligible")
            and hardship_told(text)
        ):
            events.append(SlotSet("legal_aid_eligible", "yes"))  # "俺们孤儿寡母的": the pre-check is answered
        if facts.story and requested not in ("description", "intake_confirmed"):
            description = _with_story(tracker.get_slot("description"), text)
            events.append(SlotSet("description", description))
            told = story_type(description)
            if told and not _answered(tracker, "dispute_type"):
                # The whole story names the type better than its first sentence did.
                events = [e for e in events if e["name"] != "dispute_type"] + [SlotSet("dispute_type", told)]
        return events

    @staticmethod
    def _answer_question(
        dispatcher: CollectingDispatcher, tracker: Tracker, text: str, requested: str | None, facts: Facts
    ) -> bool:
        """A legal question asked in the middle of the form is answered; the form then asks again."""
        if requested in (None, "description") or not asks_rather_than_requests(text):
            return False
        if requested in FACT_OF_SLOT and facts.get(FACT_OF_SLOT[requested]):
            return False  # it also answers what was asked ("俺叫王芳 能快点不"): an answer, not a question
        if requested == "dispute_type" and facts.story and story_type(text):
            return False  # asked the type, the resident retold the story ("…缝了十几针…"): that answers it
        try:
            advice = advisor().advise(Turn(text, current_matter=tracker.get_slot("matter")))
        except (KnowledgeError, GuideFormatError):
            logger.exception("intake: a question in the form could not be answered")
            return False
        if advice.kind == "section":
            send_reply(dispatcher, section_answer(advice), citations=advice.citations)
        elif advice.kind == "answer" and advice.guide is not None:
            send_reply(dispatcher, brief_answer(advice), citations=advice.citations)
        else:
            return False
        dispatcher.utter_message(text="我们接着登记：")
        return True

    # --- the answer to the question asked -------------------------------------------------------------

    def validate_resident_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        facts = _facts(tracker)
        name = facts.name
        if name is None:
            if facts.story:
                dispatcher.utter_message(text="好的，这些情况我都记下了。")
            else:
                dispatcher.utter_message(text="只说您的名字或者怎么称呼您就行，比如“王大山”或“老王”。")
        return {"resident_name": name}

    def validate_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        keep, previous = _keep_unless_asked(tracker, "phone")
        if keep:
            return {"phone": previous}
        phone = parse_phone(str(value or "")) or parse_phone(_text(tracker)) or _facts(tracker).phone
        if phone is None and tracker.get_slot("requested_slot") == "phone":
            insisted = mobile_shaped(_text(tracker))
            if insisted and _told_before(tracker, insisted):
                # The same 11 digits again after the hint: a new or unusual number, taken as told (the handler
                # confirms it on the first call) rather than asked for forever.
                return {"phone": insisted}
            dispatcher.utter_message(text="这个号码好像不对。手机号是11位，座机请带区号，比如 0371-65432100。")
        if phone is None and tracker.get_slot("requested_slot") != "phone":
            # A number mentioned in passing that does not parse must not wipe a good one.
            return {"phone": tracker.get_slot("phone") if _is_valid(tracker.get_slot("phone")) else None}
        return {"phone": phone}

    def validate_village(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        text = _text(tracker)
        if tracker.get_slot("requested_slot") != "village":
            return {"village": value}
        if any(word in text for word in _UNKNOWN_VILLAGE):
            return {"village": "不清楚"}
        village = _facts(tracker).village
        if village is None or len(village) > 30:
            dispatcher.utter_message(text="说村名就行，比如“青石湾村”；不知道就说“不清楚”。")
            return {"village": None}
        return {"village": village}

    def validate_dispute_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        keep, previous = _keep_unless_asked(tracker, "dispute_type")
        if keep:
            return {"dispute_type": previous}
        text = _text(tracker)
        told_more = _facts(tracker).story and len(text) > SHORT_ANSWER
        if told_more:
            # Asked the type, the resident told more of the story: the whole story names it best.
            whole = _with_story(value_before_latest_message(tracker, "description"), text)
            dispute_type = story_type(whole) or clean_dispute_type(str(value or ""))
        else:
            dispute_type = clean_dispute_type(str(value or "")) or story_type(str(value or ""))
        if dispute_type is None:
            if told_more or any(word in text for word in _UNKNOWN) or _asked_twice(tracker, "哪方面的事"):
                # A story that names no type, "不知道", or asked twice already: "其他", staff sort it out;
                # asking an elderly resident again for a category does not make it clearer.
                return {"dispute_type": "other"}
            dispatcher.utter_message(text="没听明白是哪类事，您点一下最接近的选项，拿不准就选“其他”。")
        return {"dispute_type": dispute_type}

    def validate_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if tracker.get_slot("requested_slot") != "description":
            return {"description": value}  # added to by _passing_facts, already cleaned
        description = clean_description(str(value or ""))
        if description is None:
            dispatcher.utter_message(text="请多说几句：什么时候、因为什么事、现在怎么样了。")
        return {"description": description}

    def validate_counterparty(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if tracker.get_slot("requested_slot") != "counterparty":
            return {"counterparty": value}
        return {"counterparty": _facts(tracker).counterparty or clean_counterparty(str(value or ""))}

    def validate_legal_aid_eligible(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        answer = hardship_answer(_text(tracker), _intent(tracker))
        if answer is None and _asked_twice(tracker, "低保户"):
            # Twice without a yes or a no: the legal-aid centre checks the conditions when it calls.
            return {"legal_aid_eligible": "unknown"}
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


def _answered(tracker: Tracker, slot: str) -> bool:
    """Whether the resident answered the form's question for ``slot`` (not a value picked up in passing)."""
    asked = False
    for event in tracker.events:
        if event.get("event") == "slot" and event.get("name") == "requested_slot":
            asked = event.get("value") == slot
        elif asked and event.get("event") == "user":
            return True
    return False


def _asked_twice(tracker: Tracker, question: str) -> bool:
    """Whether the form has asked the question (a phrase of its prompt) twice already in this intake."""
    asks = 0
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") == "action_start_intake":
            break
        if event.get("event") == "bot" and question in (event.get("text") or ""):
            asks += 1
    return asks >= 2


def _told_before(tracker: Tracker, digits: str) -> bool:
    """Whether a message of this intake before the latest one held the same 11 digits."""
    said: list[str] = []
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") == "action_start_intake":
            break
        if event.get("event") == "user":
            said.append(event.get("text") or "")
    return any(mobile_shaped(text) == digits for text in said[1:])  # said[0] is the latest message


def _is_valid(phone: Any) -> bool:
    return bool(phone) and parse_phone(str(phone)) is not None
