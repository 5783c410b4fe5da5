"""The case store and the facts of a conversation, as the actions need them.

The store is opened on first use (not at import), for the database the settings name, so the
action server and the API always file into the same place.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from cases import CaseStore, open_store
from cunfa.data_keys import ensure_configured
from cunfa.settings import get_settings
from knowledge.villages import VillageStore

TRANSCRIPT_TURNS = 30
CHANNELS = ("kiosk", "web", "hotline", "wechat")


def case_store() -> CaseStore:
    settings = get_settings()
    ensure_configured(settings)
    return open_store(settings.database)


def metadata(tracker: Tracker) -> dict[str, Any]:
    return (tracker.latest_message or {}).get("metadata") or {}


def channel(tracker: Tracker) -> str:
    value = metadata(tracker).get("channel")
    if value in CHANNELS:
        return value
    prefix = tracker.sender_id.split(":", 1)[0]
    return prefix if prefix in CHANNELS else "web"


def message_key(tracker: Tracker, purpose: str) -> str:
    """One key per user message and purpose: a retried action files the same case once."""
    latest = tracker.latest_message or {}
    marker = latest.get("message_id") or f"{len(tracker.events)}"
    return f"{purpose}:{tracker.sender_id}:{marker}"[:160]


def transcript(tracker: Tracker, turns: int = TRANSCRIPT_TURNS) -> tuple[dict[str, str], ...]:
    """What was said, so the person who takes the case never has to ask again."""
    lines: list[dict[str, str]] = []
    for event in tracker.events:
        kind = event.get("event")
        if kind == "user":
            text = event.get("text") or ""
            if text and not text.startswith("/"):
                lines.append({"speaker": "resident", "text": text[:1000]})
        elif kind == "bot":
            custom = (event.get("data") or {}).get("custom") or {}
            text = custom.get("text") if isinstance(custom, dict) else None
            text = text or event.get("text") or ""
            if text:
                lines.append({"speaker": "assistant", "text": text[:1000]})
    return tuple(lines[-turns:])


def cited(tracker: Tracker, limit: int = 6) -> tuple[dict[str, Any], ...]:
    """The citations the assistant showed in this conversation, newest first, without duplicates."""
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for event in reversed(tracker.events):
        if event.get("event") != "bot":
            continue
        custom = (event.get("data") or {}).get("custom") or {}
        for hit in custom.get("citations") or [] if isinstance(custom, dict) else []:
            key = f"{hit.get('citation')}"
            if key in seen:
                continue
            seen.add(key)
            out.append({k: hit.get(k) for k in ("source", "citation", "title", "article", "text")})
            if len(out) >= limit:
                return tuple(out)
    return tuple(out)


def resolve_village(tracker: Tracker, typed: str | None) -> tuple[str | None, str | None]:
    """(village_id, display name) from what the resident said or, failing that, the channel.

    A kiosk knows its village; a resident on WeChat names theirs, and we match it against the
    villages whose rules we hold, so the case lands with the right committee.
    """
    store = VillageStore(get_settings().villages_dir)
    known = store.list()
    typed = (typed or "").strip()
    if typed:
        for info in known:
            short = info.name.removesuffix("村")
            if typed in (info.village_id, info.name) or (short and short in typed):
                return info.village_id, info.name
        return None, typed
    village_id = metadata(tracker).get("village_id")
    if village_id:
        info = store.get(village_id)
        return village_id, info.name if info else village_id
    return None, None
