"""Begin the intake form: answer what the story asks, say who the case goes to, keep what was told.

A resident who asks for a person while telling the matter ("包工头跑了工钱不给 俺想找个律师") gets the
matter's short answer first (the same policy as every legal answer, ``knowledge.guides.policy``), then
the form: the answer is what they can act on today, the person is who acts with them.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions._cases import resolve_village
from actions._intake import clean_description, hardship_told, substantive
from actions._replies import send_reply
from actions._resources import advisor
from actions._story_type import HELP_GUIDES, story_type
from cases.consent import NOTICE_VERSION, short_notice
from cunfa.settings import get_settings
from knowledge import KnowledgeError
from knowledge.guides import Guide, GuideFormatError
from knowledge.guides.policy import Turn
from knowledge.guides.render import brief_answer
from triage.facts import merge_relation, read_facts

logger = logging.getLogger(__name__)

KIND_BY_INTENT = {
    "request_lawyer": "lawyer",
    "request_mediation": "mediation",
    "report_dispute": "report",
    "legal_aid": "legal_aid",
}
INTRO = {
    "lawyer": "好的，我帮您登记一下，转给村里的法律顾问（律师），他会打电话给您。",
    "mediation": "好的，我帮您登记一下，转给人民调解员，调解不收费。",
    "report": "好的，我帮您把这件事登记下来，交给调解员或法律顾问处理。",
    "legal_aid": "法律援助是免费的，家里经济困难的可以申请。我先帮您登记，法律援助中心会打电话核对条件。",
}


#: How far back a story told before asking for a person is looked for (user messages).
STORY_LOOKBACK = 4


def _story_before(tracker: Tracker) -> list[str]:
    """What the resident said before asking for a person, since the last intake ended: the story they
    told first ("包工头欠了俺们三万多块…" then "俺想找个律师") must not be asked for again."""
    texts: list[str] = []
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") == "action_submit_intake":
            break
        if event.get("event") == "user":
            text = (event.get("text") or "").strip()
            if text and not text.startswith("/"):
                texts.append(text)
            if len(texts) > STORY_LOOKBACK:
                break
    return list(reversed(texts))


def _facts_told(tracker: Tracker, texts: list[str]) -> list[dict[str, Any]]:
    """Name, phone, village, the other side, amount, date and who is asking for whom, from the story."""
    slots = {"resident_name": "name", "phone": "phone", "village": "village", "counterparty": "counterparty",
             "amount": "amount", "incident_date": "incident_date"}  # fmt: skip
    found: dict[str, Any] = {}
    relation: tuple[str | None, str | None] = (
        tracker.get_slot("contact_relation"),
        tracker.get_slot("affected_person"),
    )
    told_relation = False
    for text in texts:
        facts = read_facts(text)
        for slot, fact in slots.items():
            if facts.get(fact):
                found[slot] = facts.get(fact)
        merged = merge_relation(*relation, facts.relation)
        if merged:
            relation, told_relation = merged, True
    # The type the whole story names, not its first sentence; bare requests ("找个律师") name none.
    typed = story_type(" ".join(t for t in texts if substantive(t) or read_facts(t).story))
    if typed:
        found["dispute_type"] = typed
    events = [SlotSet(slot, value) for slot, value in found.items() if not tracker.get_slot(slot)]
    if told_relation:
        events += [SlotSet("contact_relation", relation[0]), SlotSet("affected_person", relation[1])]
    return events


class ActionStartIntake(Action):
    def name(self) -> str:
        return "action_start_intake"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        kind = KIND_BY_INTENT.get(intent or "", "report")
        events: list[dict[str, Any]] = [
            SlotSet("handoff_kind", kind),
            SlotSet("intake_confirmed", None),
            SlotSet("intake_status", None),
            SlotSet("intake_editing", None),
        ]
        text = (tracker.latest_message or {}).get("text") or ""
        story = [t for t in _story_before(tracker) if t != text] + ([text] if not text.startswith("/") else [])
        told = [t for t in story if substantive(t) or read_facts(t).story]
        if not tracker.get_slot("description") and told:
            events.append(SlotSet("description", clean_description(" ".join(told))))
        events += _facts_told(tracker, story)
        if kind == "legal_aid" and any(hardship_told(t) for t in story):
            events.append(SlotSet("legal_aid_eligible", "yes"))
        if substantive(text):
            guide = self._answer_first(dispatcher, tracker, text)
            if guide is not None:
                events.append(SlotSet("matter", guide.id))
                typed = tracker.get_slot("dispute_type") or any(e.get("name") == "dispute_type" for e in events)
                if not typed and guide.id not in HELP_GUIDES:
                    events.append(SlotSet("dispute_type", guide.dispute_type))
        if not tracker.get_slot("village"):
            _, name = resolve_village(tracker, None)
            if name:
                events.append(SlotSet("village", name))
        dispatcher.utter_message(text=INTRO[kind] + "先问您几个问题，随时说“取消”就不登记了。")
        if tracker.get_slot("consent_notice") != NOTICE_VERSION:
            # Before the first personal question, once per conversation (a second matter is not told again).
            dispatcher.utter_message(text=short_notice(get_settings().retention_closed_case_days))
            events.append(SlotSet("consent_notice", NOTICE_VERSION))
        return events

    @staticmethod
    def _answer_first(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> Guide | None:
        """The matter's brief answer, when the story names one; its guide is the matter of the case."""
        village_id = ((tracker.latest_message or {}).get("metadata") or {}).get("village_id")
        try:
            advice = advisor().advise(Turn(text, village_id=village_id, current_matter=tracker.get_slot("matter")))
        except (KnowledgeError, GuideFormatError):
            logger.exception("intake: the answer before the form failed; the form goes on")
            return None
        if advice.kind != "answer" or advice.guide is None:
            return None
        send_reply(dispatcher, brief_answer(advice), citations=advice.citations)
        return advice.guide
