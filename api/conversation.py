"""One chat turn: the resident's text goes to Rasa, Rasa's messages come back as replies.

Rasa's REST channel returns plain ``text`` messages (domain responses, possibly with
``buttons``) and ``custom`` payloads from our actions shaped ``{"text", "citations",
"buttons"}``. Intent, risk level and case come from the tracker, never from parsing replies.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from typing import Any

from api.degraded import degraded_reply
from api.rasa_client import RasaClient, RasaUnavailable
from api.schemas.chat import ChatRequest, ChatResponse
from api.state import AppState
from api.text_input import cut_notice, cut_text
from triage.risk import max_level

logger = logging.getLogger(__name__)

RISK_LEVELS = ("none", "low", "medium", "high", "emergency")


_SAFE_ID = re.compile(r"[A-Za-z0-9_.@-]{1,128}")


def sender_id(request: ChatRequest) -> str:
    """Channel-qualified: the same id on WeChat and on the hotline is not the same person.

    Ids outside a URL-safe alphabet are hashed, so any string a channel sends maps to one
    stable conversation and can never escape the tracker URL path.
    """
    user = request.user_id
    if not _SAFE_ID.fullmatch(user):
        user = "h-" + hashlib.sha256(user.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{request.channel}:{user}"


def to_replies(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    replies: list[dict[str, Any]] = []
    for message in messages:
        custom = message.get("custom")
        if isinstance(custom, dict) and "text" in custom:
            reply = {
                "text": str(custom["text"]),
                "citations": list(custom.get("citations") or []),
                "buttons": list(custom.get("buttons") or []),
            }
            if custom.get("brief"):
                reply["brief"] = str(custom["brief"])
            replies.append(reply)
        elif message.get("text"):
            buttons = [
                {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
                for b in message.get("buttons") or []
            ]
            replies.append({"text": message["text"], "citations": [], "buttons": buttons})
    return replies


def from_tracker(state: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(state, dict):
        state = {}
    latest = state.get("latest_message") or {}
    intent = latest.get("intent") or {}
    slots = state.get("slots") or {}
    risk = slots.get("risk_level") or "none"
    case = slots.get("case")
    matter = slots.get("matter")
    return {
        "intent": {"name": intent.get("name") or "unknown", "confidence": float(intent.get("confidence") or 0.0)},
        "risk_level": risk if risk in RISK_LEVELS else "none",
        "case": case if isinstance(case, dict) and case.get("case_id") else None,
        "matter": matter if isinstance(matter, str) and matter else None,
    }


async def chat_turn(rasa: RasaClient, request: ChatRequest) -> dict[str, Any]:
    """Run the turn and return the response body, checked against ``ChatResponse``."""
    sender = sender_id(request)
    metadata = {"village_id": request.village_id, "channel": request.channel, "user_id": request.user_id}
    if request.topic:
        metadata["topic"] = request.topic
    turn = await rasa.send_turn(sender, request.text, metadata)
    body = {"replies": to_replies(turn["messages"]), **from_tracker(turn.get("tracker") or {})}
    ChatResponse.validate(body)
    return body


async def answer_turn(state: AppState, request: ChatRequest) -> dict[str, Any]:
    """A turn for any channel: cut to the configured length, answered by Rasa or, if it is down, alone.

    Every channel (REST chat, kiosk, WeChat) goes through here so that none of them can
    skip the length limit or answer a resident in danger with an error page.
    """
    max_chars = state.settings.max_message_chars
    text, was_cut = cut_text(request.text, max_chars)
    if was_cut:
        request = request.copy(update={"text": text})
    try:
        # One deadline for the whole turn: httpx's timeout is per read, so a server that
        # trickles bytes could otherwise hold a resident far longer than configured.
        body = await asyncio.wait_for(chat_turn(state.rasa, request), state.settings.rasa_timeout_s)
    except (RasaUnavailable, asyncio.TimeoutError) as exc:
        logger.warning("degraded mode: %s", exc or "Rasa took longer than the turn deadline")
        body = await _degraded(state, request)
    else:
        if not body["replies"]:
            # Every turn of our bot says something; silence means a custom action failed
            # (Rasa logs it and answers 200 with nothing), most often the action server is down.
            logger.warning("degraded mode: Rasa answered %s with no reply", body["intent"]["name"])
            tracked = body
            body = await _degraded(state, request)
            body["risk_level"] = max_level(body["risk_level"], tracked["risk_level"])
            body["case"] = body["case"] or tracked["case"]
    if was_cut:
        body["replies"].insert(0, {"text": cut_notice(max_chars), "citations": [], "buttons": []})
    return body


async def _degraded(state: AppState, request: ChatRequest) -> dict[str, Any]:
    def reply() -> dict[str, Any]:
        # Opening the store may run migrations on first use: keep it off the event loop too.
        store = state.case_store()
        return degraded_reply(request, sender_id(request), state.advisor(), store, state.settings.emergency_contacts)

    body = await asyncio.to_thread(reply)
    ChatResponse.validate(body)
    return body
