"""How replies are shaped for the gateway.

The REST channel splits a plain ``text`` on blank lines and sends ``custom`` payloads as separate
messages, so an answer that carries citations or buttons is sent as one ``custom`` payload
``{"text", "citations", "buttons"}``; the gateway turns each payload into one reply.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from knowledge import Hit

DISCLAIMER = "以上是一般性法律信息，不是针对您个案的法律意见；具体情况请找村法律顾问，或拨打12348公共法律服务热线。"
QUOTE_CHARS = 120


def send_reply(
    dispatcher: CollectingDispatcher,
    text: str,
    *,
    citations: list[Hit] | None = None,
    buttons: list[dict[str, str]] | None = None,
) -> None:
    payload: dict[str, Any] = {
        "text": text,
        "citations": [hit.to_dict() for hit in citations or []],
        "buttons": list(buttons or []),
    }
    dispatcher.utter_message(json_message=payload)


def short_quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """A one-line excerpt for the chat bubble; the full text travels in the citation."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def format_citation_list(hits: list[Hit]) -> str:
    lines = [f"{i}. 《{hit.title}》{hit.article}：{short_quote(hit.text)}" for i, hit in enumerate(hits, 1)]
    return "\n".join(lines)
