"""The way to a person is worded once: no 110, 12348, rate-limit text or call-back promise written out twice.

A sentence copied into a second module drifts (one channel says "马上拨打110", another forgets the
110), so every string in the packages is read and any that repeats ``triage.safety`` fails here.
"""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest

from triage import safety

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("actions", "api", "assist", "cases", "knowledge", "cunfa", "rasa_components", "triage")
WORDING = ROOT / "triage" / "safety.py"
#: Pieces of the sentences that nothing else has a reason to say; each must occur in ``triage.safety``.
FRAGMENTS = (
    "12348",
    "12356",
    "打110",
    "拨打120",
    "本地紧急联系",
    "有危险请",
    "急事请",
    "值班人员会",
    "值班人员正在",
    "方便值班人员",
    "给您打电话",
    "登记为紧急",
    "登记成紧急",
    "发得太快",
    "too many",
    "try again in",
)
#: A literal part of ``triage.safety`` this long is a sentence (or most of one), not a common word.
SENTENCE_CHARS = 10


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def literal_parts(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string constant and literal part of an f-string, with its line; docstrings are for developers."""
    skip = _docstrings(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
    ]


def defined_sentences() -> list[str]:
    """The wording module's sentences, longest first, so a failure names the whole sentence it repeats."""
    tree = ast.parse(WORDING.read_text(encoding="utf-8"))
    parts = {text for _, text in literal_parts(tree) if len(text.strip()) >= SENTENCE_CHARS}
    return sorted(parts, key=lambda text: (-len(text), text))


def repeats(tree: ast.AST, sentences: list[str]) -> list[tuple[int, str, str]]:
    """(line, literal, what it repeats) for each literal part that says what only the wording module may say."""
    found = []
    for line, text in literal_parts(tree):
        hit = next((s for s in sentences if s in text), None) or next((f for f in FRAGMENTS if f in text), None)
        if hit is not None:
            found.append((line, text, hit))
    return found


def test_every_fragment_is_something_the_wording_module_says() -> None:
    said = "".join(text for _, text in literal_parts(ast.parse(WORDING.read_text(encoding="utf-8"))))
    assert [f for f in FRAGMENTS if f not in said] == []


def test_no_safety_sentence_is_written_out_outside_triage_safety() -> None:
    sentences = defined_sentences()
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == WORDING:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            found += [
                f"{path.relative_to(ROOT)}:{line}: {text!r} repeats {hit!r}"
                for line, text, hit in repeats(tree, sentences)
            ]
    assert found == [], "word these with triage.safety instead:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        'REPLY = f"请过{n}分钟再试，或拨打12348。"',
        'REPLY = ("抱歉，系统暂时查不了，" "有危险请马上拨打110。")',
        'def f(wait):\n    return f"您发得太快了，请{wait}秒后再发。"',
        'X = "我已把情况登记为紧急案件"',
        'raise HTTPException(429, "too many lookups; try again in 10 minutes")',
    ],
)
def test_a_copied_sentence_is_caught_in_any_literal(source: str) -> None:
    assert repeats(ast.parse(source), defined_sentences())


def test_docstrings_and_comments_may_name_the_numbers() -> None:
    source = (
        '"""Danger gets 110/120 and 12348 first."""\n\ndef f():\n    """Never delays 110."""\n    return 1  # 12348\n'
    )
    assert repeats(ast.parse(source), defined_sentences()) == []


def test_the_wording_itself() -> None:
    assert safety.too_fast(7) == "您发得太快了，请7秒后再发。急事请拨打110或12348。"
    assert safety.too_many("lookups", 600) == "too many lookups; try again in 10 minutes or call 12348"
    assert safety.too_many("requests from this address", 37).endswith("try again in 37 s or call 12348")
    assert safety.promise_to_call("emergency", timedelta(minutes=15)) == "值班人员会在15分钟内联系您"
    assert safety.promise_to_call("mediator", timedelta(hours=24)) == "人民调解员会在24小时内给您打电话"
    assert safety.URGENT_CALLS == "急事请拨打12348公共法律服务热线，有危险请马上拨打110。"
    assert safety.emergency_lines("镇派出所 0371-12345678")[-1] == "本地紧急联系：镇派出所 0371-12345678"
    assert safety.local_contacts_line("  ") is None
