"""The Rasa-side measures that make a turn cheaper must not change what Rasa does."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.pool import QueuePool

import rasa_components  # noqa: F401  (installs the hot paths, as the Rasa server does)
from rasa_components.hot_paths import resolve_event_type, validate_action_result
from rasa_components.tracker_store import CunfaSQLTrackerStore
from tests.aio import run_async

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet]
slots:
  risk_level:
    type: text
    mappings: [{type: custom}]
"""
)


def test_rasa_uses_the_cached_validator() -> None:
    assert RemoteAction._validate_action_result is validate_action_result


def test_valid_responses_pass_and_bad_ones_fail_as_before() -> None:
    action = RemoteAction("action_x", None)
    good = {"events": [{"event": "slot", "name": "risk_level", "value": "high"}], "responses": [{"text": "好"}]}
    assert action._validate_action_result(good) is True
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": [{"event": "no_such_event"}], "responses": []})
    with pytest.raises(ValidationError):
        action._validate_action_result({"events": "not a list"})


def test_sqlite_tracker_store_is_pooled_tuned_and_keeps_conversations(tmp_path: Path) -> None:
    path = tmp_path / "trackers.db"
    store = CunfaSQLTrackerStore(domain=DOMAIN, host=f"sqlite:///{path}")
    assert isinstance(store.engine.pool, QueuePool)
    tracker = DialogueStateTracker.from_events(
        "web:abc",
        [ActionExecuted("action_listen"), UserUttered("你好", {"name": "greet"}), SlotSet("risk_level", "high")],
        slots=DOMAIN.slots,
    )
    run_async(store.save(tracker))
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL

    # A second store on the same file (another process, or Rasa after a restart) sees it all.
    again = run_async(SQLTrackerStore(domain=DOMAIN, host=f"sqlite:///{path}").retrieve("web:abc"))
    assert again is not None and again.get_slot("risk_level") == "high"
    assert again.latest_message.text == "你好"
    assert sqlite3.connect(path).execute("select count(*) from events").fetchone()[0] == 3


def test_event_types_resolve_as_before() -> None:
    from rasa.shared.core.events import Event, SessionStarted

    assert Event.resolve_by_type is resolve_event_type
    assert Event.resolve_by_type("slot") is SlotSet
    assert Event.resolve_by_type("session_started") is SessionStarted
    assert Event.resolve_by_type("user") is UserUttered and Event.resolve_by_type("user") is UserUttered
    assert Event.resolve_by_type("no_such_event", SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    assert Event.from_parameters({"event": "slot", "name": "risk_level", "value": "low"}) == SlotSet(
        "risk_level", "low"
    )
