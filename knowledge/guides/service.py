"""One ``Advisor`` per process and configuration, built on first use (never at import)."""

from __future__ import annotations

import threading

from cunfa.settings import Settings
from knowledge.base import KnowledgeBase
from knowledge.guides.book import GuideBook, load_guides
from knowledge.guides.matter import load_matter_model
from knowledge.guides.policy import Advisor

_advisors: dict[tuple[str, int], Advisor] = {}
_books: dict[str, GuideBook] = {}
_lock = threading.Lock()


def shared_book(settings: Settings) -> GuideBook:
    """The guides in ``settings.guides_dir``, read once; raises ``GuideFormatError``.

    For readers that need the guides without the index (the intake form's dispute type).
    """
    key = str(settings.guides_dir)
    with _lock:
        if key not in _books:
            _books[key] = load_guides(settings.guides_dir)
        return _books[key]


def shared_advisor(settings: Settings, kb: KnowledgeBase) -> Advisor:
    """The advisor over ``kb`` and the guides in ``settings.guides_dir``; raises ``GuideFormatError``."""
    key = (str(settings.guides_dir), id(kb))
    book = shared_book(settings)
    with _lock:
        if key not in _advisors:
            _advisors[key] = Advisor(kb, book, load_matter_model())
        return _advisors[key]
