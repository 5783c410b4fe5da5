"""Knowledge-base speed on this machine: query latency, index build, village update, memory.

Run: ``.venv/bin/python bench/bench_search.py`` (or ``make bench``). Uses the configured data
directory's index (``make index`` first). Every figure is measured in this run; query latency
is reported for hybrid retrieval next to the BM25-only baseline over the same questions.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from cunfa.settings import get_settings
from knowledge import KnowledgeBase, index_inputs
from knowledge.learn.index_build import build_index
from knowledge.learn.questions import load_questions
from knowledge.villages import VillageStore


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def time_queries(kb: KnowledgeBase, queries: list[str], mode: str, repeats: int) -> list[float]:
    kb.search(queries[0], k=10, mode=mode)  # warm caches once
    latencies = []
    for _ in range(repeats):
        for query in queries:
            started = time.perf_counter()
            kb.search(query, k=10, mode=mode)
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-build", action="store_true", help="skip the full index build timing")
    args = parser.parse_args()
    settings = get_settings()

    started = time.perf_counter()
    kb = KnowledgeBase.from_settings(settings)
    load_s = time.perf_counter() - started
    docs = kb.index.manifest["documents"]
    print(f"index: {docs} encoder={kb.manifest['encoder']['name']}")
    print(f"index load: {load_s:.2f} s")

    queries = [q.text for q in load_questions(settings.faq_file, "test")] + [
        "老板跑了工钱咋要",
        "俺家地被村里收回去了",
        "儿子不给老人养老钱咋整",
    ]
    results = {mode: time_queries(kb, queries, mode, args.repeats) for mode in ("bm25", "hybrid")}
    base = statistics.median(results["bm25"])
    for mode, lat in results.items():
        p50, p95 = statistics.median(lat), percentile(lat, 0.95)
        print(f"query {mode:>6}: n={len(lat)} p50={p50:.1f} ms p95={p95:.1f} ms (p50 ratio vs bm25: {p50 / base:.2f}x)")

    with tempfile.TemporaryDirectory() as tmp:
        store = VillageStore(Path(tmp) / "villages")
        bench_kb = KnowledgeBase(kb.index, villages=store)
        rules = "\n".join(f"第{i}条 村民应当遵守第{i}项约定，爱护公共设施，邻里和睦。" for i in range(1, 41))
        timings = []
        for round_ in range(5):
            started = time.perf_counter()
            store.put("bench", "测试村", rules + f"\n第41条 版本{round_}。")
            bench_kb.villages.refresh(force=True)
            hits = bench_kb.search("公共设施", k=3, source="village_rule", village_id="bench")
            timings.append(time.perf_counter() - started)
            assert hits, "rules not searchable after update"
        median_ms = statistics.median(timings) * 1000
        print(f"village update (41 clauses, write + re-index + first search): median {median_ms:.0f} ms")

        if not args.skip_build:
            started = time.perf_counter()
            build_index(Path(tmp) / "index", index_inputs(settings), encoders_root=settings.encoders_dir, force=True)
            build_s = time.perf_counter() - started
            print(f"full index build (encoder training excluded, embeddings included): {build_s:.0f} s")
    print(f"resident memory of this search process: {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
