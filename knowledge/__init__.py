"""Knowledge base: statutes, legal FAQs and village rules, searchable with citations.

Importable without Rasa. Public API: ``KnowledgeBase``, ``build_index``, ``Hit``, ``Document``.
"""

from knowledge.base import KnowledgeBase, index_inputs, shared_knowledge_base
from knowledge.errors import IndexNotBuilt, InvalidQuery, KnowledgeError, UnknownSource
from knowledge.index import IndexInputs, build_index, load_index
from knowledge.types import SOURCES, Document, Hit

__all__ = [
    "SOURCES",
    "Document",
    "Hit",
    "IndexInputs",
    "IndexNotBuilt",
    "InvalidQuery",
    "KnowledgeBase",
    "KnowledgeError",
    "UnknownSource",
    "build_index",
    "index_inputs",
    "load_index",
    "shared_knowledge_base",
]
