"""How law is worded to a resident: article names, one-line quotes, and the disclaimer every answer ends with.

Which articles to cite and when to answer is decided by ``knowledge.guides.policy``; this module
only words them, the same way on every channel.
"""

from __future__ import annotations

import re

from knowledge.types import Hit
from triage.safety import CALL_HOTLINE

#: Ends every legal answer, wherever it is worded (action server, the assist, or the gateway's degraded mode).
DISCLAIMER = f"以上是一般性法律信息，不是针对您个案的法律意见；具体情况请找村法律顾问，或{CALL_HOTLINE}。"
QUOTE_CHARS = 120
_SENTENCE_END = re.compile(r"(?<=[。！？；])")


def first_sentences(text: str, limit: int) -> str:
    """Whole sentences up to ``limit`` characters, so a quote never stops mid-clause."""
    flat = " ".join(text.split())
    out = ""
    for sentence in _SENTENCE_END.split(flat):
        if not sentence:
            continue
        if out and len(out) + len(sentence) > limit:
            break
        out += sentence
    if len(out) > limit:
        out = out[: limit - 1] + "…"
    return out


def citation_label(source: str, title: str, article: str) -> str:
    """How a source is named to a resident: a law in book-title marks, a village rule by its own title."""
    return f"{title}{article}" if source == "village_rule" else f"《{title}》{article}"


def short_quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """A one-line excerpt for the chat bubble; the full text travels in the citation."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def format_citation_list(hits: list[Hit]) -> str:
    lines = []
    for i, hit in enumerate(hits, 1):
        lines.append(f"{i}. {citation_label(hit.source, hit.title, hit.article)}：{short_quote(hit.text)}")
    return "\n".join(lines)
