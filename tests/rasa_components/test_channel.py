"""The ``cunfa`` channel's parts: which saves it sees, what state it reports, who may call it."""

from __future__ import annotations

from types import SimpleNamespace

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_components.channel import CunfaInput, turn_outcome
from rasa_components.turn_state import RecentSaves

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [emergency]
slots:
  risk_level: {type: text, mappings: [{type: custom}]}
  case: {type: any, mappings: [{type: custom}]}
  resident_phone: {type: text, mappings: [{type: custom}]}
"""
)


def tracker(sender: str = "web:u", text: str = "他要砍人") -> DialogueStateTracker:
    events = [
        UserUttered(text, {"name": "emergency", "confidence": 0.99}, message_id="m1"),
        SlotSet("risk_level", "emergency"),
        SlotSet("case", {"case_id": "C-1"}),
        SlotSet("resident_phone", "13912345678"),
    ]
    return DialogueStateTracker.from_events(sender, events, slots=DOMAIN.slots)


def test_only_watched_senders_are_kept_and_only_while_watched() -> None:
    saves = RecentSaves()
    saves.record(tracker())  # nobody waits for it: not kept
    with saves.watch("web:u") as last:
        assert last() is None
        saves.record(tracker("web:other"))
        assert last() is None
        mine = tracker()
        saves.record(mine)
        assert last() is mine
    assert saves._watched == {}


def test_two_waiting_turns_of_one_sender_share_the_entry_until_both_are_done() -> None:
    saves = RecentSaves()
    with saves.watch("web:u") as first:
        with saves.watch("web:u") as second:
            saved = tracker()
            saves.record(saved)
            assert second() is saved
        assert first() is saved, "the other turn's entry outlives the one that finished"
    assert saves._watched == {}


def test_the_outcome_carries_the_intent_and_only_the_slots_the_gateway_reads() -> None:
    outcome = turn_outcome(tracker())
    assert outcome == {
        "latest_message": {"intent": {"name": "emergency", "confidence": 0.99}},
        "slots": {"risk_level": "emergency", "case": {"case_id": "C-1"}, "matter": None},
    }
    assert "13912345678" not in str(outcome)
    assert turn_outcome(None) == {"latest_message": {}, "slots": {}}


def test_the_channel_needs_the_rasa_token() -> None:
    channel = CunfaInput.from_credentials({"token": "s3cret"})

    def request(args: dict[str, str], headers: dict[str, str]) -> SimpleNamespace:
        return SimpleNamespace(args=args, headers=headers)

    assert channel._authorised(request({"token": "s3cret"}, {}))
    assert channel._authorised(request({}, {"Authorization": "Bearer s3cret"}))
    assert not channel._authorised(request({}, {}))
    assert not channel._authorised(request({"token": "wrong"}, {}))
    assert CunfaInput.from_credentials(None).token == ""
