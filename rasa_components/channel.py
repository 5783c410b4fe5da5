"""The gateway's channel into Rasa: the REST webhook, answering with the turn's outcome too.

``POST /webhooks/cunfa/webhook`` takes what Rasa's ``rest`` channel takes (``sender``,
``message``, ``metadata``) and answers ``{"messages": [...], "tracker": {...}}``: the bot's
messages plus the part of the conversation state the gateway reports back to a channel (latest
intent, ``risk_level``, ``case``). That saves the gateway a second request to the tracker
endpoint, and Rasa a second rebuild of the tracker, on every turn (see ``turn_state``).

The state includes personal details, so unlike Rasa's ``rest`` channel this one needs the Rasa
API token (``?token=`` or ``Authorization: Bearer``), the same one the tracker endpoint needs.
As in the ``rest`` channel, a turn that fails inside Rasa still answers 200 with whatever was
said; the gateway treats silence as a failed turn.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa_components.hot_paths import close_shared_session
from rasa_components.turn_state import recent_saves

logger = logging.getLogger(__name__)

#: The only slots the gateway reads; the rest of the conversation stays inside Rasa.
REPORTED_SLOTS = ("risk_level", "case", "matter")


def turn_outcome(tracker: Any) -> dict[str, Any]:
    if tracker is None:
        return {"latest_message": {}, "slots": {}}
    intent = (tracker.latest_message.intent if tracker.latest_message else None) or {}
    return {
        "latest_message": {"intent": {"name": intent.get("name"), "confidence": intent.get("confidence")}},
        "slots": {name: tracker.get_slot(name) for name in REPORTED_SLOTS},
    }


class CunfaInput(InputChannel):
    def __init__(self, token: str = "") -> None:
        self.token = token

    @classmethod
    def name(cls) -> str:
        return "cunfa"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> CunfaInput:
        return cls(token=str((credentials or {}).get("token") or ""))

    def _authorised(self, request: Request) -> bool:
        if not self.token:
            return True
        given = request.args.get("token") or ""
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            given = header[len("Bearer ") :]
        return hmac.compare_digest(given.encode(), self.token.encode())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("cunfa_webhook", __name__)

        @webhook.listener("before_server_stop")
        async def close_action_connections(*_: Any) -> None:
            await close_shared_session()

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self._authorised(request):
                return response.json({"error": "a valid Rasa token is needed"}, status=401)
            body = request.json if isinstance(request.json, dict) else {}
            sender_id = body.get("sender")
            text = body.get("message")
            if not isinstance(sender_id, str) or not sender_id or not isinstance(text, str):
                return response.json({"error": "sender and message must be strings"}, status=400)
            metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else None
            collector = CollectingOutputChannel()
            message = UserMessage(text, collector, sender_id, input_channel=self.name(), metadata=metadata)
            tracker = None
            with recent_saves.watch(sender_id) as last_saved:
                try:
                    await on_new_message(message)
                except Exception:  # as Rasa's rest channel: answer with what was said
                    logger.exception("the turn failed inside Rasa")
                saved = last_saved()
                if saved is not None and saved.latest_message and saved.latest_message.message_id == message.message_id:
                    tracker = saved
            if tracker is None:
                tracker = await request.app.ctx.agent.tracker_store.retrieve(sender_id)
            return response.json({"messages": collector.messages, "tracker": turn_outcome(tracker)})

        return webhook
