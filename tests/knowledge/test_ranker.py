from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge.fusion import Ranker
from knowledge.index import IndexInputs
from knowledge.learn import ranker_fitting
from knowledge.learn.ranker_fitting import QuestionFeatures, calibrated, fit_listwise
from knowledge.recipe import FEATURES, RANKER
from knowledge.splits import fold_of
from knowledge.tokenize import default_tokenizer


def _rows(seed: int = 0, n: int = 60) -> list[QuestionFeatures]:
    """Synthetic questions whose gold candidate is the one with the highest first feature."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        x = rng.normal(size=(20, len(FEATURES))).astype(np.float32)
        gold = np.zeros(20, dtype=bool)
        gold[int(np.argmax(x[:, 0]))] = True
        rows.append(QuestionFeatures(x, gold))
    return rows


def test_listwise_fit_learns_the_informative_feature() -> None:
    ranker = fit_listwise(_rows())
    assert int(np.argmax(ranker.coef)) == 0
    held_out = _rows(seed=1)
    top1 = np.mean([r.gold[np.argmax(ranker.score(r.features))] for r in held_out])
    assert top1 > 0.8  # chance is 1 in 20


def test_calibration_keeps_the_order_and_matches_the_hand_scale() -> None:
    rows = _rows()
    ranker = fit_listwise(rows)
    scaled = calibrated(ranker, rows)
    x = rows[0].features
    assert np.array_equal(np.argsort(ranker.score(x)), np.argsort(scaled.score(x)))
    hand = Ranker.hand_weighted(FEATURES)
    ours = [scaled.score(r.features).max() for r in rows]
    theirs = [hand.score(r.features).max() for r in rows]
    assert abs(np.mean(ours) - np.mean(theirs)) < 1e-3


def test_ranker_round_trips_through_json(tmp_path: Path) -> None:
    ranker = fit_listwise(_rows())
    ranker.save(tmp_path / "ranker.json")
    loaded = Ranker.load(tmp_path / "ranker.json")
    x = _rows(seed=2)[0].features
    assert np.allclose(loaded.score(x), ranker.score(x), atol=1e-4)


def test_hand_weighted_ranker_is_the_documented_sum() -> None:
    x = np.zeros((1, len(FEATURES)), dtype=np.float32)
    for name, value in {"dense": 0.5, "bm25": 1.0, "faq": 1.0, "law_prior": -2.0}.items():
        x[0, FEATURES.index(name)] = value
    assert np.isclose(Ranker.hand_weighted(FEATURES).score(x)[0], 0.5 + 0.4 + 0.2 - 0.1)


def test_folds_are_a_stable_partition() -> None:
    folds = [fold_of(str(i)) for i in range(1000)]
    assert set(folds) == set(range(RANKER.folds))
    assert folds == [fold_of(str(i)) for i in range(1000)]


def test_tiny_index_without_enough_questions_keeps_hand_weights(tiny_kb) -> None:
    assert tiny_kb.index.ranker is None
    assert tiny_kb.retriever.ranker.info["kind"] == "hand-weighted"
    assert tiny_kb.manifest["ranker"] == {"kind": "hand-weighted"}


def test_the_shipped_ranker_is_used_only_for_its_own_index_key(tmp_path: Path, monkeypatch) -> None:
    ranker_module = ranker_fitting
    monkeypatch.setattr(ranker_module, "SHIPPED_RANKER", tmp_path / "ranker_fitted.json")
    fitted = Ranker(features=("dense", "bm25"), coef=(0.5, 0.25), mean=(0.1, 0.2), scale=(1.0, 2.0))
    ranker_module.ship_ranker("abc123", fitted)
    assert ranker_module.shipped_ranker("abc123") == fitted
    assert ranker_module.shipped_ranker("abc123").info["source"] == "ranker_fitted.json"
    assert ranker_module.shipped_ranker("other") is None


def test_the_shipped_ranker_matches_the_current_recipe_and_data() -> None:
    """Changing the features, the encoder recipe or the data changes the index key; refit then."""
    import json

    from cunfa.settings import Settings
    from knowledge.base import index_inputs
    from knowledge.index import default_tokenizer, index_path
    from knowledge.learn.ranker_fitting import SHIPPED_RANKER

    settings = Settings()
    if not settings.laws_dir.is_dir() or not settings.faq_file.is_file():
        pytest.skip("the shared data is not beside this checkout")
    key = index_path(settings.index_dir, index_inputs(settings), default_tokenizer()).name
    shipped = json.loads(SHIPPED_RANKER.read_text(encoding="utf-8"))
    assert shipped["index_key"] == key, "run `.venv/bin/cunfa index build --refit-ranker` and commit the file"
    assert tuple(shipped["ranker"]["features"]) == FEATURES


def test_every_recipe_knob_and_the_dictionary_change_the_index_key(tmp_path: Path, monkeypatch) -> None:
    """A ranker fitted before an edit must not be taken for the current one (``knowledge.recipe``)."""
    import dataclasses

    from knowledge import recipe

    (tmp_path / "laws").mkdir()
    (tmp_path / "faq.json").write_text("[]", encoding="utf-8")
    inputs = IndexInputs(laws_dir=tmp_path / "laws", faq_file=tmp_path / "faq.json")
    tokenizer = default_tokenizer()
    before = inputs.key(tokenizer)
    assert inputs.key(tokenizer) == before
    edited = tmp_path / "colloquial.txt"
    edited.write_text(recipe.COLLOQUIAL_FILE.read_text(encoding="utf-8") + "工钱 薪酬\n", encoding="utf-8")
    with monkeypatch.context() as patch:
        patch.setattr(recipe, "COLLOQUIAL_FILE", edited)
        assert inputs.key(tokenizer) != before
    for field in dataclasses.fields(recipe.HybridRecipe):
        value = getattr(recipe.HYBRID, field.name)
        with monkeypatch.context() as patch:
            patch.setattr(recipe, "HYBRID", dataclasses.replace(recipe.HYBRID, **{field.name: value * 2}))
            assert inputs.key(tokenizer) != before, field.name
    with monkeypatch.context() as patch:
        patch.setattr(recipe, "RANKER", dataclasses.replace(recipe.RANKER, hand_weights={"dense": 1.0}))
        assert inputs.key(tokenizer) != before
