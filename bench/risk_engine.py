"""The risk engine on messages and conversations nobody tuned on, against today's main in the same run.

Data (``bench/data/risk/<batch>/``): ``messages.jsonl`` ({id, text, level, category}) and
``conversations.jsonl`` ({id, channel, turns: [{role, text}], expected_level, first_danger_turn}).
``heldout-1`` was written blind, by a writer who saw neither the cue list nor the training data,
and committed before any tuning; it is never edited (new data goes into a new batch). ``dev-1``
was written blind too but is looked at while tuning, so only ``heldout-*`` figures count.

Two ways to run:

* ``--engine`` (default): ``triage.assess_risk`` in this process, and the baseline's assessor
  (``triage/risk.py`` as it is at ``--baseline`` in git, which is what the hotline assist used)
  in the same run. Fast; also times the assessor (p50/p95 per message, uncached).
* ``--stack``: the real product through HTTP, for the current tree and for a worktree of
  ``--baseline``, each started with ``cunfa run``: every message goes to ``POST /v1/chat`` (a new
  conversation each) and to ``POST /v1/assist`` (a new call each), conversations are replayed turn
  by turn, and the levels the channels report are scored. This measures the channels' agreement.

Printed per system: recall per gold level (predicted at that level or above), precision of each
predicted level, recall of ``emergency`` on self-harm and violence-now messages and on all emergency
messages, recall of ``high``-or-above on high messages, the false-emergency rate on negatives,
emergencies from identity-only messages, and on conversations: reached the expected level at the
first danger turn, stayed there, false emergencies before it and in harmless conversations.

Run: ``.venv/bin/python bench/risk_engine.py --batch heldout-1 [--stack] [--json out.json]``.
"""

from __future__ import annotations

import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from cunfa.settings import PROJECT_ROOT
from triage.risk_levels import RISK_ORDER, level_rank, max_level

DATA = Path(__file__).with_name("data") / "risk"
BASELINE_REF = "b259029"  # main before the risk engine (stop 15)
URGENT_CATEGORIES = ("self_harm", "violence_now")

Assess = Callable[[str], str]


def load(batch: str) -> tuple[list[dict], list[dict]]:
    folder = DATA / batch

    def read(name: str) -> list[dict]:
        path = folder / name
        lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
        return [json.loads(x) for x in lines if x.strip()]

    return read("messages.jsonl"), read("conversations.jsonl")


def baseline_assessor(ref: str) -> Assess:
    """``triage/risk.py`` as it was at ``ref``, loaded beside today's package (it needs only ``triage.text``)."""
    source = subprocess.run(
        ["git", "show", f"{ref}:triage/risk.py"], cwd=PROJECT_ROOT, check=True, capture_output=True, text=True
    ).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False, encoding="utf-8") as f:
        f.write(source)
    spec = importlib.util.spec_from_file_location("baseline_risk", f.name)
    module = importlib.util.module_from_spec(spec)
    sys.modules["baseline_risk"] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return lambda text: module.assess_risk(text).level


def current_assessor() -> Assess:
    from triage import assess_risk

    return lambda text: assess_risk(text).level


def score_messages(messages: list[dict], predicted: list[str]) -> dict:
    out: dict = {"n": len(messages)}
    gold = [m["level"] for m in messages]
    for level in RISK_ORDER[1:]:
        rows = [i for i, g in enumerate(gold) if g == level]
        out[f"recall_{level}"] = _ratio(sum(level_rank(predicted[i]) >= level_rank(level) for i in rows), len(rows))
        said = [i for i, p in enumerate(predicted) if p == level]
        out[f"precision_{level}"] = _ratio(sum(gold[i] == level for i in said), len(said))
    urgent = [i for i, m in enumerate(messages) if m["level"] == "emergency" and m.get("category") in URGENT_CATEGORIES]
    out["recall_emergency_self_harm_violence_now"] = _ratio(
        sum(predicted[i] == "emergency" for i in urgent), len(urgent)
    )
    emergencies = [i for i, g in enumerate(gold) if g == "emergency"]
    out["recall_emergency_exact"] = _ratio(sum(predicted[i] == "emergency" for i in emergencies), len(emergencies))
    negatives = [i for i, g in enumerate(gold) if g == "none"]
    out["false_emergency_rate"] = _ratio(sum(predicted[i] == "emergency" for i in negatives), len(negatives))
    out["false_alarm_rate"] = _ratio(sum(predicted[i] != "none" for i in negatives), len(negatives))
    identity = [i for i, m in enumerate(messages) if m.get("category") == "identity_only"]
    out["identity_only_emergencies"] = sum(predicted[i] == "emergency" for i in identity)
    out["identity_only_n"] = len(identity)
    return out


