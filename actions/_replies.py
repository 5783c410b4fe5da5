"""How replies are shaped for the gateway.

The REST channel splits a plain ``text`` on blank lines and sends ``custom`` payloads as separate
messages, so an answer that carries citations or buttons is sent as one ``custom`` payload
``{"text", "citations", "buttons"}``; the gateway turns each payload into one reply.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from knowledge import Hit
from knowledge.answer import DISCLAIMER, format_citation_list, short_quote

__all__ = ["DISCLAIMER", "format_citation_list", "send_reply", "short_quote"]


def send_reply(
    dispatcher: CollectingDispatcher,
    text: str,
    *,
    citations: list[Hit] | None = None,
    buttons: list[dict[str, str]] | None = None,
    brief: str | None = None,
) -> None:
    """``brief`` is the same answer for small screens and voice (WeChat's first screen, a kiosk reading aloud)."""
    payload: dict[str, Any] = {
        "text": text,
        "citations": [hit.to_dict() for hit in citations or []],
        "buttons": list(buttons or []),
    }
    if brief:
        payload["brief"] = brief
    dispatcher.utter_message(json_message=payload)
