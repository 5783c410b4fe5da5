"""Text normalization shared by every triage rule.

Residents type (or dictate) in whatever script and width their phone gives them, so every lexicon in this
package is written once, in Simplified Chinese with half-width ASCII, and input is folded onto that form
before matching. The matchers also need to report offsets into the text the resident actually wrote (the
NLU pipeline highlights entity spans), so besides the public :func:`normalize` there is an aligned variant
that remembers where every normalized character came from.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

__all__ = ["normalize"]

# Zero-width characters that sneak in from copy-paste and IMEs; category Cf, but dropping all of Cf would
# also strip emoji joiners, which is harmless but surprising, so the list stays explicit.
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")


@functools.lru_cache(maxsize=1)
def _t2s() -> Any:
    """Create the OpenCC converter on first use: loading its dictionaries is the slowest step of the package."""
    import opencc

    return opencc.OpenCC("t2s")


def _fold_char(ch: str) -> str:
    """Fold one code point to its half-width form, or '' when it carries no meaning for a reader.

    Returns ' ' for any whitespace so that the caller can collapse runs in one place.
    """
    cp = ord(ch)
    if 0xFF01 <= cp <= 0xFF5E:  # full-width ASCII block maps 1:1 onto '!'..'~'
        return chr(cp - 0xFEE0)
    if ch.isspace() or cp == 0x3000:
        return " "
    if 0xD800 <= cp <= 0xDFFF or ch in _ZERO_WIDTH:
        return ""
    if cp < 0x20 or 0x7F <= cp < 0xA0:  # C0/C1 controls that are not whitespace
        return ""
    if unicodedata.category(ch) == "Cc":
        return ""
    return ch


def _to_simplified(folded: str) -> tuple[str, list[int]]:
    """Convert to Simplified while keeping a per-character origin map.

    OpenCC converts phrase by phrase, which is almost always length-preserving for t2s. When it is not, the
    string is converted character by character instead, trading a little phrase accuracy for exact offsets.
    """
    if folded.isascii():
        return folded, list(range(len(folded)))
    converter = _t2s()
    converted = converter.convert(folded)
    if len(converted) == len(folded):
        return converted, list(range(len(folded)))
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(folded):
        piece = converter.convert(ch) if not ch.isascii() else ch
        out.append(piece)
        origin.extend([i] * len(piece))
    return "".join(out), origin


def _normalize_aligned(text: str, *, keep_spaces: bool = True) -> tuple[str, list[int]]:
    """Normalize and return ``(normalized, origin)`` where ``origin[i]`` is the index in ``text`` of char ``i``.

    ``origin`` has one extra trailing element equal to ``len(text)`` so that an exclusive end offset maps back
    with the same lookup. With ``keep_spaces=False`` all whitespace is dropped: dictated text puts spaces in the
    middle of words ("宅 基 地"), and no lexicon entry contains a space.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected str, got {type(text).__name__}")
    chars: list[str] = []
    src: list[int] = []
    prev_space = True  # also strips leading whitespace
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        if not folded:
            continue
        if folded == " ":
            if prev_space or not keep_spaces:
                continue
            prev_space = True
        else:
            prev_space = False
        chars.append(folded)
        src.append(i)
    if chars and chars[-1] == " ":
        chars.pop()
        src.pop()
    simplified, origin = _to_simplified("".join(chars))
    mapped = [src[j] for j in origin]
    mapped.append(len(text))
    return simplified, mapped


def normalize(text: str) -> str:
    """Fold a resident's message onto the single form the lexicons are written in.

    Traditional characters become Simplified (OpenCC ``t2s``) because residents near Hong Kong, Taiwanese
    relatives and some input methods produce them; full-width letters and digits become half-width because
    phone numbers and IDs typed on Chinese keyboards are often full-width; control characters and lone
    surrogates (broken emoji from some SMS gateways) are dropped so that downstream encoders never fail; and
    whitespace is collapsed so that dictated text compares equal to typed text.

    Args:
        text: Any Python string, including one that is not valid UTF-16/UTF-8.

    Returns:
        The normalized string; never raises for a ``str`` input.
    """
    return _normalize_aligned(text)[0]


def _safe_str(text: Any) -> str:
    """Coerce ``None`` and other non-strings to text so that callers from forms never crash on a missing slot."""
    if text is None:
        return ""
    return text if isinstance(text, str) else str(text)
