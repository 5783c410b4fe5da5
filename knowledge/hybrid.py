"""Hybrid retrieval: BM25 and dense candidates, FAQ-mediated evidence and citation priors, ranked.

Everyday questions rarely share words with the statute that answers them, but they often
resemble a question a lawyer has already answered. So besides matching the query to articles
directly (BM25, dense), the hybrid retriever finds the most similar FAQ questions (by embedding
and by BM25) and lets the statutes their answers cite vote, and it adds priors for the articles
and laws that residents' questions actually touch. Every candidate gets the feature vector
``FEATURES``; a linear ``Ranker`` (fitted by ``knowledge.ranker``, see docs/knowledge.md) turns it
into one score. What each part contributes is measured by ``cunfa eval retrieval``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from knowledge.bm25 import BM25Retriever
from knowledge.citations import normalize_citation, normalize_title
from knowledge.dense import DenseRetriever
from knowledge.fusion import Ranker, reciprocal_rank_fusion
from knowledge.types import Document

Mode = Literal["hybrid", "bm25", "dense", "rrf"]
MODES: tuple[str, ...] = ("hybrid", "bm25", "dense", "rrf")
CANDIDATES = 400
#: Candidates taken from the character-bigram BM25 as well.
BIGRAM_CANDIDATES = 200
#: FAQ questions consulted per query, nearest by embedding and by BM25.
FAQ_NEIGHBOURS = 30
#: An embedding neighbour votes with weight max(cos, 0) ** FAQ_SHARPNESS.
FAQ_SHARPNESS = 4.0

#: Per-candidate features, in the order of the columns ``HybridRetriever.features`` returns.
FEATURES: tuple[str, ...] = (
    "dense",  # cosine similarity of query and article
    "bm25",  # BM25 / the query's best BM25 score
    "bm25_log",  # log(1 + BM25): the absolute strength of the lexical match
    "bm25_rank",  # log(1 + rank by BM25 among the candidates)
    "dense_rank",  # log(1 + rank by cosine among the candidates)
    "faq",  # embedding-neighbour FAQ votes / the query's best vote
    "faq_raw",  # embedding-neighbour FAQ votes, unnormalised
    "faq_nearest",  # cosine of the nearest FAQ neighbour whose answer cites the article
    "faq_bm25",  # BM25-neighbour FAQ votes / the query's best such vote
    "article_prior",  # log(1 + times the article is cited across the FAQ)
    "law_prior",  # log share of FAQ citations that go to the article's law (0 for the most cited)
    "length",  # log(characters of the article)
    "law_named",  # the query names the article's law (e.g. "劳动合同法")
    "faq_law",  # embedding-neighbour votes for the article's law (any article of it) / best law
    "faq_law_bm25",  # the same among the BM25 neighbours
    "faq_adjacent",  # embedding-neighbour votes for the articles just before and after / best vote
    "bigram",  # BM25 over character bigrams / the best such score among the candidates
    "bigram_log",  # log(1 + BM25 over character bigrams)
)


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
        faq_ids, cited, counts = [], [], {}
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
        best = np.log((max(counts.values(), default=0) + 0.1) / total)
        for j, law in enumerate(law_of.tolist()):
            if law >= 0:
                prior[j] = np.log((counts.get(law, 0) + 0.1) / total) - best
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
        bm25: BM25Retriever,
        dense: DenseRetriever | None,
        evidence: FaqEvidence,
        ranker: Ranker,
        law_names: LawNames,
        lengths: np.ndarray,
        bigrams: BM25Retriever | None = None,
    ) -> None:
        self.bm25, self.dense, self.evidence, self.ranker = bm25, dense, evidence, ranker
        self.law_names, self.lengths, self.bigrams = law_names, lengths, bigrams

    def to_dict(self) -> dict:
        return {"type": "hybrid", "ranker": self.ranker.to_dict(), "candidates": CANDIDATES}

    def run(self, query: str, *, top_k: int, mask: np.ndarray, mode: Mode = "hybrid") -> list[tuple[int, float]]:
        if mode == "bm25" or self.dense is None:
            return self.bm25.run(query, top_k=top_k, mask=mask)
        words = self.bm25.tokenizer.tokenize(query)
        qvec = self.dense.encode_query(query, self.bm25.tokenizer.expand(words, query))
        if mode == "dense":
            return self.dense.run(qvec, top_k=top_k, mask=mask)
        if mode == "rrf":
            lists = [
                [i for i, _ in self.bm25.run(query, top_k=CANDIDATES, mask=mask)],
                [i for i, _ in self.dense.run(qvec, top_k=CANDIDATES, mask=mask)],
            ]
            return reciprocal_rank_fusion(lists)[:top_k]
        found = self.features(query, mask=mask, words=words, qvec=qvec)
        if found is None:
            return []
        ids, features = found
        fused = self.ranker.score(features)
        order = np.argsort(-fused, kind="stable")[:top_k]
        return [(int(ids[o]), float(fused[o])) for o in order]

    def features(
        self,
        query: str,
        *,
        mask: np.ndarray,
        words: list[str] | None = None,
        qvec: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """The candidate documents for ``query`` and their ``FEATURES`` (one row each).

        None when not one word of the query occurs anywhere in the corpus: whatever the encoder
        makes of it, an answer would be a guess, and "nothing found" lets the bot ask or hand over.
        ``words``: the query's jieba words when the caller has them (segmented once per search).
        """
        assert self.dense is not None
        if words is None:
            words = self.bm25.tokenizer.tokenize(query)
        tokens = self.bm25.tokenizer.expand(words, query)
        if qvec is None:
            qvec = self.dense.encode_query(query, tokens)
        everywhere = self.bm25.scores(tokens)
        if not everywhere.any():
            return None
        lexical = everywhere * mask
        best_lexical = float(lexical.max())
        votes, nearest, lexical_votes, law_votes, law_lexical = self._faq_votes(qvec, everywhere)
        candidates = {i for i, _ in self.dense.run(qvec, top_k=CANDIDATES, mask=mask)}
        if best_lexical > 0:
            k = min(CANDIDATES, lexical.size)
            candidates.update(int(i) for i in np.argpartition(-lexical, k - 1)[:k] if lexical[i] > 0)
        candidates.update(int(i) for i in votes if mask[i] > 0)
        candidates.update(int(i) for i in lexical_votes if mask[i] > 0)
        pairs_everywhere = self._bigram_scores(query, words) * mask
        if pairs_everywhere.any():
            k = min(BIGRAM_CANDIDATES, pairs_everywhere.size)
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
            "law_named": self.law_names.named(query)[law],
            "faq_law": law_votes[law],
            "faq_law_bm25": law_lexical[law],
            "faq_adjacent": adjacent / best_vote if best_vote > 0 else adjacent,
            "bigram": pairs / pairs.max() if pairs.max() > 0 else pairs,
            "bigram_log": np.log1p(pairs),
        }
        return ids, np.column_stack([columns[name] for name in FEATURES]).astype(np.float32)

    def _bigram_scores(self, query: str, words: list[str]) -> np.ndarray:
        """BM25 over character bigrams for every document (zeros for an index without them)."""
        if self.bigrams is None:
            return np.zeros(self.lengths.size, dtype=np.float32)
        return self.bigrams.scores(self.bigrams.tokenizer.tokenize_query(query, words)).astype(np.float32)

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
        sims = self.dense.score(qvec, ev.faq_ids)  # type: ignore[union-attr]
        n = min(FAQ_NEIGHBOURS, sims.size)
        for pos in np.argpartition(-sims, n - 1)[:n]:
            sim = max(float(sims[pos]), 0.0)
            weight = sim**FAQ_SHARPNESS
            for j in ev.cited[pos]:
                j = int(j)
                votes[j] = votes.get(j, 0.0) + weight
                nearest[j] = max(nearest.get(j, 0.0), sim)
            law_votes[np.unique(law_of[ev.cited[pos]])] += weight
        faq_lex = lexical[ev.faq_ids]
        best = float(faq_lex.max())
        if best > 0:
            for pos in np.argpartition(-faq_lex, n - 1)[:n]:
                weight = (float(faq_lex[pos]) / best) ** 2
                if weight > 0:
                    for j in ev.cited[pos]:
                        lexical_votes[int(j)] = lexical_votes.get(int(j), 0.0) + weight
                    law_lexical[np.unique(law_of[ev.cited[pos]])] += weight
        law_votes /= max(float(law_votes.max()), 1e-9)
        law_lexical /= max(float(law_lexical.max()), 1e-9)
        return votes, nearest, lexical_votes, law_votes, law_lexical
