"""Shared resources for actions, created on first use rather than at import time."""

from __future__ import annotations

from cunfa.settings import get_settings
from knowledge import KnowledgeBase, shared_knowledge_base


def knowledge_base() -> KnowledgeBase:
    return shared_knowledge_base(get_settings())
