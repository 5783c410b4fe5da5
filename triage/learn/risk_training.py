"""Fit the risk model (``triage/risk_model.json``) from the project's own data in ``data/risk/train/``.

Reproducible: the data files are read in name order, scikit-learn's lbfgs solver is deterministic,
and the recipe below is hashed into the model file together with the data, so a test can tell a
stale model from a fresh one. The decision thresholds are chosen on out-of-fold probabilities
(stratified 5-fold cross-validation with a fixed seed), never on the messages a fold was fitted on:

* ``emergency``: the highest threshold that still catches ``EMERGENCY_RECALL`` of the emergency
  messages out of fold, because a missed cry for help costs a life and a false alarm costs a call;
* ``high``, ``medium``, ``low``: the highest threshold that catches ``LEVEL_RECALL`` of the messages
  at that level or above.

The held-out sets in ``bench/data/risk/`` are never read here.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import yaml

from triage import ngram_model, risk_cues, risk_model
from triage.learn.ngram_fit import fit, out_of_fold, view
from triage.risk_cues import find_cues
from triage.risk_levels import RISK_ORDER, level_rank
from triage.risk_model import MODEL_FILE, RiskModel, model_text

logger = logging.getLogger(__name__)
_ENTITY = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")  # Rasa's [text](entity) and [text]{...}

ROOT = Path(__file__).resolve().parents[2]
TRAIN_DIR = ROOT / "data" / "risk" / "train"
NLU_DIR = ROOT / "bot" / "data" / "nlu"
GUIDES_DIR = ROOT / "data" / "guides"
#: NLU intents whose examples are plain, harmless messages: the bulk of what residents send.
PLAIN_INTENTS = frozenset({
    "greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "out_of_scope", "feedback",
    "check_case_status", "ask_village_rule", "ask_legal_question",
})  # fmt: skip
FAQ_FILE = ROOT.parent / "shared" / "data" / "lecoqa" / "train.json"
#: Real legal questions that mention none of these are plain: no violence, injury, death, fire or threat.
_DANGER_CHARS = re.compile(r"[伤打杀死砍刀血暴毒烧火跳威胁报复吊枪炸抢劫绑拐伤害殴]|自杀|上访|信访|自残|精神")
#: Guides whose example questions may describe danger; the others are ordinary legal questions.
DANGEROUS_MATTERS = frozenset({"domestic_violence", "public_security", "personal_injury", "minors", "elderly_rights"})


@dataclass(frozen=True)
class Recipe:
    ngram_range: tuple[int, int] = (1, 4)
    min_df: int = 2
    c: float = 16.0
    class_weight: str = "balanced"
    folds: int = 5
    seed: int = 20261204
    #: Out-of-fold false alarms allowed on the negatives, per level (the model alone; cues add their own).
    emergency_false_alarms: float = 0.05
    level_false_alarms: float = 0.02
    format: int = 3

    def sha256(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()

    def fit_params(self) -> dict:
        return {"ngram_range": self.ngram_range, "min_df": self.min_df, "c": self.c, "class_weight": self.class_weight}


@dataclass(frozen=True)
class Example:
    text: str
    level: str
    category: str
    source: str


def data_files(directory: Path = TRAIN_DIR) -> list[Path]:
    return sorted(directory.glob("*.jsonl"))


def plain_messages(nlu_dir: Path = NLU_DIR, guides_dir: Path = GUIDES_DIR, faq_file: Path = FAQ_FILE) -> list[str]:
    """Ordinary messages, as extra ``none`` examples: without them the model has seen hard negatives but
    few plain ones, and reads "我想把户口迁回娘家" or "我打算离婚" as danger. They are the NLU examples of
    plain intents and the guides' example questions (both written by the project), and the FAQ's real
    legal questions that mention no violence, injury, death, fire or threat at all. Anything with an
    explicit cue is left out."""
    texts: list[str] = []
    if faq_file.is_file():
        for item in json.loads(faq_file.read_text(encoding="utf-8")):
            question = str(item.get("问题") or "").strip()
            if question and not _DANGER_CHARS.search(question):
                texts.append(question)
    for path in sorted(nlu_dir.glob("*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if item.get("intent") in PLAIN_INTENTS:
                texts += [line.strip()[2:] for line in item["examples"].splitlines() if line.strip().startswith("- ")]
    for path in sorted(guides_dir.glob("*.yml")):
        guide = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if guide.get("id") not in DANGEROUS_MATTERS:
            texts += [str(x) for x in guide.get("examples") or []]
    texts = [_ENTITY.sub(r"\1", t) for t in texts]
    return [t for t in dict.fromkeys(texts) if t.strip() and not find_cues(view(t))]


def inputs_sha256(
    directory: Path = TRAIN_DIR, nlu_dir: Path = NLU_DIR, guides_dir: Path = GUIDES_DIR, faq_file: Path = FAQ_FILE
) -> str:
    """Hash of every input: the training files; the NLU, guide and FAQ files plain messages come from; and the
    code that decides what the model sees (the cue list filters the plain messages, the n-gram features)."""
    digest = hashlib.sha256()
    code = [Path(risk_cues.__file__), Path(ngram_model.__file__), Path(risk_model.__file__)]
    inputs = [*data_files(directory), *sorted(nlu_dir.glob("*.yml")), *sorted(guides_dir.glob("*.yml")), *code]
    for path in [*inputs, *([faq_file] if faq_file.is_file() else [])]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_examples(directory: Path = TRAIN_DIR) -> list[Example]:
    """Every line of every ``*.jsonl`` file; a bad line names its file and line number."""
    examples = []
    for path in data_files(directory):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                text, level = item["text"], item["level"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(f"{path.name}:{number}: not a {{text, level}} JSON line ({exc})") from exc
            if level not in RISK_ORDER or not isinstance(text, str) or not text.strip():
                raise ValueError(f"{path.name}:{number}: level must be one of {RISK_ORDER} and text non-empty")
            examples.append(Example(text, level, item.get("category", ""), path.name))
    if not examples:
        raise ValueError(f"no training data in {directory}")
    return examples


def training_examples(
    directory: Path = TRAIN_DIR, nlu_dir: Path = NLU_DIR, guides_dir: Path = GUIDES_DIR
) -> list[Example]:
    """The written training data, then the plain messages (``plain_messages``)."""
    written = load_examples(directory)
    seen = {e.text for e in written}
    plain = [Example(t, "none", "plain", "derived") for t in plain_messages(nlu_dir, guides_dir) if t not in seen]
    return written + plain


def at_least(probabilities: np.ndarray, level: str) -> np.ndarray:
    """P(level or above) per row (columns in ``RISK_ORDER``)."""
    return probabilities[:, level_rank(level) :].sum(axis=1)


def choose_thresholds(examples: list[Example], probabilities: np.ndarray, recipe: Recipe) -> dict[str, float]:
    """Per level, the lowest threshold that keeps out-of-fold false alarms on the negatives within the recipe.

    The lowest such threshold catches the most danger: the cost of a missed emergency is a life, so the
    model is allowed exactly the false alarms the recipe grants and no fewer.
    """
    # Only the written hard negatives count: the plain messages are easy and would let the bar drop.
    negative = np.array([e.level == "none" and e.source != "derived" for e in examples])
    thresholds = {}
    for level in ("emergency", "high", "medium", "low"):
        allowed = recipe.emergency_false_alarms if level == "emergency" else recipe.level_false_alarms
        scores = at_least(probabilities, level)[negative]
        # Alarms are scores >= threshold; the (1 - allowed) quantile of the negatives' scores, nudged above
        # any tie, leaves at most `allowed` of them at or above it.
        thresholds[level] = round(float(np.quantile(scores, 1.0 - allowed, method="higher")) + 1e-4, 4)
    return thresholds


def oof_report(examples: list[Example], probabilities: np.ndarray, thresholds: dict[str, float]) -> dict:
    """Out-of-fold recall per level and false alarms on the negatives, model alone."""
    # Only ``level`` is used: the thresholds decide, so an empty n-gram model stands in for the fitted one.
    model = RiskModel(ngram_model.NgramModel(RISK_ORDER, (0.0,) * len(RISK_ORDER), {}), thresholds)
    predicted = [model.level(dict(zip(RISK_ORDER, row, strict=True))) for row in probabilities]
    report: dict = {"n": len(examples), "by_level": dict(Counter(e.level for e in examples))}
    for level in ("emergency", "high", "medium", "low"):
        rows = [i for i, e in enumerate(examples) if e.level == level]
        hits = sum(level_rank(predicted[i]) >= level_rank(level) for i in rows)
        report[f"recall_{level}_or_above"] = round(hits / max(1, len(rows)), 4)
    negatives = [i for i, e in enumerate(examples) if e.level == "none" and e.source != "derived"]
    report["false_emergency_rate"] = round(
        sum(predicted[i] == "emergency" for i in negatives) / max(1, len(negatives)), 4
    )
    report["false_alarm_rate"] = round(sum(predicted[i] != "none" for i in negatives) / max(1, len(negatives)), 4)
    return report


def train(directory: Path = TRAIN_DIR, out: Path = MODEL_FILE, recipe: Recipe | None = None) -> dict:
    """Fit on all the data, with thresholds from cross-validation; write the model; return the CV report."""
    recipe = recipe or Recipe()
    examples = training_examples(directory)
    views = [model_text(view(e.text)) for e in examples]
    labels = [e.level for e in examples]
    probabilities = out_of_fold(views, labels, RISK_ORDER, folds=recipe.folds, seed=recipe.seed, **recipe.fit_params())
    thresholds = choose_thresholds(examples, probabilities, recipe)
    model = RiskModel(fit(views, labels, RISK_ORDER, **recipe.fit_params()), thresholds, recipe.sha256(),
                      inputs_sha256(directory))  # fmt: skip
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(model.to_dict(), ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n",
                   encoding="utf-8")  # fmt: skip
    tmp.replace(out)
    report = oof_report(examples, probabilities, thresholds)
    report["thresholds"] = thresholds
    report["features"] = len(model.model.weights)
    return report
