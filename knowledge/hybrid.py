"""Hybrid retrieval: BM25 and dense candidates, FAQ-mediated evidence and citation priors, ranked.

Everyday questions rarely share words with the statute that answers them, but they often
resemble a question a lawyer has already answered. So besides matching the query to articles
directly (BM25, dense), the hybrid retriever finds the most similar FAQ questions (by embedding
and by BM25) and lets the statutes their answers cite vote, and it adds priors for the articles
and laws that residents' questions actually touch. Every candidate gets the feature vector
``FEATURES``; a linear ``Ranker`` (fitted by ``knowledge.learn.ranker_fitting``, see docs/knowledge.md) turns it
into one score. What each part contributes is measured by ``cunfa eval retrieval``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from knowledge.bigrams import BigramTokenizer
from knowledge.bm25 import BM25Retriever
from knowledge.citations import normalize_citation, normalize_title
from knowledge.dense import DenseRetriever
from knowledge.errors import InvalidQuery
from knowledge.fusion import Ranker, reciprocal_rank_fusion
from knowledge.query import PreparedQuery, Retriever
from knowledge.recipe import FEATURES, HYBRID
from knowledge.tokenize import ChineseTokenizer
from knowledge.types import Document

__all__ = ["FEATURES", "MODES", "FaqEvidence", "HybridRetriever", "LawNames", "Mode"]

Mode = Literal["hybrid", "bm25", "dense", "rrf"]
MODES: tuple[str, ...] = ("hybrid", "bm25", "dense", "rrf")


@dataclass
class FaqEvidence:
    """Which statutes each usable FAQ cites, and how often each article and law is cited."""

    faq_ids: np.ndarray  # document indices of the FAQs that may contribute
    cited: list[np.ndarray]  # per FAQ: document indices of the statutes it cites
    law_prior: np.ndarray  # per document: log share of citations of its law (0 for non-statutes)
    article_prior: np.ndarray  # per document: log(1 + citations of the article)

    @classmethod
    def build(cls, documents: Sequence[Document], allowed_faq: np.ndarray, law_names: LawNames) -> FaqEvidence:
        by_citation = {normalize_citation(d.citation): i for i, d in enumerate(documents) if d.source == "statute"}
        law_of = law_names.law_of  # -1 for documents that are not statutes
        faq_ids: list[int] = []
        cited: list[np.ndarray] = []
        counts: dict[int, int] = {}
        article_counts = np.zeros(len(documents), dtype=np.float32)
        for i in np.flatnonzero(allowed_faq):
            names = (normalize_citation(n) for n in documents[i].extra.get("cited", []))
            refs = sorted({by_citation[c] for c in names if c in by_citation})
            faq_ids.append(i)
            cited.append(np.array(refs, dtype=np.int64))
            for j in refs:
                counts[int(law_of[j])] = counts.get(int(law_of[j]), 0) + 1
                article_counts[j] += 1
        total = sum(counts.values()) or 1
        prior = np.zeros(len(documents), dtype=np.float32)
        smoothing = HYBRID.prior_smoothing
        best = np.log((max(counts.values(), default=0) + smoothing) / total)
        for j, law in enumerate(law_of.tolist()):
            if law >= 0:
                prior[j] = np.log((counts.get(law, 0) + smoothing) / total) - best
        return cls(
            faq_ids=np.array(faq_ids, dtype=np.int64),
            cited=cited,
            law_prior=prior,
            article_prior=np.log1p(article_counts),
        )


class LawNames:
    """Which laws a query names: the normalised title of every law, as a substring of the query."""

    def __init__(self, documents: Sequence[Document]) -> None:
        titles: dict[str, int] = {}
        self.law_of = np.full(len(documents), -1, dtype=np.int64)
        for i, doc in enumerate(documents):
            if doc.source == "statute":
                self.law_of[i] = titles.setdefault(normalize_title(doc.title), len(titles))
        self.titles = list(titles)

    def named(self, query: str) -> np.ndarray:
        text = normalize_title(query)
        return np.array([t in text for t in self.titles] + [False], dtype=np.float32)


def _ranks(values: np.ndarray) -> np.ndarray:
    """log(1 + rank) of each value, best (largest) first."""
    ranks = np.empty(values.size, dtype=np.float32)
    ranks[np.argsort(-values, kind="stable")] = np.arange(values.size, dtype=np.float32)
    return np.log1p(ranks)


class HybridRetriever:
    def __init__(
        self,
        bm25: BM25Retriever[ChineseTokenizer],
        dense: DenseRetriever | None,
        evidence: FaqEvidence,
        ranker: Ranker,
        law_names: LawNames,
        lengths: np.ndarray,
        bigrams: BM25Retriever[BigramTokenizer] | None = None,
    ) -> None:
        self.bm25, self.dense, self.evidence, self.ranker = bm25, dense, evidence, ranker
        self.law_names, self.lengths, self.bigrams = law_names, lengths, bigrams

    def to_dict(self) -> dict:
        return {"type": "hybrid", "ranker": self.ranker.to_dict(), "candidates": HYBRID.candidates}

    def prepare(self, text: str, *, encode: bool = True) -> PreparedQuery:
        """Segment, expand and encode ``text`` once, for every retriever and every search of one answer.

        ``encode=False`` skips the embedding for a BM25-only search (a retriever that needs it
        later encodes it then).
        """
        if not text or not text.strip():
            raise InvalidQuery("query must not be empty")
        tokenizer = self.bm25.tokenizer
        words = tokenizer.tokenize(text)
        tokens = tokenizer.expand(words, text)
        vector = self.dense.encode_query(text, tokens) if self.dense is not None and encode else None
        return PreparedQuery(text=text, words=words, tokens=tokens, vector=vector)

    def run(
        self, query: PreparedQuery, *, top_k: int, mask: np.ndarray | None = None, mode: Mode = "hybrid"
    ) -> list[tuple[int, float]]:
        if mask is None:
            mask = np.ones(self.lengths.size, dtype=np.float32)
        if mode == "bm25" or self.dense is None:
            return self.bm25.run(query, top_k=top_k, mask=mask)
        if mode == "dense":
            return self.dense.run(query, top_k=top_k, mask=mask)
        if mode == "rrf":
            both: tuple[Retriever, ...] = (self.bm25, self.dense)
            lists = [[i for i, _ in each.run(query, top_k=HYBRID.candidates, mask=mask)] for each in both]
            return reciprocal_rank_fusion(lists)[:top_k]
        found = self.features(query, mask=mask)
        if found is None:
            return []
        ids, features = found
        fused = self.ranker.score(features)
        order = np.argsort(-fused, kind="stable")[:top_k]
        return [(int(ids[o]), float(fused[o])) for o in order]

    def features(self, query: PreparedQuery, *, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """The candidate documents for ``query`` and their ``FEATURES`` (one row each).

        None when not one word of the query occurs anywhere in the corpus: whatever the encoder
        makes of it, an answer would be a guess, and "nothing found" lets the bot ask or hand over.
        """
        if self.dense is None:
            raise InvalidQuery("the hybrid ranking needs a dense index; this one is BM25 only")
        qvec = self.dense.vector(query)
        everywhere = self.bm25.scores(query.tokens)
        if not everywhere.any():
            return None
        lexical = everywhere * mask
        best_lexical = float(lexical.max())
        votes, nearest, lexical_votes, law_votes, law_lexical = self._faq_votes(qvec, everywhere)
        candidates = {i for i, _ in self.dense.run(query, top_k=HYBRID.candidates, mask=mask)}
        if best_lexical > 0:
            k = min(HYBRID.candidates, lexical.size)
            candidates.update(int(i) for i in np.argpartition(-lexical, k - 1)[:k] if lexical[i] > 0)
        candidates.update(int(i) for i in votes if mask[i] > 0)
        candidates.update(int(i) for i in lexical_votes if mask[i] > 0)
        pairs_everywhere = self._bigram_scores(query) * mask
        if pairs_everywhere.any():
            k = min(HYBRID.bigram_candidates, pairs_everywhere.size)
            top = np.argpartition(-pairs_everywhere, k - 1)[:k]
            candidates.update(int(i) for i in top if pairs_everywhere[i] > 0)
        if not candidates:
            return None
        ids = np.fromiter(sorted(candidates), dtype=np.int64)
        cosine = self.dense.score(qvec, ids)
        lex = lexical[ids]
        faq = np.array([votes.get(int(i), 0.0) for i in ids], dtype=np.float32)
        faq_lex = np.array([lexical_votes.get(int(i), 0.0) for i in ids], dtype=np.float32)
        ev = self.evidence
        law = self.law_names.law_of[ids]
        best_vote = faq.max()
        adjacent = np.array([votes.get(int(i) - 1, 0.0) + votes.get(int(i) + 1, 0.0) for i in ids], dtype=np.float32)
        pairs = pairs_everywhere[ids]
        columns = {
            "dense": cosine,
            "bm25": lex / best_lexical if best_lexical > 0 else np.zeros(ids.size, dtype=np.float32),
            "bm25_log": np.log1p(lex),
            "bm25_rank": _ranks(lex),
            "dense_rank": _ranks(cosine),
            "faq": faq / best_vote if best_vote > 0 else faq,
            "faq_raw": faq,
            "faq_nearest": np.array([nearest.get(int(i), 0.0) for i in ids], dtype=np.float32),
            "faq_bm25": faq_lex / faq_lex.max() if faq_lex.max() > 0 else faq_lex,
            "article_prior": ev.article_prior[ids],
            "law_prior": ev.law_prior[ids],
            "length": self.lengths[ids],
            "law_named": self.law_names.named(query.text)[law],
            "faq_law": law_votes[law],
            "faq_law_bm25": law_lexical[law],
            "faq_adjacent": adjacent / best_vote if best_vote > 0 else adjacent,
            "bigram": pairs / pairs.max() if pairs.max() > 0 else pairs,
            "bigram_log": np.log1p(pairs),
        }
        return ids, np.column_stack([columns[name] for name in FEATURES]).astype(np.float32)

    def _bigram_scores(self, query: PreparedQuery) -> np.ndarray:
        """BM25 over character bigrams for every document (zeros for an index without them)."""
        if self.bigrams is None:
            return np.zeros(self.lengths.size, dtype=np.float32)
        return self.bigrams.scores(self.bigrams.tokenizer.query_tokens(query)).astype(np.float32)

    def _faq_votes(
        self, qvec: np.ndarray, lexical: np.ndarray
    ) -> tuple[dict[int, float], dict[int, float], dict[int, float], np.ndarray, np.ndarray]:
        """Statutes cited by the answers to the FAQ questions nearest to the query.

        Returns the embedding neighbours' votes (weighted by cosine ** sharpness), the cosine of
        the nearest neighbour citing each statute, the BM25 neighbours' votes (weighted by the
        square of their BM25 score relative to the best), and per law (``LawNames`` numbering,
        one extra slot for "no law") the share of each kind of neighbours' weight citing it.
        """
        ev = self.evidence
        n_laws = len(self.law_names.titles) + 1
        votes: dict[int, float] = {}
        nearest: dict[int, float] = {}
        lexical_votes: dict[int, float] = {}
        law_votes = np.zeros(n_laws, dtype=np.float32)
        law_lexical = np.zeros(n_laws, dtype=np.float32)
        if ev.faq_ids.size == 0:
            return votes, nearest, lexical_votes, law_votes, law_lexical
        law_of = self.law_names.law_of
        assert self.dense is not None  # only ``features`` calls this, after checking
        sims = self.dense.score(qvec, ev.faq_ids)
        n = min(HYBRID.faq_neighbours, sims.size)
        for pos in np.argpartition(-sims, n - 1)[:n]:
            sim = max(float(sims[pos]), 0.0)
            weight = sim**HYBRID.faq_sharpness
            for j in ev.cited[pos]:
                j = int(j)
                votes[j] = votes.get(j, 0.0) + weight
                nearest[j] = max(nearest.get(j, 0.0), sim)
            law_votes[np.unique(law_of[ev.cited[pos]])] += weight
        faq_lex = lexical[ev.faq_ids]
        best = float(faq_lex.max())
        if best > 0:
            for pos in np.argpartition(-faq_lex, n - 1)[:n]:
                weight = (float(faq_lex[pos]) / best) ** HYBRID.lexical_vote_power
                if weight > 0:
                    for j in ev.cited[pos]:
                        lexical_votes[int(j)] = lexical_votes.get(int(j), 0.0) + weight
                    law_lexical[np.unique(law_of[ev.cited[pos]])] += weight
        law_votes /= max(float(law_votes.max()), 1e-9)
        law_lexical /= max(float(law_lexical.max()), 1e-9)
        return votes, nearest, lexical_votes, law_votes, law_lexical
