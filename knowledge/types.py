"""The two shapes every part of the knowledge base speaks: what is indexed, and what is found."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SOURCES: tuple[str, ...] = ("statute", "village_rule", "faq")


@dataclass(frozen=True)
class Document:
    """One citable unit: a statute article, a village-rule clause or a FAQ entry.

    ``text`` is kept exactly as in the source file so that what we quote is what the law says;
    ``search_text`` is what the retrievers see (it may add the title or the FAQ question).
    """

    doc_id: str
    source: str
    citation: str
    title: str
    article: str
    text: str
    search_text: str = ""
    village_id: str | None = None
    faq_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        return cls(**data)


@dataclass(frozen=True)
class Hit:
    """A search result in the public contract shape (see README, "Search")."""

    source: str
    citation: str
    title: str
    article: str
    text: str
    score: float
    village_id: str | None = None
    faq_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_document(cls, doc: Document, score: float) -> Hit:
        return cls(
            source=doc.source,
            citation=doc.citation,
            title=doc.title,
            article=doc.article,
            text=doc.text,
            score=float(score),
            village_id=doc.village_id,
            faq_id=doc.faq_id,
            extra=dict(doc.extra),
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: optional keys appear only for the sources they belong to."""
        data: dict[str, Any] = {
            "source": self.source,
            "citation": self.citation,
            "title": self.title,
            "article": self.article,
            "text": self.text,
            "score": round(self.score, 4),
        }
        if self.source == "village_rule":
            data["village_id"] = self.village_id
        if self.source == "faq":
            data["faq_id"] = self.faq_id
            data.update(self.extra)
        return data
