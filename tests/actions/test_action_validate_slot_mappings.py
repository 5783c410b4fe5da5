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


async def test_the_engine_decides_not_the_intent(tracker_with) -> None:
    """One engine for every channel: DIET's emergency guess on a name and a phone raises nothing."""
    action = ValidateSlotMappings()
    named = tracker_with(
        "legal_question", text="俺是他闺女 叫李秀兰 手机15937651234", intent="emergency", slots={"risk_level": "none"}
    )
    assert await action.extract_risk_level(CollectingDispatcher(), named, {}) == {}
    danger = tracker_with(
        "legal_question", text="他拿着刀在俺家门口", intent="report_dispute", slots={"risk_level": "none"}
    )
    assert await action.extract_risk_level(CollectingDispatcher(), danger, {}) == {"risk_level": "emergency"}


async def test_a_case_filed_earlier_in_the_conversation_is_raised(store, tracker_with) -> None:
    from cases import CaseIntake

    receipt = store.create(
        CaseIntake(description="邻居占了俺家过道", channel="web", requested="mediation", phone="13912345678")
    )
    tracker = tracker_with(
        "legal_question",
        text="派出所给他发过告诫书 他还是来闹",
        slots={"risk_level": "none", "case": receipt.to_dict()},
    )
    assert await ValidateSlotMappings().extract_risk_level(CollectingDispatcher(), tracker, {}) == {
        "risk_level": "high"
    }
    case = store.get(receipt.number)
    assert case.risk_level == "high" and "high:order_history" in case.risk_cues
    assert case.first_contact_due_at < receipt.first_contact_due_at  # orange: two hours, not a day
    assert [e.kind for e in case.events][-1] == "risk_raised"
