from __future__ import annotations

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.action_escalate_emergency import ActionEscalateEmergency


async def test_sets_emergency_and_gives_numbers(tracker_from) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionEscalateEmergency().run(dispatcher, tracker_from("legal_question", text="他拿刀要砍人"), {})
    assert events == [SlotSet("risk_level", "emergency")]
    assert dispatcher.messages[0]["response"] == "utter_emergency"
