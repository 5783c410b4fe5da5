"""Hotline assist latency on this machine, next to a bare knowledge-base search measured in the same run.

Run: ``.venv/bin/python bench/bench_assist.py`` (after ``cunfa prepare`` has built the index in the data
directory). Every figure is measured in this run, on the real index:

* Calls are built from real questions in ``CUNFA_FAQ_FILE`` (LeCoQA): a greeting, the question, the agent
  asking name, village and phone, the answers (the phone dictated as spoken digits over two lines), and a
  second question. Each call is replayed the way ``/console/assist`` sends it: the whole transcript on
  every step, each caller line first half-typed and then complete.
* ``assist http``: ``POST /v1/assist`` through the real app (token check, case-store write of ``shown``
  events, JSON), on a temporary SQLite database. ``assist service``: the same calls without HTTP.
  ``assist uncached``: every request read from scratch by a fresh service (what the cache saves).
* ``search``: ``KnowledgeBase.search(question, k=5)`` on the same questions, the baseline.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from assist import AssistService, Line
from cunfa.settings import Settings, get_settings
from knowledge import KnowledgeBase

NAMES = ("王大山", "李秀英", "张桂兰", "刘建国", "陈富贵", "赵四", "杨春花", "周德明")
VILLAGES = ("青石湾村", "东滩村", "刘家庄", "石门村", "柳树沟村")
SPOKEN = dict(zip("0123456789", "洞幺两三四五六拐八九", strict=True))
PASSWORD = "bench-password-123"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def load_questions(faq_file: Path, n: int, seed: int) -> list[str]:
    entries = json.loads(faq_file.read_text(encoding="utf-8"))
    questions = [e["问题"].strip() for e in entries if e.get("问题", "").strip()]
    random.Random(seed).shuffle(questions)
    return questions[:n]


def make_call(rng: random.Random, first: str, second: str) -> list[Line]:
    phone = "13" + "".join(rng.choice("0123456789") for _ in range(9))
    spoken = "".join(SPOKEN[d] for d in phone)
    return [
        Line("agent", "您好，这里是法律服务热线，请讲。"),
        Line("caller", f"喂，你好，俺想问个事儿。{first}"),
        Line("agent", "好的，您先别急。您怎么称呼？"),
        Line("caller", rng.choice(NAMES)),
        Line("agent", "您是哪个村的？"),
        Line("caller", f"俺是{rng.choice(VILLAGES)}的"),
        Line("agent", "留个电话，方便回头联系您。"),
        Line("caller", spoken[:3]),
        Line("agent", "嗯"),
        Line("caller", spoken[3:]),
        Line("agent", "好的记下了。还有别的吗？"),
        Line("caller", f"还有就是，{second}"),
    ]


def replay_steps(call: list[Line]) -> list[list[Line]]:
    """The transcripts the page sends: each caller line half-typed first, then complete."""
    steps: list[list[Line]] = []
    for i, line in enumerate(call):
        if line.speaker == "caller" and len(line.text) > 4:
            steps.append(call[:i] + [Line("caller", line.text[: len(line.text) // 2])])
        steps.append(call[: i + 1])
    return steps


def time_service(kb: KnowledgeBase, calls: list[list[Line]], *, cached: bool) -> list[float]:
    service = AssistService()
    latencies = []
    for n, call in enumerate(calls):
        for transcript in replay_steps(call):
            if not cached:
                service = AssistService()
            started = time.perf_counter()
            service.assist(f"bench-{n}", transcript, kb=kb).to_dict()
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def time_http(kb: KnowledgeBase, calls: list[list[Line]], data_dir: Path) -> tuple[list[float], list[float]]:
    """(client-side wall time, server-reported latency_ms) per request."""
    import httpx
    from fastapi.testclient import TestClient

    from api.main import create_app
    from cases import open_store
    from cases.staff import add_user

    # One agent replaying calls back to back is far above the per-IP limit meant for public endpoints.
    settings = Settings(data_dir=data_dir, rate_limit_per_ip=1_000_000)
    with open_store(settings.database).session() as session:
        add_user(session, username="bench-agent", role="hotline", password=PASSWORD)
        session.commit()
    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda request: httpx.Response(503)))
    wall, server = [], []
    with TestClient(create_app(settings, knowledge=kb, http_client=http, run_background=False)) as client:
        token = client.post("/v1/auth/token", json={"username": "bench-agent", "password": PASSWORD}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        for n, call in enumerate(calls):
            for transcript in replay_steps(call):
                body = {
                    "call_id": f"bench-{n}",
                    "transcript": [{"speaker": line.speaker, "text": line.text} for line in transcript],
                }
                started = time.perf_counter()
                response = client.post("/v1/assist", json=body, headers=headers)
                wall.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
                server.append(response.json()["latency_ms"])
    return wall, server


def time_search(kb: KnowledgeBase, questions: list[str]) -> list[float]:
    latencies = []
    for question in questions:
        started = time.perf_counter()
        kb.search(question, k=5)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def report(label: str, values: list[float], base: float) -> None:
    p50, p95 = statistics.median(values), percentile(values, 0.95)
    print(f"{label:<22} n={len(values):<5} p50={p50:6.1f} ms  p95={p95:6.1f} ms  max={max(values):6.1f} ms  "
          f"p50/search={p50 / base:5.2f}x")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=40, help="how many synthetic calls to replay")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-http", action="store_true", help="skip the end-to-end HTTP measurement")
    args = parser.parse_args()
    settings = get_settings()

    started = time.perf_counter()
    kb = KnowledgeBase.from_settings(settings)
    print(f"index: {kb.manifest['documents']} encoder={kb.manifest['encoder']['name']} "
          f"(loaded in {time.perf_counter() - started:.1f} s)")  # fmt: skip
    questions = load_questions(settings.faq_file, 2 * args.calls, args.seed)
    rng = random.Random(args.seed)
    calls = [make_call(rng, questions[2 * i], questions[2 * i + 1]) for i in range(args.calls)]
    steps = sum(len(replay_steps(call)) for call in calls)
    print(f"{args.calls} calls, {steps} requests ({steps / args.calls:.1f} per call), {len(questions)} questions")

    # Warm up jieba, the encoder and triage's lazy imports once, outside every measurement.
    AssistService().assist("warm-up", calls[0], kb=kb)
    kb.search(questions[0], k=5)

    search = time_search(kb, questions)
    base = statistics.median(search)
    report("search (baseline)", search, base)
    report("assist service", time_service(kb, calls, cached=True), base)
    report("assist uncached", time_service(kb, calls, cached=False), base)
    if not args.no_http:
        with tempfile.TemporaryDirectory() as tmp:
            wall, server = time_http(kb, calls, Path(tmp))
        report("assist http (client)", wall, base)
        report("assist http (server)", server, base)


if __name__ == "__main__":
    main()
