"""Package contract: public names, cheap import without Rasa, and the per-message latency budget."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import triage

PUBLIC = {
    "normalize",
    "DISPUTE_TYPES",
    "DISPUTE_TYPE_LABELS",
    "DisputeMatch",
    "classify_dispute",
    "normalize_dispute_value",
    "RiskLevel",
    "RISK_ORDER",
    "RiskCue",
    "RiskAssessment",
    "assess_risk",
    "max_level",
    "extract_phones",
    "parse_phone",
    "mask_phone",
    "mask_identifiers",
    "mask_cards",
    "last4",
    "LEVELS",
    "is_identity_only",
    "level_rank",
}


def test_public_api_is_reexported() -> None:
    assert set(triage.__all__) == PUBLIC
    for name in PUBLIC:
        assert hasattr(triage, name)


def test_import_is_cheap_and_needs_no_rasa() -> None:
    code = (
        "import sys, triage; "
        "heavy = {'rasa', 'opencc', 'phonenumbers', 'cn2an', 'jieba'} & set(sys.modules); "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(triage.__file__).parents[1])


def test_under_one_millisecond_per_short_message() -> None:
    messages = [
        "我家宅基地被邻居占了，他还拿刀说要砍死我，我电话13912345678",
        "離婚後孩子撫養費誰出",
        "包工头跑了工钱没拿到，幺三九一二三四五六七八",
        "你好",
    ]
    for text in messages:  # warm up OpenCC and phonenumbers metadata
        triage.classify_dispute(text), triage.assess_risk(text), triage.extract_phones(text)
    rounds = 50
    started = time.perf_counter()
    for _ in range(rounds):
        for text in messages:
            triage.classify_dispute(text)
            triage.assess_risk(text)
            triage.extract_phones(text)
    per_message = (time.perf_counter() - started) / (rounds * len(messages))
    assert per_message < 1e-3, f"{per_message * 1e6:.0f} µs per message"