def score_conversations(conversations: list[dict], levels: list[list[str]]) -> dict:
    """``levels[c][t]``: the level the channel reported after turn ``t`` (running maximum)."""
    reached = stayed = early = harmless_alarm = 0
    dangerous = [c for c in conversations if c.get("first_danger_turn") is not None]
    for conversation, run in zip(conversations, levels, strict=True):
        first = conversation.get("first_danger_turn")
        expected = conversation["expected_level"]
        if first is None:
            harmless_alarm += any(level == "emergency" for level in run)
            continue
        # The level due at the danger turn, reached by the end of the next turn at the latest (the
        # caller's line may come after the agent's), and never lower afterwards.
        window = run[first : first + 2]
        reached += any(level_rank(level) >= level_rank(expected) for level in window)
        stayed += (
            all(level_rank(level) >= level_rank(expected) for level in run[first + 1 :]) if run[first + 1 :] else 1
        )
        early += any(level == "emergency" for level in run[:first]) and expected != "none"
    harmless = len(conversations) - len(dangerous)
    if not conversations:
        return {"n": 0}
    return {
        "n": len(conversations),
        "reached_expected_level": _ratio(reached, len(dangerous)),
        "kept_it": _ratio(stayed, len(dangerous)),
        "emergency_before_danger_turn": early,
        "harmless_with_emergency": f"{harmless_alarm}/{harmless}",
    }


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def running_levels(assess: Assess, conversation: dict) -> list[str]:
    """In-process replay: each resident or caller line assessed, the level never going down."""
    level, out = "none", []
    for turn in conversation["turns"]:
        if turn["role"] != "agent":
            level = max_level(level, assess(turn["text"]))
        out.append(level)
    return out


def timing(messages: list[dict]) -> dict:
    from triage import risk

    times = []
    for m in messages:
        risk.assess_risk.cache_clear()
        started = time.perf_counter()
        risk.assess_risk(m["text"])
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"p50_ms": round(statistics.median(times), 3), "p95_ms": round(times[int(0.95 * len(times))], 3)}


def run_engine(batch: str, baseline: str) -> dict:
    messages, conversations = load(batch)
    systems = {"current": current_assessor(), f"main@{baseline}": baseline_assessor(baseline)}
    results: dict = {}
    for name, assess in systems.items():
        assess("热身")  # load the model before timing anything
        predicted = [assess(m["text"]) for m in messages]
        results[name] = {
            "messages": score_messages(messages, predicted),
            "conversations": score_conversations(conversations, [running_levels(assess, c) for c in conversations]),
        }
    results["current"]["speed"] = timing(messages)
    return results


def run_stack(batch: str, baseline: str) -> dict:
    from stack import baseline_checkout, running_stack
    from stack_clients import StackClient

    messages, conversations = load(batch)
    results: dict = {}
    for name, root in (("current", PROJECT_ROOT), (f"main@{baseline}", baseline_checkout(baseline))):
        with running_stack({"CUNFA_RATE_LIMIT_PER_IP": "100000", "CUNFA_RATE_LIMIT_PER_USER": "100000"}, root) as stack:
            client = StackClient(stack)
            chat = [client.chat_level(m["text"]) for m in messages]
            assist = [client.assist_level(m["text"]) for m in messages]
            chat_runs = [client.chat_conversation(c) for c in conversations]
            assist_runs = [client.assist_call(c) for c in conversations]
            results[name] = {
                "chat": {"messages": score_messages(messages, chat),
                         "conversations": score_conversations(conversations, chat_runs)},
                "assist": {"messages": score_messages(messages, assist),
                           "conversations": score_conversations(conversations, assist_runs)},
                "channels_disagree": sum(a != b for a, b in zip(chat, assist, strict=True)),
            }  # fmt: skip
    return results


def main() -> None:
    from stack import heldout_parser, report

    parser = heldout_parser(__doc__, BASELINE_REF)
    parser.add_argument("--stack", action="store_true", help="through the running product (chat and assist)")
    args = parser.parse_args()
    results = run_stack(args.batch, args.baseline) if args.stack else run_engine(args.batch, args.baseline)
    report({"batch": args.batch, **results}, args.json)


if __name__ == "__main__":
    main()
