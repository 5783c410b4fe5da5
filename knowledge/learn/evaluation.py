"""Statute-retrieval evaluation on the held-out FAQ split (``cunfa eval retrieval``).

Each FAQ question is a real layperson's question; its lawyer-labelled statutes are the gold
set. The knowledge base is evaluated as a view in which only the FAQs the evaluated split may
learn from exist, so neither the question itself nor any other held-out entry can leak its
citations into the ranking.
"""

from __future__ import annotations

import os
import shutil
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.base import KnowledgeBase
from knowledge.citations import normalize_citation
from knowledge.dense import DenseRetriever
from knowledge.encoder import load_encoder
from knowledge.fusion import Ranker
from knowledge.hybrid import Mode
from knowledge.index import IndexInputs
from knowledge.learn.corpus import document_texts, tokenize_corpus
from knowledge.learn.encoders import ensure_encoder
from knowledge.learn.questions import Question, faq_ids_of
from knowledge.learn.ranker_fitting import calibrated, fit_listwise, training_rows
from knowledge.recipe import FEATURES
from knowledge.splits import Split, learning_splits

CUTOFFS = (1, 5, 10, 100)


@dataclass
class Report:
    mode: str
    n: int
    recall: dict[int, float]
    mrr10: float
    latency_ms: list[float] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        lat = sorted(self.latency_ms)
        p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))] if lat else 0.0
        return {
            "mode": self.mode,
            "questions": self.n,
            **{f"R@{k}": round(v, 3) for k, v in self.recall.items()},
            "MRR@10": round(self.mrr10, 3),
            "p50_ms": round(statistics.median(lat), 1) if lat else 0.0,
            "p95_ms": round(p95, 1),
        }


def held_out_view(kb: KnowledgeBase, inputs: IndexInputs, encoders_root: Path, split: Split) -> KnowledgeBase:
    """The knowledge base as it would be had the questions of ``split`` never been asked.

    Only the FAQs of ``learning_splits(split)`` exist in it, and with the self-built encoder its
    dense index is that of an encoder trained on those alone (trained if missing, its corpus
    embeddings cached beside the index): the service's own encoder learned from every question.
    A configured pretrained encoder never saw any, so it serves as is.
    """
    learns = learning_splits(split)
    faq_ids = faq_ids_of(inputs.faq_file, learns)
    if inputs.encoder or kb.index.dense is None:
        return kb.restricted_to_faqs(faq_ids)
    docs = kb.index.documents
    encoder_dir = Path(ensure_encoder(inputs, encoders_root, docs, splits=learns))
    dense = DenseRetriever(load_encoder(encoder_dir))
    cache = kb.index.directory / "held-out" / encoder_dir.name
    if (cache / "embeddings.npy").is_file():
        dense.load(cache)
    else:
        tokens = tokenize_corpus(document_texts(docs))
        dense.fit([" ".join(t) for t in tokens], prepared=True)
        tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
        dense.save(tmp)
        try:
            tmp.rename(cache)
        except OSError:  # another process cached the same embeddings meanwhile
            shutil.rmtree(tmp, ignore_errors=True)
    return KnowledgeBase(kb.index.with_dense(dense), ranker=kb.retriever.ranker, faq_ids=faq_ids)


def score(rankings: Sequence[Sequence[str]], questions: Sequence[Question]) -> tuple[dict[int, float], float]:
    """Mean recall@k (share of gold citations found in the top k) and MRR@10 (first gold hit)."""
    recall = dict.fromkeys(CUTOFFS, 0.0)
    mrr = 0.0
    for ranked, question in zip(rankings, questions, strict=True):
        for k in CUTOFFS:
            recall[k] += len(set(ranked[:k]) & question.gold) / len(question.gold)
        for rank, citation in enumerate(ranked[:10], 1):
            if citation in question.gold:
                mrr += 1 / rank
                break
    n = max(len(questions), 1)
    return {k: v / n for k, v in recall.items()}, mrr / n


def evaluate(kb: KnowledgeBase, questions: Sequence[Question], mode: Mode) -> Report:
    rankings, latencies = [], []
    for question in questions:
        started = time.perf_counter()
        hits = kb.search(question.text, k=100, source="statute", mode=mode)
        latencies.append((time.perf_counter() - started) * 1000)
        rankings.append([normalize_citation(h.citation) for h in hits])
    recall, mrr = score(rankings, questions)
    return Report(mode=mode, n=len(questions), recall=recall, mrr10=mrr, latency_ms=latencies)


def tune(
    kb: KnowledgeBase, inputs: IndexInputs, encoders_root: Path, questions: Sequence[Question]
) -> list[dict[str, Any]]:
    """Refit the ranker on the train questions (out of fold) at several regularisations and score
    each, and the hand-weighted fusion, on ``questions`` (the dev split); best first by R@10 + R@100 + MRR@10."""
    tokens = tokenize_corpus(document_texts(kb.index.documents))
    rows = training_rows(inputs, kb.index, tokens, encoders_root)
    candidates: dict[str, Ranker] = {"hand-weighted": Ranker.hand_weighted(FEATURES)}
    if kb.retriever.ranker.info.get("kind") != "hand-weighted":
        candidates["saved with the index"] = kb.retriever.ranker
    for regularisation in (0.1, 1.0, 10.0):
        candidates[f"listwise, L2 {regularisation}"] = calibrated(fit_listwise(rows, regularisation), rows)
    results = []
    for name, ranker in candidates.items():
        report = evaluate(kb.restricted_to_faqs(kb.faq_ids, ranker), questions, "hybrid")
        results.append({"ranker": name, **report.row(), "coef": dict(zip(ranker.features, ranker.coef, strict=True))})
    return sorted(results, key=lambda r: -(r["R@10"] + r["R@100"] + r["MRR@10"]))
