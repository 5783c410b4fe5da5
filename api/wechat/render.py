"""The assistant's replies as WeChat text, and numbered options instead of buttons.

WeChat text messages have no buttons, so each button becomes a line "回复 1 找调解员" and the
number the resident types back is mapped to that button's payload on the next message. Citations
are named as "依据：《…》第N条" lines unless the reply text already names them (the action server's
answers quote each article), so a long answer does not spend WeChat's 2048 bytes twice. A reply
with a ``brief`` form is shown in it: summary and article names first, details behind options.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from knowledge.answer import citation_label as answer_citation_label

#: WeChat's limit for one text message (passive reply and customer-service message), in UTF-8 bytes.
MAX_TEXT_BYTES = 2048
_CHOICE = re.compile(r"(?:回复)?\s*(\d{1,2})\s*[.。、,，)）]?")


@dataclass(frozen=True)
class Option:
    title: str
    payload: str


@dataclass(frozen=True)
class Rendered:
    text: str
    options: list[Option] = field(default_factory=list)


def citation_label(hit: dict[str, Any]) -> str:
    """How a citation is named to a resident, the same way ``knowledge.answer`` names it."""
    title, article, source = str(hit.get("title") or ""), str(hit.get("article") or ""), hit.get("source")
    if source in ("statute", "village_rule") and title:
        return answer_citation_label(str(source), title, article)
    return str(hit.get("citation") or title)


def render_body(body: dict[str, Any]) -> Rendered:
    """All replies of one turn as one text (WeChat shows one passive reply per message)."""
    parts: list[str] = []
    options: list[Option] = []
    for reply in body.get("replies") or []:
        # The short form where the action wrote one: WeChat's first screen is a phone's, and the
        # details are a numbered option away (详细说说, 要准备啥材料).
        text = str(reply.get("brief") or reply.get("text") or "").strip()
        lines = [text] if text else []
        for hit in reply.get("citations") or []:
            label = citation_label(hit)
            if label and label not in text:
                lines.append(f"依据：{label}")
        if lines:
            parts.append("\n".join(lines))
        for button in reply.get("buttons") or []:
            option = Option(str(button.get("title") or "").strip(), str(button.get("payload") or ""))
            if option.title and option.payload and option not in options:
                options.append(option)
    if options:
        parts.append("\n".join(f"回复 {i} {option.title}" for i, option in enumerate(options, 1)))
    return Rendered("\n\n".join(parts), options)


def split_text(text: str, limit: int = MAX_TEXT_BYTES) -> list[str]:
    """Chunks of at most ``limit`` UTF-8 bytes, cut at line ends where possible (never inside a character)."""
    chunks: list[str] = []
    current = ""
    for line in text.strip().split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if _size(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        current = ""
        while _size(line) > limit:
            head = _prefix(line, limit)
            chunks.append(head)
            line = line[len(head) :]
        current = line
    if current.strip():
        chunks.append(current)
    return [chunk.strip("\n") for chunk in chunks if chunk.strip()]


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _prefix(text: str, limit: int) -> str:
    cut = text.encode("utf-8")[:limit].decode("utf-8", "ignore")
    return cut or text[:1]


def chosen_option(text: str, options: list[Option]) -> Option | None:
    """The option a typed number ("1", "１", "回复 2", "3。") picks, if it is in range."""
    match = _CHOICE.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if not match:
        return None
    number = int(match.group(1))
    return options[number - 1] if 1 <= number <= len(options) else None
