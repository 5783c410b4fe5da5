from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.action_validate_slot_mappings import ValidateSlotMappings


async def test_risk_rises_with_the_words(tracker_with) -> None:
    action = ValidateSlotMappings()
    tracker = tracker_with("legal_question", text="他们天天堵我家门还说要去上访", slots={"risk_level": "none"})
    assert (await action.extract_risk_level(CollectingDispatcher(), tracker, {}))["risk_level"] in ("medium", "high")
    cues = (await action.extract_risk_cues(CollectingDispatcher(), tracker, {}))["risk_cues"]
    assert cues and all(":" in cue for cue in cues)


async def test_risk_never_drops_within_a_conversation(tracker_with) -> None:
    tracker = tracker_with("legal_question", text="谢谢你", intent="thank", slots={"risk_level": "high"})
    assert await ValidateSlotMappings().extract_risk_level(CollectingDispatcher(), tracker, {}) == {}


async def test_emergency_intent_alone_is_enough(tracker_with) -> None:
    tracker = tracker_with("legal_question", text="快点来", intent="emergency", slots={"risk_level": "none"})
    assert await ValidateSlotMappings().extract_risk_level(CollectingDispatcher(), tracker, {}) == {
        "risk_level": "emergency"
    }
