"""Fitting a ``triage.ngram_model.NgramModel`` with scikit-learn, so fitted and served vectors are the same."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from triage.ngram_model import NgramModel, features
from triage.text import _normalize_aligned


def view(text: str) -> str:
    """The normalised, space-free view every ``triage`` model reads."""
    return _normalize_aligned(text, keep_spaces=False)[0]


def fit_estimators(
    views: Sequence[str],
    labels: Sequence[str],
    *,
    ngram_range: tuple[int, int],
    min_df: int,
    c: float,
    class_weight: str | None,
) -> tuple[TfidfVectorizer, LogisticRegression]:
    """scikit-learn's vectorizer and multinomial logistic regression, fitted (lbfgs: deterministic)."""
    vectorizer = TfidfVectorizer(
        analyzer=lambda v: list(features(v, ngram_range).elements()), sublinear_tf=True, min_df=min_df, lowercase=False
    )
    matrix = vectorizer.fit_transform(views)
    classifier = LogisticRegression(C=c, class_weight=class_weight, max_iter=5000, multi_class="multinomial")
    classifier.fit(matrix, list(labels))
    return vectorizer, classifier


def fit(
    views: Sequence[str],
    labels: Sequence[str],
    classes: Sequence[str],
    *,
    ngram_range: tuple[int, int],
    min_df: int,
    c: float,
    class_weight: str | None,
) -> NgramModel:
    """A multinomial logistic regression over TF-IDF character n-grams; columns in ``classes`` order."""
    fitted = fit_estimators(views, labels, ngram_range=ngram_range, min_df=min_df, c=c, class_weight=class_weight)
    return to_model(*fitted, classes, ngram_range)


def to_model(
    vectorizer: TfidfVectorizer, classifier: LogisticRegression, classes: Sequence[str], ngram_range: tuple[int, int]
) -> NgramModel:
    """The fitted estimators as the pure-Python model that serves them."""
    fitted = list(classifier.classes_)
    if len(fitted) < 3:
        raise ValueError("an n-gram model needs at least three classes (a binary fit has one row of weights)")
    order = [fitted.index(name) for name in classes]
    coef = classifier.coef_[order]
    weights = {
        gram: (float(vectorizer.idf_[column]), tuple(float(w) for w in coef[:, column]))
        for gram, column in vectorizer.vocabulary_.items()
    }
    intercept = tuple(float(x) for x in classifier.intercept_[order])
    return NgramModel(tuple(classes), intercept, weights, ngram_range)


def out_of_fold(
    views: Sequence[str], labels: Sequence[str], classes: Sequence[str], *, folds: int, seed: int, **params: Any
) -> np.ndarray:
    """P(class) for each example from a model that never saw it (stratified k-fold); columns in ``classes``."""
    labels_array = np.array(labels)
    probabilities = np.zeros((len(views), len(classes)))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(views, labels_array):
        model = fit([views[i] for i in train], list(labels_array[train]), classes, **params)
        for i in test:
            row = model.probabilities(views[i])
            probabilities[i] = [row[name] for name in classes]
    return probabilities
