"""Dense retrieval: sentence-transformers embeddings in a FAISS inner-product index."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import faiss
import numpy as np

from knowledge.encoder import Encoder
from knowledge.errors import IndexNotBuilt, InvalidQuery
from knowledge.query import PreparedQuery

# Below this share of selected documents, scoring the subset directly beats over-fetching from FAISS.
_SUBSET_SHARE = 0.2


class DenseRetriever:
    """Exact inner-product search over L2-normalised embeddings (cosine similarity).

    ``IndexFlatIP`` is exact; at ~60k × 256 floats it answers in a few milliseconds on 2 cores,
    so an approximate index would only cost recall.
    """

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder
        self.embeddings = np.zeros((0, encoder.dim), dtype=np.float32)
        self._faiss: faiss.Index | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"type": "dense", "encoder": self.encoder.name, "dim": self.encoder.dim, "index": "faiss.IndexFlatIP"}

    def fit(self, texts: list[str], *, prepared: bool = False) -> None:
        self._set(self.encoder.encode(texts, prepared=prepared))

    def _set(self, embeddings: np.ndarray) -> None:
        self.embeddings = np.ascontiguousarray(embeddings, dtype=np.float32)
        index = faiss.IndexFlatIP(self.embeddings.shape[1])
        index.add(self.embeddings)
        self._faiss = index

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / "embeddings.npy", self.embeddings)

    def load(self, directory: Path) -> None:
        self._set(np.load(directory / "embeddings.npy"))

    def encode_query(self, query: str, tokens: list[str] | None = None) -> np.ndarray:
        if self.encoder.pretokenize and tokens is not None:
            return self.encoder.encode([" ".join(tokens)], prepared=True)[0]
        return self.encoder.encode([query])[0]

    def vector(self, query: PreparedQuery) -> np.ndarray:
        """The query's embedding: the prepared one, else encoded now (a query prepared without this encoder)."""
        return query.vector if query.vector is not None else self.encode_query(query.text, query.tokens)

    def run(self, query: PreparedQuery, *, top_k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The ``top_k`` nearest documents among those where ``mask`` is non-zero."""
        if top_k <= 0:
            raise InvalidQuery(f"top_k must be greater than 0. Currently, the top_k is {top_k}")
        if self._faiss is None:
            raise IndexNotBuilt("dense index used before fit() or load()")
        query_vector = self.vector(query)
        n = self.embeddings.shape[0]
        if mask is None:
            mask = np.ones(n, dtype=np.float32)
        selected = np.flatnonzero(mask)
        if selected.size == 0:
            return []
        if selected.size < _SUBSET_SHARE * n:
            scores = self.embeddings[selected] @ query_vector
            k = min(top_k, selected.size)
            top = np.argpartition(-scores, k - 1)[:k]
            top = top[np.argsort(-scores[top], kind="stable")]
            return [(int(selected[i]), float(scores[i])) for i in top]
        # FAISS skips the excluded documents itself, rather than fetching extra hits for Python to
        # filter (which was the largest cost of a hybrid query in a py-spy profile).
        bitmap = np.packbits(mask > 0, bitorder="little")
        params = faiss.SearchParameters(sel=faiss.IDSelectorBitmap(n, faiss.swig_ptr(bitmap)))
        scores, ids = self._faiss.search(query_vector.reshape(1, -1), min(top_k, selected.size), params=params)
        return [(i, s) for i, s in zip(ids[0].tolist(), scores[0].tolist(), strict=True) if i >= 0]

    def score(self, query_vector: np.ndarray, doc_ids: np.ndarray) -> np.ndarray:
        """Exact similarities of chosen documents (for fusion of candidates from other retrievers)."""
        return self.embeddings[doc_ids] @ query_vector
