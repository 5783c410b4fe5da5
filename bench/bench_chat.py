"""Chat under load on this machine, next to a bare Rasa rules turn measured in the same run.

Run: ``.venv/bin/python bench/bench_chat.py`` (or ``make bench-chat``). Starts the real stack
(`cunfa run` in a scratch data directory; Rasa, action server and API), then for 1, 10 and 50
concurrent simulated residents runs a mix of conversations through ``POST /v1/chat``:

* a question session: a greeting and two legal questions taken from the LeCoQA train split;
* an intake session: the whole 找调解员 form, name to confirmation, filing a real case.

Each resident sends its next message the moment a reply arrives, and starts its next session as
soon as one ends, for ``--seconds`` per level: no pause at all, the worst case, and the level's
throughput is what the stack sustains when saturated. Then, because real residents read the
reply and type the next message, ``--paced`` levels (default 10 and 100) are run again with a
pause drawn from ``--think`` seconds (default 3–8) before each message: the latency a resident
sees at a realistic pace.

The baseline is a bare Rasa REST turn on a rule (``你好`` → greet → utter_greet) sent straight to
Rasa's webhook at the same concurrency: what Rasa alone costs, with no action server, no
knowledge base and no gateway. Also printed: start-up time to ``/readyz``, search and assist
latency through the API, and resident memory of every process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import percentile, running_stack

from cunfa.settings import PROJECT_ROOT
from knowledge.learn.questions import load_questions

INTAKE = [
    "我想找调解员", "王大山", "13912345678", "青石湾村", "邻里",
    "隔壁把路堵了不让俺家走，吵了好几回", "邻居张三", "/affirm",
]  # fmt: skip


@dataclass
class Level:
    users: int
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    cases: int = 0
    elapsed_s: float = 0.0

    def summary(self) -> dict[str, float]:
        n = len(self.latencies_ms)
        return {
            "users": self.users,
            "turns": n,
            "errors": self.errors,
            "p50_ms": round(statistics.median(self.latencies_ms), 1) if n else float("nan"),
            "p95_ms": round(percentile(self.latencies_ms, 0.95), 1),
            "turns_per_s": round(n / self.elapsed_s, 1) if self.elapsed_s else 0.0,
            "cases_filed": self.cases,
        }


async def resident_loop(
    client: httpx.AsyncClient,
    questions: list[str],
    level: Level,
    deadline: float,
    rng,
    think: tuple[float, float] | None = None,
) -> None:
    while time.monotonic() < deadline:
        user = uuid.uuid4().hex
        if rng.random() < 0.7:
            script = ["你好", rng.choice(questions), rng.choice(questions)]
        else:
            script = INTAKE
        for text in script:
            if think:
                await asyncio.sleep(rng.uniform(*think))
            if time.monotonic() >= deadline:
                return
            started = time.perf_counter()
            try:
                response = await client.post("/v1/chat", json={"user_id": user, "text": text, "channel": "web"})
                ok = response.status_code == 200 and bool(response.json()["replies"])
                if ok and response.json().get("case"):
                    level.cases += 1 if text == "/affirm" else 0
            except httpx.HTTPError:
                ok = False
            level.latencies_ms.append((time.perf_counter() - started) * 1000)
            level.errors += 0 if ok else 1


async def bare_rasa_loop(client: httpx.AsyncClient, level: Level, deadline: float) -> None:
    user = uuid.uuid4().hex
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            response = await client.post("/webhooks/rest/webhook", json={"sender": user, "message": "你好"})
            ok = response.status_code == 200 and bool(response.json())
        except httpx.HTTPError:
            ok = False
        level.latencies_ms.append((time.perf_counter() - started) * 1000)
        level.errors += 0 if ok else 1


async def run_level(base_url: str, users: int, seconds: float, loop_factory) -> Level:
    level = Level(users)
    limits = httpx.Limits(max_connections=users + 5, max_keepalive_connections=users + 5)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(*(loop_factory(client, level, deadline, i) for i in range(users)))
        level.elapsed_s = time.monotonic() - started
    return level


async def timed_gets(client: httpx.AsyncClient, path: str, params_list: list[dict]) -> list[float]:
    out = []
    for params in params_list:
        started = time.perf_counter()
        response = await client.get(path, params=params)
        response.raise_for_status()
        out.append((time.perf_counter() - started) * 1000)
    return out


async def timed_assist(client: httpx.AsyncClient, questions: list[str], token: str) -> list[float]:
    out = []
    headers = {"Authorization": f"Bearer {token}"}
    for i, question in enumerate(questions):
        transcript = [
            {"speaker": "agent", "text": "您好，这里是法律服务热线，请讲。"},
            {"speaker": "caller", "text": question},
        ]
        started = time.perf_counter()
        response = await client.post("/v1/assist", json={"call_id": f"bench-{i}", "transcript": transcript},
                                     headers=headers)  # fmt: skip
        response.raise_for_status()
        out.append((time.perf_counter() - started) * 1000)
    return out


def figures(latencies: list[float]) -> dict[str, float]:
    return {"p50_ms": round(statistics.median(latencies), 1), "p95_ms": round(percentile(latencies, 0.95), 1)}


def hotline_token(stack, client: httpx.Client) -> str:
    subprocess.run(
        [sys.executable, "-m", "cunfa.cli", "users", "add", "--username", "bench-hotline", "--role", "hotline",
         "--password-stdin"],
        input="bench-password-1\n", text=True, cwd=PROJECT_ROOT, env=stack.env, check=True, capture_output=True,
    )  # fmt: skip
    response = client.post("/v1/auth/token", json={"username": "bench-hotline", "password": "bench-password-1"})
    response.raise_for_status()
    return response.json()["access_token"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of each concurrency level")
    parser.add_argument("--users", default="1,10,50", help="concurrency levels, no pause between turns")
    parser.add_argument("--paced", default="10,100", help="levels run again with a pause before each message")
    parser.add_argument("--think", default="3,8", help="the pause, uniform between these seconds")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--replicas",
        type=int,
        default=1,
        help="Rasa and action servers; more than one uses the Redis lock store at --lock-store",
    )
    parser.add_argument("--lock-store", default="redis://127.0.0.1:6379/5", help="Redis for --replicas > 1")
    args = parser.parse_args()
    rng = random.Random(7)
    questions = [q.text for q in load_questions(PROJECT_ROOT.parent / "shared/data/lecoqa/train.json", "train")]
    rng.shuffle(questions)
    questions = questions[:300]
    # Load comes from one address; the per-IP and per-user limits protect production, not this run.
    limits_off = {"CUNFA_RATE_LIMIT_PER_IP": "100000000", "CUNFA_RATE_LIMIT_PER_USER": "100000000"}
    if args.replicas > 1:
        limits_off.update({"CUNFA_REPLICAS": str(args.replicas), "CUNFA_LOCK_STORE_URL": args.lock_store})
    report: dict[str, object] = {}
    with running_stack(limits_off) as stack:
        report["startup_to_readyz_s"] = round(stack.ready_s, 1)
        print(f"start-up to /readyz: {stack.ready_s:.1f} s (target ≤ 90 s)")
        levels = [int(u) for u in args.users.split(",")]
        rows = []
        for users in levels:
            bare = asyncio.run(
                run_level(stack.rasa_url, users, args.seconds, lambda c, lv, d, i: bare_rasa_loop(c, lv, d))
            )
            cpu_before = stack.cpu_s()
            full = asyncio.run(
                run_level(
                    stack.api_url,
                    users,
                    args.seconds,
                    lambda c, lv, d, i: resident_loop(c, questions, lv, d, random.Random(i)),
                )
            )
            cpu_after = stack.cpu_s()
            b, f = bare.summary(), full.summary()
            turns = max(len(full.latencies_ms), 1)
            used = {k: cpu_after[k] - cpu_before.get(k, 0.0) for k in cpu_after}
            f["cpu_ms_per_turn"] = {k: round(1000 * v / turns, 1) for k, v in used.items()}
            ratio = f["p50_ms"] / b["p50_ms"] if b["p50_ms"] else float("nan")
            rows.append({"users": users, "full_stack": f, "bare_rasa_rule": b, "p50_ratio": round(ratio, 2)})
            print(
                f"{users:>3} users | full stack p50 {f['p50_ms']:7.1f} ms p95 {f['p95_ms']:7.1f} ms "
                f"{f['turns_per_s']:6.1f} turns/s errors {f['errors']} cases {f['cases_filed']} | "
                f"bare Rasa rule p50 {b['p50_ms']:6.1f} ms p95 {b['p95_ms']:6.1f} ms {b['turns_per_s']:6.1f} turns/s "
                f"| p50 ratio {ratio:.2f}x"
            )
            print("      CPU ms per full-stack turn: " + ", ".join(f"{k} {v}" for k, v in f["cpu_ms_per_turn"].items()))
        report["chat"] = rows

        think = tuple(float(x) for x in args.think.split(","))
        paced_rows = []
        for users in [int(u) for u in args.paced.split(",") if u]:
            paced = asyncio.run(
                run_level(
                    stack.api_url,
                    users,
                    max(args.seconds, 4 * think[1]),
                    lambda c, lv, d, i: resident_loop(c, questions, lv, d, random.Random(1000 + i), think),
                )
            ).summary()
            paced_rows.append(paced)
            print(
                f"{users:>3} residents pausing {think[0]:g}–{think[1]:g} s before each message | "
                f"p50 {paced['p50_ms']:7.1f} ms p95 {paced['p95_ms']:7.1f} ms "
                f"{paced['turns_per_s']:6.1f} turns/s errors {paced['errors']}"
            )
        report["chat_paced"] = {"think_s": think, "levels": paced_rows}

        async def side_figures() -> dict[str, object]:
            async with httpx.AsyncClient(base_url=stack.api_url, timeout=60) as client:
                search = await timed_gets(client, "/v1/search", [{"q": q, "k": 10} for q in questions[:100]])
                with httpx.Client(base_url=stack.api_url, timeout=60) as sync_client:
                    token = hotline_token(stack, sync_client)
                assist = await timed_assist(client, questions[100:200], token)
            return {"search_http": figures(search), "assist_http": figures(assist)}

        side = asyncio.run(side_figures())
        report.update(side)
        print(f"search via API (100 questions, one at a time): p50 {side['search_http']['p50_ms']} ms "
              f"p95 {side['search_http']['p95_ms']} ms")  # fmt: skip
        print(f"assist via API (100 calls, one at a time): p50 {side['assist_http']['p50_ms']} ms "
              f"p95 {side['assist_http']['p95_ms']} ms (target p95 ≤ 150 ms)")  # fmt: skip
        memory = {k: round(v) for k, v in stack.rss_mb().items()}
        report["rss_mb"] = memory
        print("resident memory (MB): " + ", ".join(f"{k} {v}" for k, v in memory.items()))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
