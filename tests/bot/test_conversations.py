"""The trained bot, judged by Rasa itself: conversation tests and the held-out NLU file.

Integration-marked because they need the trained model (``cunfa train`` builds it once and
reuses it while ``bot/`` and ``config.yml`` are unchanged).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from cunfa.bot_model import model_path, rasa_environment, venv_bin
from cunfa.settings import PROJECT_ROOT, Settings

pytestmark = pytest.mark.integration

TEST_STORIES = PROJECT_ROOT / "tests" / "rasa" / "test_stories.yml"
TEST_NLU = PROJECT_ROOT / "tests" / "rasa" / "test_nlu.yml"
DEV_NLU = PROJECT_ROOT / "tests" / "rasa" / "nlu_dev.yml"
#: Regression guards for the held-out file. The bar the product is held to is macro-F1 ≥ 0.90
#: and dispute-type accuracy ≥ 0.85 (measured values in docs/dialogue.md). Two trainings of the
#: same data measured macro-F1 0.923 and 0.909 (TensorFlow on CPU is not bit-for-bit
#: reproducible), so the intent guard sits 0.02 below the bar to fail on regressions, not on noise.
MIN_INTENT_MACRO_F1 = 0.88
MIN_DISPUTE_TYPE_ACCURACY = 0.85


@pytest.fixture(scope="module")
def model() -> Path:
    subprocess.run([sys.executable, "-m", "cunfa.cli", "train"], cwd=PROJECT_ROOT, check=True)
    return model_path(Settings())


def test_held_out_files_share_nothing_with_training_data() -> None:
    train = {ex.get("text") for ex in load_data(str(PROJECT_ROOT / "bot" / "data" / "nlu")).training_examples}
    for path in (TEST_NLU, DEV_NLU):
        held_out = {ex.get("text") for ex in load_data(str(path)).training_examples}
        assert not held_out & train, f"{path.name} leaks into training: {sorted(held_out & train)[:5]}"


def test_conversation_stories_pass(model: Path, tmp_path: Path) -> None:
    argv = [venv_bin("rasa"), "test", "core", "--model", str(model), "--stories", str(TEST_STORIES)]
    argv += ["--fail-on-prediction-errors", "--out", str(tmp_path)]
    run = subprocess.run(argv, cwd=PROJECT_ROOT, env=rasa_environment(Settings()), capture_output=True, text=True)
    failed = (tmp_path / "failed_test_stories.yml").read_text(encoding="utf-8") if run.returncode else ""
    assert run.returncode == 0, f"{failed}\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"


def test_held_out_nlu_meets_the_bar(model: Path, tmp_path: Path) -> None:
    from cunfa import nlu_eval

    result = nlu_eval.evaluate(model, Settings(), TEST_NLU, out_dir=tmp_path)
    assert result["intent_macro_f1"] >= MIN_INTENT_MACRO_F1, result["intent_f1"]
    assert result["dispute_type"]["accuracy"] >= MIN_DISPUTE_TYPE_ACCURACY, result["dispute_type"]["errors"]
