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
