"""After every message: raise the conversation's risk level, and attach a call-back number to an emergency.

Risk only goes up within a conversation. A resident who said "他说要砸我家" and then "谢谢"
is still at high risk, and the case filed later must say so.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

from actions._cases import case_store
from cases import CaseError
from triage import assess_risk, extract_phones, max_level
from triage.safety import emergency_phone_added

logger = logging.getLogger(__name__)

MAX_CUES = 20


def _latest(tracker: Tracker) -> tuple[str, str]:
    latest = tracker.latest_message or {}
    return latest.get("text") or "", (latest.get("intent") or {}).get("name") or ""


class ValidateSlotMappings(ValidationAction):
    def name(self) -> str:
        return "action_validate_slot_mappings"

    async def extract_risk_level(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The one risk engine's verdict (``triage.assess_risk``), never lowered within the conversation.

        A case already filed in this conversation is raised with it, and its handler told
        (``CaseStore.raise_risk``): what a resident says after filing still reaches the case.
        """
        text, _ = _latest(tracker)
        assessment = assess_risk(text)
        current = tracker.get_slot("risk_level") or "none"
        raised = max_level(current, assessment.level)
        if raised == current:
            return {}
        case = tracker.get_slot("case") or {}
        if isinstance(case, dict) and case.get("case_id") and case.get("handler_role") != "emergency":
            try:
                case_store().raise_risk(case["case_id"], raised, assessment.labels)
            except CaseError:
                logger.exception("could not raise the risk of %s", case.get("case_id"))
        return {"risk_level": raised}

    async def extract_risk_cues(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text, _ = _latest(tracker)
        cues = list(tracker.get_slot("risk_cues") or [])
        new = list(assess_risk(text).labels)
        added = [cue for cue in new if cue not in cues]
        return {"risk_cues": (cues + added)[-MAX_CUES:]} if added else {}

    async def extract_emergency_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """An emergency is filed at once, before anyone asks for a phone; the reply asks for one.

        When the resident then types a number, it goes onto the open emergency case so the duty
        officer can call back. (A side effect in a slot-mapping action, on purpose: it is the one
        place that sees every message, whichever rule answers it.)
        """
        case = tracker.get_slot("case") or {}
        if (
            not isinstance(case, dict)
            or case.get("handler_role") != "emergency"
            or tracker.get_slot("emergency_contact")
        ):
            return {}
        text, _ = _latest(tracker)
        phones = extract_phones(text)
        if not phones:
            return {}
        try:
            case_store().add_resident_phone(case["case_id"], phones[0])
        except CaseError:
            logger.exception("could not add the call-back number to %s", case.get("case_id"))
            return {}
        dispatcher.utter_message(text=emergency_phone_added(case["case_id"]))
        return {"emergency_contact": phones[0]}
