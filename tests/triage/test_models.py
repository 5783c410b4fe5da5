"""The shipped n-gram models: served exactly as fitted, fitted reproducibly, and fresh for their data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from triage.learn import risk_training
from triage.learn.ngram_fit import fit, fit_estimators, to_model, view
from triage.risk_model import MODEL_FILE, load_model

TOY = [
    ("他拿刀要砍我", "emergency"),
    ("俺不想活了 农药买好了", "emergency"),
    ("快来人 着火了", "emergency"),
    ("他又来砍门了", "emergency"),
    ("他天天打我 好多年了", "high"),
    ("被人打伤了 缝了针", "high"),
    ("邻居放话要收拾我", "high"),
    ("俺家的水让他断了", "medium"),
    ("两家越吵越凶", "medium"),
    ("邻居把俺家庄稼毁了", "medium"),
    ("两家吵了几句", "low"),
    ("他这人不讲理", "low"),
    ("两家闹矛盾了", "low"),
    ("想问问打官司的事", "none"),
    ("在外地打工 工钱没给", "none"),
    ("过年杀猪", "none"),
    ("俺叫王芳", "none"),
]
PARAMS = {"ngram_range": (1, 3), "min_df": 1, "c": 4.0, "class_weight": "balanced"}
CLASSES = ("none", "low", "medium", "high", "emergency")


def test_serving_reproduces_scikit_learn_exactly() -> None:
    views = [view(t) for t, _ in TOY]
    vectorizer, classifier = fit_estimators(views, [label for _, label in TOY], **PARAMS)
    model = to_model(vectorizer, classifier, CLASSES, PARAMS["ngram_range"])
    order = [list(classifier.classes_).index(c) for c in CLASSES]
    for text in ["他拿着刀在门口", "俺想离婚", "工钱的事", "zzz", ""]:
        expected = classifier.predict_proba(vectorizer.transform([view(text)]))[0][order]
        served = model.probabilities(view(text))
        assert [served[c] for c in CLASSES] == pytest.approx(list(expected), abs=1e-9)


def test_fitting_is_reproducible() -> None:
    views, labels = [view(t) for t, _ in TOY], [label for _, label in TOY]
    assert fit(views, labels, CLASSES, **PARAMS).to_dict() == fit(views, labels, CLASSES, **PARAMS).to_dict()


def test_a_binary_fit_is_refused() -> None:
    with pytest.raises(ValueError, match="three classes"):
        fit([view("a"), view("b")], ["none", "emergency"], ("none", "emergency"), **PARAMS)


def test_the_shipped_risk_model_is_fresh() -> None:
    """Editing data/risk/train/ (or the plain messages it adds) without `make risk-model` fails here."""
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert data["recipe_sha256"] == risk_training.Recipe().sha256(), "recipe changed: run `make risk-model`"
    assert data["data_sha256"] == risk_training.inputs_sha256(), "training data changed: run `make risk-model`"


def test_the_shipped_risk_model_loads_with_thresholds_per_level() -> None:
    model = load_model()
    assert model is not None
    assert set(model.thresholds) == {"emergency", "high", "medium", "low"}
    assert model.model.classes == CLASSES


def test_training_data_lines_are_checked(tmp_path: Path) -> None:
    (tmp_path / "bad.jsonl").write_text('{"text": "x", "level": "red"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.jsonl:1: level must be one of"):
        risk_training.load_examples(tmp_path)


def test_training_data_has_every_level_and_the_hard_negatives() -> None:
    examples = risk_training.load_examples()
    levels = {e.level for e in examples}
    assert levels == set(CLASSES)
    assert sum(e.level == "none" for e in examples) >= 2000
    assert sum(e.level == "emergency" for e in examples) >= 1000
