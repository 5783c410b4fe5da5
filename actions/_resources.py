"""Shared resources for actions, created on first use rather than at import time.

Loading the index (and the sentence-transformers encoder behind it) takes many seconds, so it
starts in a background thread the first time anyone asks, and the readiness probe
(``action_knowledge_status``) is what asks first: a resident's first question never waits.
"""

from __future__ import annotations

import logging
import threading

from cunfa.settings import get_settings
from knowledge import KnowledgeError, shared_knowledge_base
from knowledge.guides.policy import Advisor
from knowledge.guides.service import shared_advisor

logger = logging.getLogger(__name__)

_loader: threading.Thread | None = None
_error: str | None = None
_guard = threading.Lock()


def advisor() -> Advisor:
    """The answer policy over the loaded knowledge base and the matter guides."""
    settings = get_settings()
    return shared_advisor(settings, shared_knowledge_base(settings))


def _load() -> None:
    global _error
    try:
        advisor()
        _error = None
    except (KnowledgeError, OSError) as exc:
        _error = str(exc)
        logger.error("knowledge base failed to load: %s", exc)


def knowledge_status() -> tuple[bool, str | None]:
    """(ready, error); starts the background load on the first call."""
    global _loader
    with _guard:
        if _loader is None or (not _loader.is_alive() and _error is not None):
            _loader = threading.Thread(target=_load, name="knowledge-loader", daemon=True)
            _loader.start()
        alive = _loader.is_alive()
    return (not alive and _error is None), _error
