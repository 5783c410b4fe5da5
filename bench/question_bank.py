"""What the villagers' question bank (``data/bank/laws``) does for retrieval, each use alone and both.

Variants, built and measured in the same run, under one ranker (the one shipped with the product,
so that only the bank differs; ``--own-ranker``: the one shipped for each variant's own key, hand
weights without one; ``--refit`` fits each variant its own, minutes per variant):

* ``main``: no bank (today's index);
* ``train``: bank questions as training pairs for our own encoder;
* ``expand``: each article's text for BM25 and the bigram index holds its bank questions and keywords;
* ``both``; ``both-r3`` with each bank pair repeated 3 times in the encoder's training.

Choices are made with ``--split dev --answers dev-1`` (and the everyday ``tune``/``check``
batches); the test view, the everyday ``held`` batch and ``heldout-1`` only report.

For each: ``cunfa eval retrieval``'s numbers on the LeCoQA test view (encoder and FAQs of
train+dev only), hit@1/3/10 on the everyday questions (``bench/data/everyday_questions.jsonl``,
per batch) and the answer policy's hit@3 on the answer-first held-out set
(``bench/data/answers/<batch>``), plus the index build time (encoder training excluded) and
query latency. The bank's writers never saw any of these questions (``tests/knowledge/test_bank.py``
checks for near-duplicates).

Run: ``.venv/bin/python bench/question_bank.py [--variants main both] [--json out.json]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import answer_first
import everyday_questions

from cunfa.settings import get_settings
from knowledge.base import KnowledgeBase, index_inputs
from knowledge.citations import normalize_citation
from knowledge.fusion import Ranker
from knowledge.guides.policy import Turn
from knowledge.guides.service import shared_advisor
from knowledge.index import load_index
from knowledge.learn.encoders import ensure_encoder
from knowledge.learn.evaluation import evaluate, held_out_view
from knowledge.learn.index_build import build_index
from knowledge.learn.questions import load_questions
from knowledge.learn.ranker_fitting import SHIPPED_RANKER
from knowledge.recipe import BankRecipe

VARIANTS = {
    "main": BankRecipe(train=False, expand=False),
    "train": BankRecipe(train=True),
    "expand": BankRecipe(expand=True),
    "both": BankRecipe(train=True, expand=True),
    "both-r3": BankRecipe(train=True, expand=True, repeats=3),
}


def policy_hit3(kb: KnowledgeBase, questions: list[dict]) -> float:
    """Share of questions whose first reply cites an accepted article among its first three."""
    advisor = shared_advisor(get_settings(), kb)
    hits = 0
    for q in questions:
        advice = advisor.advise(Turn(q["text"]))
        accept = {normalize_citation(a) for a in q["articles"]}
        hits += any(normalize_citation(h.citation) in accept for h in advice.citations[:3])
    return round(hits / max(len(questions), 1), 4)


def everyday(kb: KnowledgeBase) -> dict[str, dict[str, float]]:
    items = everyday_questions.load()
    found = everyday_questions.ranks(kb, items, "hybrid")
    out = {}
    for split in sorted({i["split"] for i in items}):
        ranks = [r for r, i in zip(found, items, strict=True) if i["split"] == split]
        n = max(len(ranks), 1)
        out[split] = {f"hit@{k}": round(sum(r is not None and r < k for r in ranks) / n, 4) for k in (1, 3, 10)}
        out[split]["n"] = len(ranks)
    return out


def latency(kb: KnowledgeBase, texts: list[str]) -> dict[str, float]:
    times = []
    for text in texts:
        started = time.perf_counter()
        kb.search(text, k=10, source="statute")
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1)}


def shipped() -> Ranker:
    """The ranker shipped with the product, whatever index key it was fitted for."""
    return Ranker.from_dict(json.loads(SHIPPED_RANKER.read_text(encoding="utf-8"))["ranker"])


def run_variant(name: str, recipe: BankRecipe, root: Path, args: argparse.Namespace) -> dict:
    settings = get_settings()
    inputs = replace(index_inputs(settings), bank=recipe)
    started = time.perf_counter()
    ensure_encoder(inputs, settings.encoders_dir)  # trained here if missing: not part of the build time
    encoder_s = time.perf_counter() - started
    started = time.perf_counter()
    directory = build_index(root / name, inputs, encoders_root=settings.encoders_dir, fit_ranker=args.refit)
    build_s = time.perf_counter() - started
    ranker = None if args.refit or args.own_ranker else shipped()
    kb = KnowledgeBase(load_index(directory), ranker=ranker)
    view = held_out_view(kb, inputs, settings.encoders_dir, args.split)
    lecoqa = evaluate(view, load_questions(settings.faq_file, args.split), "hybrid").row()
    questions, _ = answer_first.load(args.answers)
    return {
        "variant": name,
        "bank": recipe.to_dict(),
        "ranker": kb.retriever.ranker.info.get("source") or kb.retriever.ranker.info.get("kind"),
        "encoder_training_s": round(encoder_s, 1),
        "index_build_s": round(build_s, 1),
        f"lecoqa_{args.split}": lecoqa,
        "everyday": everyday(kb),
        f"answers_{args.answers}_hit3": policy_hit3(kb, questions),
        "latency": latency(kb, [q["text"] for q in questions] * 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--refit", action="store_true", help="fit each variant its own ranker (minutes each)")
    parser.add_argument(
        "--own-ranker", action="store_true", help="each variant ranks with the ranker shipped for its own key, if any"
    )
    parser.add_argument("--answers", default="heldout-1", help="batch of bench/data/answers to score")
    parser.add_argument("--split", default="test", choices=["test", "dev"], help="LeCoQA view (dev for choices)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    root = get_settings().data_dir / "bench-bank"
    results = []
    for name in args.variants:
        result = run_variant(name, VARIANTS[name], root, args)
        print(json.dumps(result, ensure_ascii=False), flush=True)
        results.append(result)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
