"""Danger overrides every flow: give emergency numbers at once and mark the conversation."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher


class ActionEscalateEmergency(Action):
    """Sets ``risk_level`` to ``emergency`` (the gateway reports it) and gives 110/120.

    Creating the urgent case for a handler belongs to the case store; until it exists this
    action never claims that anyone has been notified.
    """

    def name(self) -> str:
        return "action_escalate_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_emergency")
        return [SlotSet("risk_level", "emergency")]
