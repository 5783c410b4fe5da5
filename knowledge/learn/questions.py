"""The FAQ's questions with their lawyer-cited articles: what the ranker learns from and evaluation scores on."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from knowledge.citations import normalize_citation
from knowledge.splits import split_of


@dataclass(frozen=True)
class Question:
    qid: str
    text: str
    gold: frozenset[str]  # normalised citations


def load_questions(faq_file: Path, split: str) -> list[Question]:
    items = json.loads(faq_file.read_text(encoding="utf-8"))
    return [
        Question(str(it["query_id"]), str(it["问题"]), frozenset(normalize_citation(n) for n in it["match_name"]))
        for it in items
        if split_of(str(it["query_id"])) == split and it.get("match_name")
    ]


def faq_ids_of(faq_file: Path, splits: Sequence[str]) -> set[str]:
    items = json.loads(faq_file.read_text(encoding="utf-8"))
    return {str(it["query_id"]) for it in items if split_of(str(it["query_id"])) in splits}


def train_faq_ids(faq_file: Path) -> set[str]:
    return faq_ids_of(faq_file, ("train",))
