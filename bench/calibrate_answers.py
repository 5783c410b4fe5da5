"""Calibrate when the assistant answers, quotes a lawyer's FAQ answer, or asks to clarify.

Run: ``.venv/bin/python bench/calibrate_answers.py`` (uses the built index in the data dir).
Uses only dev-split questions against the view of the index in which only train-split FAQs
exist and the encoder learned from those alone, so no question finds its own FAQ entry. Prints,
per threshold, how many dev questions fall on each side and how often the cited material is
right there (shares an article with the gold citations). The chosen values live in
``knowledge/answer.py`` (``AnswerPolicy``).
"""

from __future__ import annotations

from cunfa.settings import get_settings
from knowledge.base import index_inputs, shared_knowledge_base
from knowledge.citations import normalize_citation
from knowledge.evaluation import held_out_view, load_questions
from triage import DISPUTE_TYPE_LABELS, classify_dispute


def main() -> None:
    settings = get_settings()
    kb = held_out_view(shared_knowledge_base(settings), index_inputs(settings), settings.encoders_dir, "dev")
    questions = load_questions(settings.faq_file, "dev")
    rows = []
    with_topic: list[bool] = []
    for q in questions:
        statutes = kb.search(q.text, k=3, source="statute")
        hit = bool({normalize_citation(h.citation) for h in statutes} & q.gold)
        faq = kb.search(q.text, k=1, source="faq", mode="dense")[0] if "dense" in kb.modes else None
        faq_ok = bool(faq and {normalize_citation(c) for c in faq.extra.get("cited", [])} & q.gold)
        rows.append((statutes[0].score, hit, faq.score if faq else 0.0, faq_ok))
        if statutes[0].score < 0.75 and (topic := classify_dispute(q.text)) is not None:
            # Would answering at once, with the lexicon's topic added, be right instead of asking?
            again = kb.search(f"{DISPUTE_TYPE_LABELS[topic.value]} {q.text}", k=3, source="statute")
            with_topic.append(bool({normalize_citation(h.citation) for h in again} & q.gold))
    n = len(rows)
    print(f"dev questions: {n}; top-3 statutes contain a gold article: {sum(r[1] for r in rows) / n:.2f}")
    print("\nstatute threshold | below: n, precision | above: n, precision")
    for t in (0.65, 0.7, 0.75, 0.8, 0.85, 0.9):
        lo = [r[1] for r in rows if r[0] < t]
        hi = [r[1] for r in rows if r[0] >= t]
        print(
            f"{t:17.2f} | {len(lo):4d}, {sum(lo) / max(1, len(lo)):.2f}    "
            f"| {len(hi):4d}, {sum(hi) / max(1, len(hi)):.2f}"
        )
    print("\nFAQ cosine threshold | shown: n, nearest FAQ shares a gold article")
    for t in (0.7, 0.75, 0.8, 0.85, 0.9):
        sel = [r[3] for r in rows if r[2] >= t]
        print(f"{t:20.2f} | {len(sel):4d}, {sum(sel) / max(1, len(sel)):.2f}")
    print(
        f"\nbelow 0.75 with a lexicon topic: {len(with_topic)}; answering with the topic added would cite a "
        f"gold article for {sum(with_topic)} of them (so the assistant asks instead)"
    )


if __name__ == "__main__":
    main()
