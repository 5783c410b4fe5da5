"""Begin the intake form: say who the case goes to, and keep what the resident already told us."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions._cases import resolve_village
from actions._intake import clean_description, substantive

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
        if not tracker.get_slot("village"):
            _, name = resolve_village(tracker, None)
            if name:
                events.append(SlotSet("village", name))
        dispatcher.utter_message(text=INTRO[kind] + "先问您几个问题，随时说“取消”就不登记了。")
        return events
