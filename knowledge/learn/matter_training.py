"""Fit the matter model (``knowledge/guides/matter_model.json``) from the guides and the FAQ's train split.

Training examples:

* every guide's ``examples`` (questions in villagers' words), its ``title`` and its ``triggers``
  (each trigger once, as a one-word "question": residents do write just "彩礼" or "宅基地");
* FAQ questions of the ``train`` split (``knowledge.splits``) whose cited articles point to exactly
  one guide (``FAQ_MIN_SHARE`` of their statute citations in that guide's articles, and no tie):
  real questions, distantly labelled. The dev and test splits stay held out for retrieval.

The held-out questions in ``bench/data/answers/`` are never read here. The recipe and a hash of
every input (guide files and the FAQ file) are written into the model file, so a test can tell
when it is stale; fitting is deterministic (lbfgs, fixed data order).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from knowledge.citations import normalize_citation
from knowledge.guides.book import GuideBook
from knowledge.guides.matter import MATTER_MODEL_FILE, NO_MATTER, MatterModel
from knowledge.splits import split_of
from triage.learn.ngram_fit import fit, out_of_fold, view

ROOT = Path(__file__).resolve().parents[2]
NO_MATTER_FILE = ROOT / "data" / "matters" / "no_matter.txt"
NLU_DIR = ROOT / "bot" / "data" / "nlu"
FAQ_MIN_SHARE = 0.5
#: The class for messages that name no matter at all (openers, pleas, small talk).
#: NLU intents whose examples name no matter.
NO_MATTER_INTENTS = frozenset(
    {"greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "feedback", "out_of_scope"}
)


@dataclass(frozen=True)
class Recipe:
    ngram_range: tuple[int, int] = (1, 3)
    min_df: int = 1
    c: float = 10.0
    class_weight: str = "balanced"
    faq_min_share: float = FAQ_MIN_SHARE
    folds: int = 5
    seed: int = 20261204
    format: int = 2

    def sha256(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()

    def fit_params(self) -> dict:
        return {"ngram_range": self.ngram_range, "min_df": self.min_df, "c": self.c, "class_weight": self.class_weight}


def inputs_sha256(guides_dir: Path, faq_file: Path, no_matter_file: Path, nlu_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in [*sorted(guides_dir.glob("*.yml")), no_matter_file, *sorted(nlu_dir.glob("*.yml"))]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(faq_file.read_bytes() if faq_file.is_file() else b"")
    return digest.hexdigest()


def guide_examples(book: GuideBook) -> list[tuple[str, str]]:
    rows = []
    for guide in book:
        rows.append((guide.title, guide.id))
        rows.extend((text, guide.id) for text in guide.examples)
        rows.extend((word, guide.id) for word in guide.triggers)
    return rows


def no_matter_examples(no_matter_file: Path, nlu_dir: Path) -> list[tuple[str, str]]:
    """Openers and small talk: the project's list, and the NLU examples of intents that name no matter."""
    lines = no_matter_file.read_text(encoding="utf-8").splitlines()
    texts = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    for path in sorted(nlu_dir.glob("*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if item.get("intent") in NO_MATTER_INTENTS:
                texts += [x.strip()[2:] for x in item["examples"].splitlines() if x.strip().startswith("- ")]
    return [(text, NO_MATTER) for text in dict.fromkeys(texts)]


def faq_examples(book: GuideBook, faq_file: Path, min_share: float = FAQ_MIN_SHARE) -> list[tuple[str, str]]:
    """FAQ train questions labelled with the one guide most of their cited articles belong to."""
    owners: dict[str, set[str]] = {}
    for guide in book:
        for ref in guide.cited():
            owners.setdefault(normalize_citation(ref), set()).add(guide.id)
    rows = []
    for item in json.loads(faq_file.read_text(encoding="utf-8")):
        if split_of(str(item.get("query_id"))) != "train":
            continue
        cited = [normalize_citation(c) for c in item.get("match_name") or []]
        votes = Counter(g for c in cited for g in owners.get(c, ()))
        if not cited or not votes:
            continue
        ranked = votes.most_common(2)
        best, n = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0
        if n / len(cited) >= min_share and runner_up < n:
            rows.append((str(item["问题"]).strip(), best))
    return rows


def train(book: GuideBook, faq_file: Path, guides_dir: Path, *, no_matter_file: Path = NO_MATTER_FILE,
          nlu_dir: Path = NLU_DIR, out: Path = MATTER_MODEL_FILE, recipe: Recipe | None = None) -> dict:  # fmt: skip
    """Fit on everything, write the model, and return a cross-validated report on the guide examples."""
    recipe = recipe or Recipe()
    rows = (
        guide_examples(book)
        + faq_examples(book, faq_file, recipe.faq_min_share)
        + no_matter_examples(no_matter_file, nlu_dir)
    )
    matters = (*sorted(g.id for g in book), NO_MATTER)
    views = [view(text) for text, _ in rows]
    labels = [matter for _, matter in rows]
    model = MatterModel(fit(views, labels, matters, **recipe.fit_params()), recipe.sha256(),
                        inputs_sha256(guides_dir, faq_file, no_matter_file, nlu_dir))  # fmt: skip
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(model.to_dict(), ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n",
                   encoding="utf-8")  # fmt: skip
    tmp.replace(out)
    # Out of fold on the guides' own example questions (triggers and FAQs always train): a sanity check,
    # not a quality claim; bench/answer_first.py measures on held-out questions.
    probabilities = out_of_fold(views, labels, matters, folds=recipe.folds, seed=recipe.seed, **recipe.fit_params())
    examples = {i for i, (text, _) in enumerate(rows) if text in {e for g in book for e in g.examples}}
    right = sum(matters[int(probabilities[i].argmax())] == labels[i] for i in examples)
    return {
        "examples": len(rows),
        "from_faq": len(faq_examples(book, faq_file, recipe.faq_min_share)),
        "matters": len(matters),
        "cv_accuracy_on_guide_examples": round(right / max(1, len(examples)), 4),
        "features": len(model.model.weights),
    }
