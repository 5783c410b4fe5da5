"""Rasa's own consistency checks on the domain, NLU data, rules and stories."""

from __future__ import annotations

import subprocess

import pytest
import yaml

from cunfa.bot_model import rasa_environment, venv_bin
from cunfa.settings import PROJECT_ROOT, Settings

CONTRACT_INTENTS = {
    "greet", "goodbye", "thank", "affirm", "deny", "ask_legal_question", "ask_followup", "ask_village_rule", "request_lawyer",
    "request_mediation", "report_dispute", "legal_aid", "check_case_status", "emergency", "bot_challenge",
    "out_of_scope", "feedback",
}  # fmt: skip


def _domain_intents() -> set[str]:
    intents: set[str] = set()
    for path in (PROJECT_ROOT / "bot" / "domain").glob("*.yml"):
        intents.update(yaml.safe_load(path.read_text(encoding="utf-8")).get("intents", []))
    return intents


def _nlu_intents() -> set[str]:
    intents: set[str] = set()
    for path in (PROJECT_ROOT / "bot" / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" in block:
                intents.add(block["intent"])
    return intents


def test_domain_declares_exactly_the_contract_intents() -> None:
    assert _domain_intents() == CONTRACT_INTENTS


def test_every_intent_has_training_examples() -> None:
    assert _nlu_intents() == CONTRACT_INTENTS


@pytest.mark.integration
def test_rasa_data_validate_passes() -> None:
    result = subprocess.run(
        [venv_bin("rasa"), "data", "validate", "--domain", "bot/domain", "--data", "bot/data",
         "--config", "config.yml", "--fail-on-warnings"],
        cwd=PROJECT_ROOT, env=rasa_environment(Settings()), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
