"""Hybrid retrieval: BM25 and dense candidates, FAQ-mediated evidence and a law prior, fused.

Everyday questions rarely share words with the statute that answers them, but they often
resemble a question a lawyer has already answered. So besides matching the query to articles
directly (BM25, dense), the hybrid retriever finds the most similar FAQ questions and lets the
statutes their answers cite vote, and it adds a prior for laws that residents' questions
actually touch. What each part contributes is measured by ``cunfa eval retrieval``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from knowledge.bm25 import BM25Retriever
from knowledge.citations import normalize_citation, normalize_title
from knowledge.dense import DenseRetriever
from knowledge.fusion import FusionWeights, reciprocal_rank_fusion, weighted_fusion
from knowledge.types import Document

Mode = Literal["hybrid", "bm25", "dense", "rrf"]
MODES: tuple[str, ...] = ("hybrid", "bm25", "dense", "rrf")
CANDIDATES = 200


@dataclass
class FaqEvidence:
    """Which statutes each usable FAQ cites, and how often each law is cited overall."""

    faq_ids: np.ndarray  # document indices of the FAQs that may contribute
    cited: list[np.ndarray]  # per FAQ: document indices of the statutes it cites
    law_prior: np.ndarray  # per document: log share of citations of its law (0 for non-statutes)

    @classmethod
    def build(cls, documents: Sequence[Document], allowed_faq: np.ndarray) -> FaqEvidence:
        by_citation = {normalize_citation(d.citation): i for i, d in enumerate(documents) if d.source == "statute"}
        law_of = [normalize_title(d.title) if d.source == "statute" else "" for d in documents]
        faq_ids, cited, counts = [], [], {}
        for i in np.flatnonzero(allowed_faq):
            names = (normalize_citation(n) for n in documents[i].extra.get("cited", []))
            refs = [by_citation[c] for c in names if c in by_citation]
            faq_ids.append(i)
            cited.append(np.array(refs, dtype=np.int64))
            for j in refs:
                counts[law_of[j]] = counts.get(law_of[j], 0) + 1
        total = sum(counts.values()) or 1
        prior = np.zeros(len(documents), dtype=np.float32)
        best = np.log((max(counts.values(), default=0) + 0.1) / total)
        for j, law in enumerate(law_of):
            if law:
                prior[j] = np.log((counts.get(law, 0) + 0.1) / total) - best
        return cls(faq_ids=np.array(faq_ids, dtype=np.int64), cited=cited, law_prior=prior)


class HybridRetriever:
    def __init__(
        self,
        bm25: BM25Retriever,
        dense: DenseRetriever | None,
        evidence: FaqEvidence,
        weights: FusionWeights = FusionWeights(),
    ) -> None:
        self.bm25, self.dense, self.evidence, self.weights = bm25, dense, evidence, weights

    def to_dict(self) -> dict:
        return {"type": "hybrid", "fusion": "weighted", "weights": self.weights.to_dict(), "candidates": CANDIDATES}

    def run(self, query: str, *, top_k: int, mask: np.ndarray, mode: Mode = "hybrid") -> list[tuple[int, float]]:
        if mode == "bm25" or self.dense is None:
            return self.bm25.run(query, top_k=top_k, mask=mask)
        tokens = self.bm25.tokenizer.tokenize_query(query)
        qvec = self.dense.encode_query(query, tokens)
        if mode == "dense":
            return self.dense.run(qvec, top_k=top_k, mask=mask)
        if mode == "rrf":
            lists = [
                [i for i, _ in self.bm25.run(query, top_k=CANDIDATES, mask=mask)],
                [i for i, _ in self.dense.run(qvec, top_k=CANDIDATES, mask=mask)],
            ]
            return reciprocal_rank_fusion(lists)[:top_k]
        return self._weighted(tokens, qvec, top_k=top_k, mask=mask)

    def _weighted(
        self, tokens: list[str], qvec: np.ndarray, *, top_k: int, mask: np.ndarray
    ) -> list[tuple[int, float]]:
        lexical = self.bm25.scores(tokens)
        if not lexical.any():
            # Not one word of the query occurs anywhere in the corpus: whatever the encoder makes of
            # it, an answer would be a guess. Saying "nothing found" lets the bot ask or hand over.
            return []
        lexical = lexical * mask
        best_lexical = float(lexical.max())
        faq_votes = self._faq_votes(qvec)
        candidates = {i for i, _ in self.dense.run(qvec, top_k=CANDIDATES, mask=mask)}
        if best_lexical > 0:
            k = min(CANDIDATES, lexical.size)
            candidates.update(int(i) for i in np.argpartition(-lexical, k - 1)[:k] if lexical[i] > 0)
        candidates.update(int(i) for i in faq_votes if mask[i] > 0)
        if not candidates:
            return []
        ids = np.fromiter(sorted(candidates), dtype=np.int64)
        faq = np.array([faq_votes.get(int(i), 0.0) for i in ids], dtype=np.float32)
        fused = weighted_fusion(
            dense=self.dense.score(qvec, ids),
            bm25=lexical[ids] / best_lexical if best_lexical > 0 else np.zeros(ids.size, dtype=np.float32),
            faq=faq / faq.max() if faq.size and faq.max() > 0 else faq,
            law_prior=self.evidence.law_prior[ids],
            weights=self.weights,
        )
        order = np.argsort(-fused, kind="stable")[:top_k]
        return [(int(ids[o]), float(fused[o])) for o in order]

    def _faq_votes(self, qvec: np.ndarray) -> dict[int, float]:
        """Statutes cited by the answers to the FAQ questions nearest to the query, weighted."""
        ev = self.evidence
        if ev.faq_ids.size == 0:
            return {}
        sims = self.dense.score(qvec, ev.faq_ids)
        n = min(self.weights.faq_neighbours, sims.size)
        votes: dict[int, float] = {}
        for pos in np.argpartition(-sims, n - 1)[:n]:
            weight = max(float(sims[pos]), 0.0) ** self.weights.faq_sharpness
            for j in ev.cited[pos]:
                votes[int(j)] = votes.get(int(j), 0.0) + weight
        return votes
