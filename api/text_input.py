"""Make whatever a channel sends safe to pass on, without refusing people for how they type.

Speech recognisers and copy-paste bring control characters, lone UTF-16 surrogates (which
cannot be encoded as UTF-8 and would crash the first ``.encode()`` downstream) and whole
pasted documents. They are cleaned or cut here, once, before the text reaches Rasa.
"""

from __future__ import annotations

import unicodedata

#: Kept: line breaks and tabs carry meaning in pasted text.
_KEEP = {"\n", "\t"}


def clean_text(text: str) -> str:
    """Drop control/format characters other than line breaks and tabs, and lone surrogates.

    Zero-width joiners inside emoji sequences are format characters too, but dropping them
    only splits a family emoji into its members, which changes nothing for the assistant.
    """
    return "".join(ch for ch in text if ch in _KEEP or unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))


def cut_text(text: str, max_chars: int) -> tuple[str, bool]:
    """The first ``max_chars`` characters, and whether anything was cut."""
    if len(text) <= max_chars:
        return text, False
    return text[:max_chars], True


def cut_notice(max_chars: int) -> str:
    return f"您的消息很长，助手只读了前{max_chars}个字。内容多的事情，建议直接找调解员或律师当面说。"
