"""Which matter a question is about, from its words: a character n-gram model fitted on the guides.

The model (``matter_model.json`` next to this module, fitted by ``make matter-model`` from every
guide's examples and triggers and from FAQ questions whose cited articles belong to one guide) gives
P(matter) for the words alone. ``knowledge.guides.policy`` combines it with what retrieval found,
the dispute type, a topic button and the conversation's current matter.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from knowledge.guides.book import GuideBook
from knowledge.guides.model import Guide
from triage.ngram_model import NgramModel
from triage.text import normalize

__all__ = ["MATTER_MODEL_FILE", "MatterModel", "load_matter_model", "NO_MATTER", "told_guide"]

MATTER_MODEL_FILE = Path(__file__).with_name("matter_model.json")
#: The model's class for words that tell no matter (fitted from ``data/matters/no_matter.txt``).
NO_MATTER = "_none"


@dataclass(frozen=True)
class MatterModel:
    model: NgramModel
    recipe_sha256: str = ""
    data_sha256: str = ""

    @property
    def matters(self) -> tuple[str, ...]:
        return self.model.classes

    def probabilities(self, view: str) -> dict[str, float]:
        return self.model.probabilities(view)

    @classmethod
    def from_dict(cls, data: dict) -> MatterModel:
        return cls(NgramModel.from_dict(data), data.get("recipe_sha256", ""), data.get("data_sha256", ""))

    def to_dict(self) -> dict:
        return {**self.model.to_dict(), "recipe_sha256": self.recipe_sha256, "data_sha256": self.data_sha256}


@functools.lru_cache(maxsize=1)
def load_matter_model(path: Path = MATTER_MODEL_FILE) -> MatterModel | None:
    """The shipped model, read once per process; None when missing (retrieval and triggers then decide)."""
    if not path.is_file():
        return None
    return MatterModel.from_dict(json.loads(path.read_text(encoding="utf-8")))


def told_guide(text: str, book: GuideBook, model: MatterModel | None) -> Guide | None:
    """The guide whose matter the words most likely tell, or None.

    None when there is no model, or when the model's "no matter" class (small talk, a bare request
    for a person) outweighs every guide: a matter is only read from words that tell one.
    """
    if model is None:
        return None
    probabilities = model.probabilities(normalize(text).replace(" ", ""))
    words = {m: p for m, p in probabilities.items() if m in book}
    if not words:
        return None
    best = max(words, key=lambda matter: words[matter])
    if words[best] <= probabilities.get(NO_MATTER, 0.0):
        return None
    return book.get(best)
