from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from rasa_sdk import Tracker

from tests.conftest import TEST_DATA


@pytest.fixture
def tracker_from():
    """Build a ``Tracker`` from a frozen JSON file, optionally overriding the latest text."""

    def make(name: str, text: str | None = None, **metadata: Any) -> Tracker:
        state = json.loads((TEST_DATA / "trackers" / f"{name}.json").read_text(encoding="utf-8"))
        state = copy.deepcopy(state)
        if text is not None:
            state["latest_message"]["text"] = text
        state["latest_message"]["metadata"].update(metadata)
        return Tracker.from_dict(state)

    return make


@pytest.fixture
def tracker_with():
    """A frozen tracker with the latest message and slots replaced, for one-turn action tests."""

    def make(
        name: str,
        *,
        text: str | None = None,
        intent: str | None = None,
        slots: dict[str, Any] | None = None,
        entities: list[dict[str, Any]] | None = None,
        message_id: str | None = None,
        **metadata: Any,
    ) -> Tracker:
        state = copy.deepcopy(json.loads((TEST_DATA / "trackers" / f"{name}.json").read_text(encoding="utf-8")))
        latest = state["latest_message"]
        if text is not None:
            latest["text"] = text
        if intent is not None:
            latest["intent"] = {"name": intent, "confidence": 0.9}
        if entities is not None:
            latest["entities"] = entities
        if message_id is not None:
            latest["message_id"] = message_id
        latest["metadata"].update(metadata)
        state["slots"].update(slots or {})
        return Tracker.from_dict(state)

    return make


@pytest.fixture
def store(tiny_settings):
    """The real case store the actions file into (SQLite in the test's data directory)."""
    from actions._cases import case_store

    return case_store()
