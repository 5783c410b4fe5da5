"""Title and citation normalisation.

Residents, lawyers and datasets write the same statute in several ways: with or without the
``中华人民共和国`` prefix, with full-width or half-width brackets, with book-title marks. Matching
is done on one normalised form; what we *display* is always the official title from the source.
"""

from __future__ import annotations

import re
import unicodedata

_PREFIX = "中华人民共和国"
_BRACKETS = str.maketrans({"（": "(", "）": ")", "〈": "<", "〉": ">"})
_SPACE = re.compile(r"\s+")
_TRIAL = re.compile(r"\((试行|暂行)\)")


def normalize_title(title: str) -> str:
    """The matching key of a law title: NFKC, ASCII brackets, no spaces, marks or PRC prefix.

    The prefix is removed wherever it occurs, so ``关于适用《中华人民共和国民法典》…的解释`` and
    ``关于适用《民法典》…的解释`` meet on the same key.
    """
    text = unicodedata.normalize("NFKC", title).translate(_BRACKETS)
    text = _SPACE.sub("", text)
    text = text.replace("《", "").replace("》", "").replace(_PREFIX, "")
    return text


def version_key(title: str) -> str:
    """The key under which successive versions of one law are grouped.

    A ``(试行)``/``(暂行)`` edition is an earlier version of the final text, so it groups with it.
    """
    return _TRIAL.sub("", normalize_title(title))


def canonical_citation(title: str, article: str) -> str:
    """``中华人民共和国民法典`` + ``第八百三十九条`` → the canonical citation string."""
    return f"{title}{article}"


def normalize_citation(citation: str) -> str:
    """Normalise a full citation (title + article) for comparison with labels."""
    return normalize_title(citation)
