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
from actions._intake import clean_description, substantive
from actions._replies import send_reply
from actions._resources import advisor
from knowledge import KnowledgeError
from knowledge.guides import GuideFormatError
from knowledge.guides.policy import Turn
from knowledge.guides.render import brief_answer

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
        if not tracker.get_slot("description") and substantive(text):
            events.append(SlotSet("description", clean_description(text)))
        if substantive(text):
            events += self._answer_first(dispatcher, tracker, text)
        if not tracker.get_slot("village"):
            _, name = resolve_village(tracker, None)
            if name:
                events.append(SlotSet("village", name))
        dispatcher.utter_message(text=INTRO[kind] + "先问您几个问题，随时说“取消”就不登记了。")
        return events

    @staticmethod
    def _answer_first(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> list[dict[str, Any]]:
        """The matter's brief answer, when the story names one; its dispute type pre-fills the form."""
        village_id = ((tracker.latest_message or {}).get("metadata") or {}).get("village_id")
        try:
            advice = advisor().advise(Turn(text, village_id=village_id, current_matter=tracker.get_slot("matter")))
        except (KnowledgeError, GuideFormatError):
            logger.exception("intake: the answer before the form failed; the form goes on")
            return []
        if advice.kind != "answer" or advice.guide is None:
            return []
        send_reply(dispatcher, brief_answer(advice), citations=advice.citations)
        events: list[dict[str, Any]] = [SlotSet("matter", advice.guide.id)]
        if not tracker.get_slot("dispute_type"):
            events.append(SlotSet("dispute_type", advice.guide.dispute_type))
        return events
