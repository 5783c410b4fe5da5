"""Every article a guide cites must exist in the statute collection and be in force.

A wrong citation in front of a villager is worse than none, so this runs in the tests over every
guide file, and ``cunfa guides check`` runs it for a writer before a guide is committed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from knowledge.citations import normalize_citation
from knowledge.guides.model import Guide
from knowledge.repeal import in_force
from knowledge.types import Document


def statute_lookup(documents: Iterable[Document]) -> dict[str, Document]:
    """Normalised citation → article, for the statutes (newest version of each law) only."""
    return {normalize_citation(d.citation): d for d in documents if d.source == "statute"}


def citation_problems(guide: Guide, statutes: Mapping[str, Document]) -> list[str]:
    """One line per cited article that does not exist or belongs to a repealed law."""
    problems = []
    for ref in guide.cited():
        doc = statutes.get(normalize_citation(ref))
        if doc is None:
            problems.append(f"{guide.id}: {ref} is not an article of any law in force in the collection")
        elif not in_force(doc.title):
            problems.append(f"{guide.id}: {ref} belongs to a repealed law ({doc.title})")
    return problems


def resolve(ref: str, statutes: Mapping[str, Document]) -> Document | None:
    """The article a short citation names, when it exists and is in force."""
    doc = statutes.get(normalize_citation(ref))
    return doc if doc is not None and in_force(doc.title) else None
