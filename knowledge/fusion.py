"""How lexical, dense and FAQ evidence are combined into one ranking.

Two fusions are implemented and compared by ``cunfa eval retrieval``:

* ``reciprocal_rank_fusion`` (Cormack, Clarke & Büttcher, SIGIR 2009): score = Σ wᵢ / (k + rankᵢ).
  ``k`` = 60 damps the head of each list so one retriever's top-1 cannot dominate; it ignores
  score magnitudes, which is its strength with uncalibrated scores and its weakness here: a
  BM25 list with no real match still contributes full rank credit.
* ``Ranker``: a linear score over per-candidate features (cosine, normalised BM25, ranks,
  FAQ-neighbour votes, citation priors, …; see ``knowledge.recipe.FEATURES``). Its weights are
  learned (``knowledge.learn.ranker_fitting``) and saved with the index; ``Ranker.hand_weighted()`` is the
  earlier hand-tuned sum, used when an index has no fitted ranker.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.recipe import HAND_WEIGHTS


@dataclass(frozen=True)
class Ranker:
    """score = Σ coef · (feature − mean) / scale + intercept, over the named features."""

    features: tuple[str, ...]
    coef: tuple[float, ...]
    mean: tuple[float, ...] = ()
    scale: tuple[float, ...] = ()
    intercept: float = 0.0
    info: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def hand_weighted(cls, all_features: Sequence[str]) -> Ranker:
        """cosine + 0.4 · BM25/max + 0.2 · FAQ votes/max + 0.05 · law prior (``recipe.HAND_WEIGHTS``)."""
        return cls(
            features=tuple(all_features),
            coef=tuple(HAND_WEIGHTS.get(f, 0.0) for f in all_features),
            info={"kind": "hand-weighted"},
        )

    def __post_init__(self) -> None:
        n = len(self.features)
        if len(self.coef) != n or (self.mean and len(self.mean) != n) or (self.scale and len(self.scale) != n):
            raise ValueError("ranker: features, coef, mean and scale must have the same length")

    def score(self, features: np.ndarray) -> np.ndarray:
        x = features
        if self.mean:
            x = (x - np.asarray(self.mean, dtype=np.float32)) / np.asarray(self.scale, dtype=np.float32)
        return x @ np.asarray(self.coef, dtype=np.float32) + np.float32(self.intercept)

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "coef": list(self.coef),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "intercept": self.intercept,
            "info": self.info,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Ranker:
        return cls(
            features=tuple(data["features"]),
            coef=tuple(data["coef"]),
            mean=tuple(data.get("mean") or ()),
            scale=tuple(data.get("scale") or ()),
            intercept=float(data.get("intercept", 0.0)),
            info=dict(data.get("info") or {}),
        )

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2))

    @classmethod
    def load(cls, path: Path) -> Ranker:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[int]], weights: Sequence[float] | None = None, k: int = 60
) -> list[tuple[int, float]]:
    """Fuse ranked lists of document ids; returns (id, score) best first."""
    weights = weights or [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError(f"got {len(weights)} weights for {len(rankings)} rankings")
    scores: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, doc in enumerate(ranking):
            scores[doc] = scores.get(doc, 0.0) + weight / (k + rank + 1)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))
