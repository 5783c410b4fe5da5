"""Statute retrieval on questions written the way villagers ask them, with and without the
everyday-word bridge (``knowledge/colloquial.txt``).

LeCoQA questions are written fairly formally, so ``cunfa eval retrieval`` barely sees what the
bridge does; residents write 工钱, 娃, 撞了人司机跑了. ``bench/data/everyday_questions.jsonl``
holds such questions, each with the articles a lawyer would accept as the answer (checked
against the article text), in three batches: ``tune``, the questions looked at while dictionary
entries were written; ``check``, written before the entries but partly seen while choosing them;
``held``, written after the dictionary was final and run once. Only ``held`` shows how far the
entries generalise; add new questions as a new batch rather than tuning on it.

Run: ``.venv/bin/python bench/everyday_questions.py [--show]`` (uses the built index). Prints, per
split, hit@1/@3/@10 (an accepted article among the top k) and MRR@10 for hybrid search with the
dictionary, for the same search without it (the baseline, same run) and for BM25 alone.
"""

from __future__ import annotations

import argparse
import json
from contextlib import contextmanager
from pathlib import Path

from cunfa.settings import get_settings
from knowledge import KnowledgeBase
from knowledge import tokenize as tokenize_module
from knowledge.citations import normalize_citation

QUESTIONS = Path(__file__).with_name("data") / "everyday_questions.jsonl"
CUTOFFS = (1, 3, 10)


def load(path: Path = QUESTIONS) -> list[dict]:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for item in items:
        item["accept"] = {normalize_citation(a) for a in item["articles"]}
    return items


@contextmanager
def without_dictionary():
    """Search as if ``colloquial.txt`` were empty (the same-run baseline)."""
    original = tokenize_module.colloquial_map
    tokenize_module.colloquial_map = lambda: {}
    try:
        yield
    finally:
        tokenize_module.colloquial_map = original


def ranks(kb: KnowledgeBase, items: list[dict], mode: str) -> list[int | None]:
    """Per question, the 0-based rank of the first accepted article in the top 10, else None."""
    out = []
    for item in items:
        hits = kb.search(item["q"], k=10, source="statute", mode=mode)
        cited = [normalize_citation(h.citation) for h in hits]
        out.append(next((r for r, c in enumerate(cited) if c in item["accept"]), None))
    return out


def summary(found: list[int | None]) -> str:
    n = max(len(found), 1)
    hits = "  ".join(f"hit@{k} {sum(r is not None and r < k for r in found) / n:.2f}" for k in CUTOFFS)
    mrr = sum(1 / (r + 1) for r in found if r is not None) / n
    return f"{hits}  MRR@10 {mrr:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--show", action="store_true", help="print each question's top 3 (hybrid, with the dictionary)")
    args = parser.parse_args()
    kb = KnowledgeBase.from_settings(get_settings())
    items = load()
    runs = {"hybrid": ranks(kb, items, "hybrid")}
    with without_dictionary():
        runs["hybrid, no dictionary (baseline)"] = ranks(kb, items, "hybrid")
    runs["bm25"] = ranks(kb, items, "bm25")
    for split in sorted({i["split"] for i in items}, reverse=True):
        chosen = [k for k, i in enumerate(items) if i["split"] == split]
        print(f"\n{split}: {len(chosen)} questions")
        for name, found in runs.items():
            print(f"  {name:34s} {summary([found[k] for k in chosen])}")
    if args.show:
        for item, rank in zip(items, runs["hybrid"], strict=True):
            top = [h.citation.replace("中华人民共和国", "") for h in kb.search(item["q"], k=3, source="statute")]
            print(f"{'✓' if rank is not None and rank < 3 else '✗'} {item['q']}  rank={rank}  {top}")


if __name__ == "__main__":
    main()
