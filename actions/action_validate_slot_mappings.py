"""After every message: raise the conversation's risk level when the words call for it.

Risk only goes up within a conversation. A resident who said "他说要砸我家" and then "谢谢"
is still at high risk, and the case filed later must say so.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

from triage import assess_risk, max_level

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
        text, intent = _latest(tracker)
        heard = "emergency" if intent == "emergency" else assess_risk(text).level
        current = tracker.get_slot("risk_level") or "none"
        raised = max_level(current, heard)
        return {"risk_level": raised} if raised != current else {}

    async def extract_risk_cues(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text, _ = _latest(tracker)
        cues = list(tracker.get_slot("risk_cues") or [])
        new = [f"{cue.level}:{cue.label}" for cue in assess_risk(text).cues]
        added = [cue for cue in new if cue not in cues]
        return {"risk_cues": (cues + added)[-MAX_CUES:]} if added else {}
