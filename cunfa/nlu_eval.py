"""Held-out NLU evaluation: ``rasa test nlu`` for intents, plus dispute-type accuracy.

Intent macro-F1 is read from the report ``rasa test nlu`` writes, so the number is Rasa's
own. Dispute-type accuracy is measured here because Rasa scores entities by token overlap of
DIET's spans, before our normaliser runs; what matters to a case is the *value* the whole
pipeline settles on. Accuracy = share of test messages annotated with a dispute_type whose
predicted value (after the full pipeline) is exactly the annotated one.

Imports Rasa, so it runs only in the ``cunfa eval nlu`` command (a Rasa-side tool).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from cunfa.bot_model import rasa_environment, venv_bin
from cunfa.settings import PROJECT_ROOT, Settings

TEST_FILE = PROJECT_ROOT / "tests" / "rasa" / "test_nlu.yml"
DEV_FILE = PROJECT_ROOT / "tests" / "rasa" / "nlu_dev.yml"


def rasa_intent_report(model: Path, nlu_file: Path, settings: Settings, out_dir: Path) -> dict[str, Any]:
    argv = [venv_bin("rasa"), "test", "nlu", "--model", str(model), "--nlu", str(nlu_file), "--out", str(out_dir)]
    subprocess.run(argv, cwd=PROJECT_ROOT, env=rasa_environment(settings), check=True, capture_output=True)
    return json.loads((out_dir / "intent_report.json").read_text(encoding="utf-8"))


async def _parse_all(model: Path, texts: list[str]) -> list[dict[str, Any]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def dispute_type_accuracy(model: Path, nlu_file: Path) -> dict[str, Any]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(nlu_file))
    examples = [
        (ex.get("text"), next(e["value"] for e in ex.get("entities") or [] if e["entity"] == "dispute_type"))
        for ex in data.intent_examples
        if any(e["entity"] == "dispute_type" for e in ex.get("entities") or [])
    ]
    unlabelled = [ex.get("text") for ex in data.intent_examples if not ex.get("entities")]
    parsed = asyncio.run(_parse_all(model, [t for t, _ in examples] + unlabelled))

    def predicted(result: dict[str, Any]) -> str | None:
        return next((e["value"] for e in result.get("entities") or [] if e["entity"] == "dispute_type"), None)

    errors = []
    per_value: dict[str, Counter[str]] = {}
    for (text, gold), result in zip(examples, parsed, strict=False):
        got = predicted(result)
        per_value.setdefault(gold, Counter())["n"] += 1
        if got == gold:
            per_value[gold]["ok"] += 1
        else:
            errors.append({"text": text, "gold": gold, "predicted": got})
    correct = len(examples) - len(errors)
    spurious = sum(1 for result in parsed[len(examples) :] if predicted(result))
    return {
        "examples": len(examples),
        "accuracy": round(correct / len(examples), 3) if examples else 0.0,
        "per_value": {v: round(c["ok"] / c["n"], 3) for v, c in sorted(per_value.items())},
        "unlabelled_messages": len(unlabelled),
        "unlabelled_with_a_type": spurious,
        "errors": errors,
    }


def evaluate(
    model: Path, settings: Settings, nlu_file: Path = TEST_FILE, out_dir: Path | None = None
) -> dict[str, Any]:
    out = out_dir or Path(tempfile.mkdtemp(prefix="cunfa-nlu-eval-"))
    report = rasa_intent_report(model, nlu_file, settings, out)
    intents = {
        k: v
        for k, v in report.items()
        if isinstance(v, dict) and "f1-score" in v and k not in ("macro avg", "weighted avg", "micro avg")
    }
    return {
        "file": str(nlu_file.relative_to(PROJECT_ROOT) if nlu_file.is_relative_to(PROJECT_ROOT) else nlu_file),
        "model": model.name,
        "intent_macro_f1": round(report["macro avg"]["f1-score"], 3),
        "intent_accuracy": round(report.get("accuracy", 0.0), 3),
        "intent_f1": {k: round(v["f1-score"], 3) for k, v in sorted(intents.items())},
        "dispute_type": dispute_type_accuracy(model, nlu_file),
        "rasa_report_dir": str(out),
    }
