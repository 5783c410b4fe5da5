"""Calibrate when the assistant answers, quotes a lawyer's FAQ answer, or asks to clarify.

Run: ``.venv/bin/python bench/calibrate_answers.py`` (uses the built index in the data dir;
``--dev-only`` skips the train folds). No question may find its own FAQ entry or be known to
the encoder, so each is searched in a view of the index that never saw it:
- dev questions: only train FAQs exist and the encoder learned from those alone;
- train questions, out of fold (the ranker's own fitting views, ``knowledge.learn.ranker_fitting.fold_view``):
  only the train FAQs of the other four folds exist, with that fold's encoder (trained when
  missing, about 40 s each). The ranker was fitted on these questions, so their scores are a
  little optimistic; dev is reported apart for that reason, and the choice is made on both
  (about 1,000 questions instead of 143, where one question moves a band by several points).
Prints, per threshold, how many questions fall on each side and how often the cited material
is right there (shares an article with the gold citations). The chosen value is the score above
which an answer is worded as sure (``AdvicePolicy.confident_score`` in ``knowledge/guides/policy.py``);
below it the answer says "下面这些规定可能相关". The FAQ threshold is ``assist.suggest.FAQ_MIN_COSINE``.
"""

from __future__ import annotations

import argparse
from typing import NamedTuple

from cunfa.settings import get_settings
from knowledge.base import KnowledgeBase, index_inputs, shared_knowledge_base
from knowledge.citations import normalize_citation
from knowledge.guides.policy import AdvicePolicy
from knowledge.learn.corpus import document_texts, tokenize_corpus
from knowledge.learn.evaluation import held_out_view
from knowledge.learn.questions import Question, load_questions
from knowledge.learn.ranker_fitting import fold_view
from knowledge.recipe import RANKER
from knowledge.splits import fold_of
from triage import DISPUTE_TYPE_LABELS, classify_dispute

THRESHOLDS = (0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)
BAND = 0.05


class Row(NamedTuple):
    statute_score: float
    statute_right: bool  # a gold article among the top 3
    faq_score: float
    faq_right: bool  # the nearest FAQ cites a gold article
    topic_right: bool | None  # below the threshold with a lexicon topic: would adding it have helped?


def _gold(hits, question: Question) -> bool:  # list[Hit]
    return bool({normalize_citation(h.citation) for h in hits} & question.gold)


def rows_for(kb: KnowledgeBase, questions: list[Question], policy: AdvicePolicy) -> list[Row]:
    rows = []
    for q in questions:
        statutes = kb.search(q.text, k=3, source="statute")
        faq = kb.search(q.text, k=1, source="faq", mode="dense")[0] if "dense" in kb.modes else None
        faq_ok = bool(faq and {normalize_citation(c) for c in faq.extra.get("cited", [])} & q.gold)
        topic_right = None
        if statutes[0].score < policy.confident_score and (topic := classify_dispute(q.text)) is not None:
            again = kb.search(f"{DISPUTE_TYPE_LABELS[topic.value]} {q.text}", k=3, source="statute")
            topic_right = _gold(again, q)
        rows.append(Row(statutes[0].score, _gold(statutes, q), faq.score if faq else 0.0, faq_ok, topic_right))
    return rows


def _share(flags: list[bool]) -> str:
    return f"{len(flags):4d}, {sum(flags) / max(1, len(flags)):.2f}"


def report(name: str, rows: list[Row], policy: AdvicePolicy) -> None:
    n = len(rows)
    right = sum(r.statute_right for r in rows) / n
    print(f"\n## {name}: {n} questions; top-3 statutes contain a gold article: {right:.2f}")
    # The band column is what lowering the threshold to t would add to the answered questions.
    print(f"statute threshold | below: n, precision | above: n, precision | band [t, t+{BAND}): n, precision")
    for t in THRESHOLDS:
        lo = [r.statute_right for r in rows if r.statute_score < t]
        hi = [r.statute_right for r in rows if r.statute_score >= t]
        band = [r.statute_right for r in rows if t <= r.statute_score < t + BAND]
        print(f"{t:17.2f} | {_share(lo)}    | {_share(hi)}    | {_share(band)}")
    print("FAQ cosine threshold | shown: n, nearest FAQ shares a gold article")
    for t in (0.7, 0.75, 0.8, 0.85, 0.9):
        print(f"{t:20.2f} | {_share([r.faq_right for r in rows if r.faq_score >= t])}")
    topic = [r.topic_right for r in rows if r.topic_right is not None]
    print(
        f"below {policy.confident_score} with a lexicon topic: {len(topic)}; answering with the topic added "
        f"would cite a gold article for {sum(topic)} of them"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dev-only", action="store_true", help="skip the train questions (no fold encoders)")
    args = parser.parse_args()
    settings, policy = get_settings(), AdvicePolicy()
    kb = shared_knowledge_base(settings)
    inputs = index_inputs(settings)
    dev_view = held_out_view(kb, inputs, settings.encoders_dir, "dev")
    dev = rows_for(dev_view, load_questions(settings.faq_file, "dev"), policy)
    report("dev (held out)", dev, policy)
    if args.dev_only:
        return
    train = load_questions(settings.faq_file, "train")
    prepared = [" ".join(t) for t in tokenize_corpus(document_texts(kb.index.documents))]
    oof: list[Row] = []
    for fold in range(RANKER.folds):
        view = fold_view(inputs, kb.index, prepared, settings.encoders_dir, fold)
        oof += rows_for(view, [q for q in train if fold_of(q.qid) == fold], policy)
    report("train, out of fold", oof, policy)
    report("both", dev + oof, policy)


if __name__ == "__main__":
    main()
