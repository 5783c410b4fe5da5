"""Knowledge base: statutes, legal FAQs and village rules, searchable with citations.

Importable without Rasa. The serving core is this package; building the index, training the
encoder, fitting the ranker and evaluating live in ``knowledge.learn`` (offline, never imported
from here). Public API: ``KnowledgeBase``, ``Hit``, ``Document``; ``knowledge.learn.index_build.build_index``.
"""

from knowledge.base import KnowledgeBase, index_inputs, shared_knowledge_base
from knowledge.errors import IndexNotBuilt, InvalidQuery, KnowledgeError, UnknownSource
from knowledge.index import IndexInputs, load_index
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
    "index_inputs",
    "load_index",
    "shared_knowledge_base",
]
