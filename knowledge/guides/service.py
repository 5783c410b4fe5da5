"""One ``Advisor`` per process and configuration, built on first use (never at import)."""

from __future__ import annotations

import threading

from cunfa.settings import Settings
from knowledge.base import KnowledgeBase
from knowledge.guides.book import load_guides
from knowledge.guides.matter import load_matter_model
from knowledge.guides.policy import Advisor

_advisors: dict[tuple[str, int], Advisor] = {}
_lock = threading.Lock()


def shared_advisor(settings: Settings, kb: KnowledgeBase) -> Advisor:
    """The advisor over ``kb`` and the guides in ``settings.guides_dir``; raises ``GuideFormatError``."""
    key = (str(settings.guides_dir), id(kb))
    with _lock:
        if key not in _advisors:
            _advisors[key] = Advisor(kb, load_guides(settings.guides_dir), load_matter_model())
        return _advisors[key]
