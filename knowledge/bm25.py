"""Lexical retrieval: BM25 (bm25s) over jieba tokens, one index over all sources.

Filtering by source or village is a ``weight_mask`` on the same index rather than separate
indexes, so scores stay comparable across sources and a filter costs one vector multiply.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Generic, TypeVar

import bm25s
import numpy as np

from knowledge.bigrams import BigramTokenizer
from knowledge.errors import InvalidQuery
from knowledge.query import PreparedQuery
from knowledge.tokenize import ChineseTokenizer

#: What a BM25 index is over: jieba words, or character bigrams (``knowledge.bigrams``).
TokenizerT = TypeVar("TokenizerT", ChineseTokenizer, BigramTokenizer)


class BM25Retriever(Generic[TokenizerT]):
    """BM25 over pre-tokenised documents; ``run`` returns ``(doc_index, score)`` pairs."""

    def __init__(self, tokenizer: TokenizerT, *, k1: float = 1.2, b: float = 0.75) -> None:
        if k1 <= 0:
            raise ValueError(f"k1 must be greater than 0. Currently, the k1 is {k1}")
        if not 0 <= b <= 1:
            raise ValueError(f"b must be within [0, 1]. Currently, the b is {b}")
        self.tokenizer: TokenizerT = tokenizer
        self.k1, self.b = k1, b
        self._bm25: bm25s.BM25 | None = None
        self._size = 0

    @property
    def size(self) -> int:
        return self._size

    def to_dict(self) -> dict[str, Any]:
        analyser = "char-bigrams" if isinstance(self.tokenizer, BigramTokenizer) else "jieba-search"
        return {"type": "bm25", "k1": self.k1, "b": self.b, "method": "lucene", "tokenizer": analyser}

    def fit(self, corpus_tokens: list[list[str]]) -> None:
        model = bm25s.BM25(k1=self.k1, b=self.b, method="lucene")
        # An empty token list would make bm25s skip the document and shift every index after it.
        model.index([toks or ["<empty>"] for toks in corpus_tokens], show_progress=False)
        self._bm25, self._size = model, len(corpus_tokens)

    def save(self, directory: Path) -> None:
        assert self._bm25 is not None, "fit() or load() first"
        self._bm25.save(str(directory))

    def load(self, directory: Path, size: int) -> None:
        self._bm25, self._size = bm25s.BM25.load(str(directory), mmap=False), size

    def scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every document for already-tokenised query words."""
        assert self._bm25 is not None, "fit() or load() first"
        known = [t for t in tokens if t in self._bm25.vocab_dict]
        if not known:
            return np.zeros(self._size, dtype=np.float32)
        return self._bm25.get_scores(known)

    def run(self, query: PreparedQuery, *, top_k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The ``top_k`` best documents for ``query`` among those where ``mask`` is non-zero."""
        if top_k <= 0:
            raise InvalidQuery(f"top_k must be greater than 0. Currently, the top_k is {top_k}")
        scores = self.scores(self.tokenizer.query_tokens(query))
        if not scores.any():
            return []
        if mask is not None:
            scores = scores * mask
        k = min(top_k, self._size)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]
