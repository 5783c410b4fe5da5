"""A linear model over character n-grams, served in pure Python: the shape of every classifier in ``triage``.

Why this shape: residents write in dialect, with typos, in Traditional characters and without
punctuation, and character n-grams carry all of that without a tokenizer. A linear model over them
is small, explainable (the n-grams that pushed a message towards a class can be listed) and cheap:
scoring is one dictionary lookup per n-gram, well under a millisecond, with no numpy,
scikit-learn or torch at run time. The offline fitting (``triage/learn/``) uses scikit-learn's
``TfidfVectorizer(sublinear_tf=True)`` over :func:`features` and a logistic regression, and this
module reproduces that transform exactly: (1 + ln count) × idf, L2-normalised, then the weights.

Digit runs become ``0`` and long numbers (phones, IDs) ``#``: a number must never look like meaning.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

__all__ = ["NgramModel", "features", "model_view"]

_LONG_NUMBER = re.compile(r"\d{5,}")
_DIGITS = re.compile(r"\d+")
_LATIN = re.compile(r"[A-Za-z]+")


def model_view(view: str) -> str:
    """What a model reads: numbers folded, Latin lowercased, with start and end marks."""
    text = _LONG_NUMBER.sub("#", view)
    text = _DIGITS.sub("0", text)
    text = _LATIN.sub(lambda m: m.group(0).lower(), text)
    return f"^{text}$"


def features(view: str, ngram_range: tuple[int, int] = (1, 4)) -> Counter[str]:
    """Character n-gram counts of a normalised, space-free view (``triage.text``)."""
    text = model_view(view)
    counts: Counter[str] = Counter()
    lo, hi = ngram_range
    for n in range(lo, hi + 1):
        for i in range(len(text) - n + 1):
            counts[text[i : i + n]] += 1
    counts.pop("^", None)
    counts.pop("$", None)
    return counts


@dataclass(frozen=True)
class NgramModel:
    classes: tuple[str, ...]
    intercept: tuple[float, ...]
    #: n-gram → (idf, weight per class)
    weights: dict[str, tuple[float, tuple[float, ...]]]
    ngram_range: tuple[int, int] = (1, 4)

    def probabilities(self, view: str) -> dict[str, float]:
        """P(class) for a normalised, space-free view."""
        logits = list(self.intercept)
        tfidf: list[tuple[float, tuple[float, ...]]] = []
        norm = 0.0
        for gram, count in features(view, self.ngram_range).items():
            entry = self.weights.get(gram)
            if entry is None:
                continue
            value = (1.0 + math.log(count)) * entry[0]
            norm += value * value
            tfidf.append((value, entry[1]))
        if norm > 0:
            scale = 1.0 / math.sqrt(norm)
            for value, row in tfidf:
                v = value * scale
                for k, w in enumerate(row):
                    logits[k] += v * w
        top = max(logits)
        exps = [math.exp(x - top) for x in logits]
        total = sum(exps)
        return {name: e / total for name, e in zip(self.classes, exps, strict=True)}

    def contributions(self, view: str, name: str, top: int = 3) -> list[str]:
        """The n-grams that pushed most towards class ``name``: why the model said so, for staff."""
        k = self.classes.index(name)
        scored = []
        for gram, count in features(view, self.ngram_range).items():
            entry = self.weights.get(gram)
            if entry is not None:
                scored.append(((1.0 + math.log(count)) * entry[0] * entry[1][k], gram))
        scored.sort(reverse=True)
        picked: list[str] = []
        for score, gram in scored:
            if score <= 0 or len(picked) == top:
                break
            clean = gram.strip("^$")
            if len(clean) > 1 and not any(clean in p for p in picked):
                picked.append(clean)
        return picked

    @classmethod
    def from_dict(cls, data: dict) -> NgramModel:
        return cls(
            classes=tuple(data["classes"]),
            intercept=tuple(float(x) for x in data["intercept"]),
            weights={g: (float(row[0]), tuple(float(x) for x in row[1:])) for g, row in data["weights"].items()},
            ngram_range=tuple(data.get("ngram_range", (1, 4))),
        )

    def to_dict(self) -> dict:
        return {
            "classes": list(self.classes),
            "intercept": [round(x, 6) for x in self.intercept],
            "ngram_range": list(self.ngram_range),
            "weights": {g: [round(idf, 5), *(round(w, 5) for w in row)] for g, (idf, row) in self.weights.items()},
        }
