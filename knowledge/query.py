"""A question as every retriever reads it, prepared once.

Segmenting with jieba and encoding are the costly steps of a search. One answer searches the
statutes and the village's rules, and the hybrid ranker consults BM25, the bigram index, the
dense index and the FAQ neighbours; each used to segment and encode the same text again. A
``PreparedQuery`` is made once per question (``KnowledgeBase.prepare``) and handed to all of
them, through the one ``run(query, *, top_k, mask)`` contract they share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class PreparedQuery:
    text: str
    #: jieba words of ``text`` (``ChineseTokenizer.tokenize``)
    words: list[str]
    #: ``words`` plus the statutory words for its everyday words (``ChineseTokenizer.expand``)
    tokens: list[str]
    #: the dense encoder's embedding; None for an index without one
    vector: np.ndarray | None = None


class Retriever(Protocol):
    def run(self, query: PreparedQuery, *, top_k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The ``top_k`` best ``(document index, score)`` pairs among those where ``mask`` is non-zero."""
        ...
