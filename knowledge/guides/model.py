"""A matter guide (办事指南): what a villager needs to know about one kind of legal matter.

Guides are reviewed data, one YAML file per matter under ``data/guides/``, written by the project
from the statutes in its own words. Every statement that rests on law names the articles it rests
on (``basis``), so an answer built from a guide can cite them, and a test can check that each one
exists and is in force. This module only reads and checks the shape; ``knowledge.guides.check``
resolves the articles against the statute collection.

Schema (every key required unless marked optional)::

    id: wage_arrears               # [a-z_]+, the file name without .yml
    title: 农民工被拖欠工资
    dispute_type: wage_arrears     # one of triage.DISPUTE_TYPES
    triggers: [工钱, 包工头, …]     # everyday words that name this matter (≥ 3)
    laws: [保障农民工工资支付条例]   # optional: laws whose articles point to this matter
    articles: [保障农民工工资支付条例第三十条, …]   # key articles, most important first (≥ 1)
    summary: {text: …, basis: [...]}              # the first screen: ≤ 250 characters
    steps | where | evidence | time_limits | cost: [{text: …, basis: [...]}, …]   # ≥ 1 each
    examples: [包工头跑了工钱咋要, …]              # questions in villagers' words (≥ 8)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge.errors import KnowledgeError

#: The sections a follow-up question can ask for, in the order a full guide is shown.
SECTIONS: tuple[str, ...] = ("steps", "where", "evidence", "time_limits", "cost")
SECTION_TITLES: dict[str, str] = {
    "steps": "怎么办",
    "where": "去哪里、找谁",
    "evidence": "要准备的材料和证据",
    "time_limits": "时间和期限",
    "cost": "花不花钱",
}
SUMMARY_MAX_CHARS = 250
MIN_TRIGGERS = 3
MIN_EXAMPLES = 8
_ID = re.compile(r"^[a-z][a-z_]*$")
_KEYS = frozenset({"id", "title", "dispute_type", "triggers", "laws", "articles", "summary", "examples", *SECTIONS})


class GuideFormatError(KnowledgeError):
    """A guide file does not follow the schema; the message names the file and the key."""


@dataclass(frozen=True)
class Statement:
    """One thing a guide says, and the articles (short citations) it rests on."""

    text: str
    basis: tuple[str, ...] = ()


@dataclass(frozen=True)
class Guide:
    id: str
    title: str
    dispute_type: str
    triggers: tuple[str, ...]
    articles: tuple[str, ...]
    summary: Statement
    sections: dict[str, tuple[Statement, ...]]
    examples: tuple[str, ...]
    laws: tuple[str, ...] = ()
    path: Path | None = field(default=None, compare=False)

    def cited(self) -> list[str]:
        """Every article the guide names, key articles first, without repeats."""
        refs = list(self.articles) + list(self.summary.basis)
        for statements in self.sections.values():
            for statement in statements:
                refs.extend(statement.basis)
        return list(dict.fromkeys(refs))


def _where(path: Path | None, key: str) -> str:
    return f"{path.name if path else '<guide>'}: {key}"


def _strings(value: Any, path: Path | None, key: str, *, minimum: int = 0) -> tuple[str, ...]:
    if value is None:
        value = []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise GuideFormatError(f"{_where(path, key)} must be a list of non-empty strings")
    out = tuple(dict.fromkeys(v.strip() for v in value))
    if len(out) < minimum:
        raise GuideFormatError(f"{_where(path, key)} needs at least {minimum} entries, has {len(out)}")
    return out


def _statement(value: Any, path: Path | None, key: str) -> Statement:
    if isinstance(value, str):
        value = {"text": value}
    if not isinstance(value, dict) or set(value) - {"text", "basis"}:
        raise GuideFormatError(f"{_where(path, key)} must be a mapping with 'text' and optional 'basis'")
    text = value.get("text")
    if not isinstance(text, str) or not text.strip():
        raise GuideFormatError(f"{_where(path, key)}.text must be a non-empty string")
    return Statement(" ".join(text.split()), _strings(value.get("basis"), path, f"{key}.basis"))


def parse_guide(data: Any, *, path: Path | None = None, dispute_types: tuple[str, ...] = ()) -> Guide:
    """Check one guide's shape and build it; raises ``GuideFormatError`` naming the first problem."""
    if not isinstance(data, dict):
        raise GuideFormatError(f"{_where(path, 'top level')} must be a mapping")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise GuideFormatError(f"{_where(path, ', '.join(unknown))}: unknown key(s)")
    guide_id = data.get("id")
    if not isinstance(guide_id, str) or not _ID.match(guide_id):
        raise GuideFormatError(f"{_where(path, 'id')} must match {_ID.pattern}")
    if path is not None and path.stem != guide_id:
        raise GuideFormatError(f"{_where(path, 'id')} is {guide_id!r} but the file is named {path.name}")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise GuideFormatError(f"{_where(path, 'title')} must be a non-empty string")
    dispute_type = data.get("dispute_type")
    if not isinstance(dispute_type, str) or (dispute_types and dispute_type not in dispute_types):
        raise GuideFormatError(f"{_where(path, 'dispute_type')} must be one of {', '.join(dispute_types)}")
    summary = _statement(data.get("summary"), path, "summary")
    if len(summary.text) > SUMMARY_MAX_CHARS:
        raise GuideFormatError(
            f"{_where(path, 'summary')} has {len(summary.text)} characters; the first screen allows {SUMMARY_MAX_CHARS}"
        )
    sections: dict[str, tuple[Statement, ...]] = {}
    for name in SECTIONS:
        items = data.get(name)
        if not isinstance(items, list) or not items:
            raise GuideFormatError(f"{_where(path, name)} must be a non-empty list of statements")
        sections[name] = tuple(_statement(item, path, f"{name}[{i}]") for i, item in enumerate(items))
    return Guide(
        id=guide_id,
        title=title.strip(),
        dispute_type=dispute_type,
        triggers=_strings(data.get("triggers"), path, "triggers", minimum=MIN_TRIGGERS),
        articles=_strings(data.get("articles"), path, "articles", minimum=1),
        summary=summary,
        sections=sections,
        examples=_strings(data.get("examples"), path, "examples", minimum=MIN_EXAMPLES),
        laws=_strings(data.get("laws"), path, "laws"),
        path=path,
    )


def read_guide(path: Path, *, dispute_types: tuple[str, ...] = ()) -> Guide:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise GuideFormatError(f"{path.name}: cannot be read as YAML: {exc}") from exc
    return parse_guide(data, path=path, dispute_types=dispute_types)
