"""Danger overrides every flow: emergency numbers at once, and an urgent case for the duty officer."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions._cases import case_store, channel, message_key, resolve_village, transcript
from cases import CaseError
from cases.consent import Consent, emergency_notice
from cases.intake import emergency_intake
from cunfa.settings import get_settings
from triage import assess_risk
from triage.safety import (
    ASK_EMERGENCY_PHONE,
    emergency_already_filed,
    emergency_filed,
    emergency_lines,
    is_self_harm,
)

logger = logging.getLogger(__name__)

#: Repeated cries for help in one conversation update one case rather than filing many.
SAME_EMERGENCY = timedelta(minutes=30)


class ActionEscalateEmergency(Action):
    """Replies before anything else can fail, then files the case; a store outage never delays 110."""

    def name(self) -> str:
        return "action_escalate_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        text = ((tracker.latest_message or {}).get("text") or "").strip()
        assessment = assess_risk(text)
        cues = tuple(dict.fromkeys([*(tracker.get_slot("risk_cues") or []), *assessment.labels]))
        lines = emergency_lines(get_settings().emergency_contacts, self_harm=is_self_harm(assessment.labels))
        events: list[dict[str, Any]] = [SlotSet("risk_level", "emergency"), SlotSet("risk_cues", list(cues)[-20:])]

        existing = tracker.get_slot("case") or {}
        if _recent_emergency(existing):
            lines.append(emergency_already_filed(existing["case_id"]))
            dispatcher.utter_message(text="\n".join(lines))
            return events

        village_id, village_name = resolve_village(tracker, tracker.get_slot("village"))
        try:
            receipt = case_store().create(
                emergency_intake(
                    text,
                    channel=channel(tracker),
                    risk_cues=cues,
                    resident_name=tracker.get_slot("resident_name"),
                    phone=tracker.get_slot("phone"),
                    village_id=village_id,
                    village_name=village_name,
                    conversation_id=tracker.sender_id,
                    idempotency_key=message_key(tracker, "emergency"),
                    transcript=transcript(tracker),
                    consent=Consent.given_now(channel(tracker), sensitive=True, basis="emergency").to_dict(),
                )
            )
        except CaseError:
            logger.exception("emergency case could not be filed")
            dispatcher.utter_message(text="\n".join(lines))
            return events
        lines.append(emergency_filed(receipt.number, receipt.contact_promise))
        if not tracker.get_slot("phone"):
            lines.append(ASK_EMERGENCY_PHONE + emergency_notice())
        dispatcher.utter_message(text="\n".join(lines))
        return events + [SlotSet("case", receipt.to_dict())]


def _recent_emergency(case: dict[str, Any]) -> bool:
    if not isinstance(case, dict) or case.get("handler_role") != "emergency":
        return False
    try:
        created = datetime.fromisoformat(case["created_at"])
    except (KeyError, TypeError, ValueError):
        return False
    return datetime.now(timezone.utc) - created < SAME_EMERGENCY
