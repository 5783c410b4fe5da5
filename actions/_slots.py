"""Reading a form's slots as they stood before the message being validated."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker


def value_before_latest_message(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the latest user message (the tracker already holds the new one).

    Validation sees the value just extracted; a form that must not let a value picked up in
    passing replace a good one needs the one it had.
    """
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None
