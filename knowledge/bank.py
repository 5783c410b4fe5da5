"""The villagers' question bank: everyday questions written for the statute articles people need.

Statute wording (劳动报酬, 承包经营权) shares few words with how people ask (工钱, 俺家地), and most
articles are cited by no FAQ, so only the text match can find them. The project writes the
missing bridge itself, from the statutes: for each article 2–4 questions a layperson would ask
whose answer rests on it, in varied voices, plus its everyday keywords (``data/bank/laws/``).

One JSON object per line, one file per law (a long law may be split into parts)::

    {"law": "中华人民共和国民法典", "article": "第一千零七十九条",
     "questions": ["俺想离婚他不同意 能去法院告不", "..."], "keywords": ["离婚", "起诉离婚"]}

The bank is used twice (``knowledge.recipe.BankRecipe``): as training pairs for our own encoder
and as document expansion, where an article's text for BM25 and the bigram index also holds its
questions and keywords (never shown to a resident; the citation text stays verbatim).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from knowledge.citations import normalize_citation
from knowledge.errors import KnowledgeError
from knowledge.repeal import in_force
from knowledge.types import Document

MIN_QUESTIONS = 2
MAX_QUESTIONS = 6
MAX_CHARS = 120


class BankFormatError(KnowledgeError):
    """A bank file that does not follow the format; the message names the file and line."""


@dataclass(frozen=True)
class BankEntry:
    law: str
    article: str
    questions: tuple[str, ...]
    keywords: tuple[str, ...]
    source: str = ""  # "file:line", for messages

    @property
    def citation(self) -> str:
        return f"{self.law}{self.article}"


def _strings(value: object, where: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise BankFormatError(f"{where}: {key} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _object(line: str, where: str) -> dict:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BankFormatError(f"{where}: not JSON ({exc.msg})") from exc
    if not isinstance(data, dict):
        raise BankFormatError(f"{where}: expected an object")
    return data


def _objects(text: str, name: str) -> Iterator[tuple[str, dict]]:
    """(``name:line``, object) for every non-blank line of a JSONL text."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            where = f"{name}:{number}"
            yield where, _object(line, where)


def parse_line(line: str, where: str) -> BankEntry:
    return _entry(_object(line, where), where)


def _entry(data: dict, where: str) -> BankEntry:
    unknown = set(data) - {"law", "article", "questions", "keywords"}
    if unknown:
        raise BankFormatError(f"{where}: unknown keys {sorted(unknown)}")
    law, article = data.get("law"), data.get("article")
    if not isinstance(law, str) or not law.strip() or not isinstance(article, str) or not article.strip():
        raise BankFormatError(f"{where}: law and article must be non-empty strings")
    questions = _strings(data.get("questions"), where, "questions")
    if not MIN_QUESTIONS <= len(questions) <= MAX_QUESTIONS:
        raise BankFormatError(f"{where}: {len(questions)} questions; write {MIN_QUESTIONS} to {MAX_QUESTIONS}")
    too_long = [q for q in questions if len(q) > MAX_CHARS]
    if too_long:
        raise BankFormatError(f"{where}: a question longer than {MAX_CHARS} characters: {too_long[0][:30]}…")
    keywords = _strings(data.get("keywords", []), where, "keywords")
    return BankEntry(law.strip(), article.strip(), questions, keywords, where)


def read_bank_file(path: Path) -> list[BankEntry]:
    return [_entry(data, where) for where, data in _objects(path.read_text(encoding="utf-8"), path.name)]


def bank_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.jsonl")) if directory.is_dir() else []


def load_bank(directory: Path) -> list[BankEntry]:
    """Every entry of every file under ``directory``, in a stable order; raises ``BankFormatError``."""
    return [entry for path in bank_files(directory) for entry in read_bank_file(path)]


def bank_digest(directory: Path) -> str:
    """Changes whenever a bank file is added, removed or edited (part of the index and encoder keys)."""
    digest = hashlib.sha256(b"cunfa-bank/1")
    for path in bank_files(directory):
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def bank_problems(entries: Iterable[BankEntry], statutes: Mapping[str, Document]) -> list[str]:
    """Entries naming an article that is not in the collection or not in force, and repeated entries."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    for entry in entries:
        key = normalize_citation(entry.citation)
        doc = statutes.get(key)
        if doc is None:
            problems.append(f"{entry.source}: {entry.citation} is not an article of any law in the collection")
        elif not in_force(doc.title):
            problems.append(f"{entry.source}: {entry.citation} belongs to a repealed law ({doc.title})")
        if key in seen:
            problems.append(f"{entry.source}: {entry.citation} already has questions at {seen[key]}")
        seen.setdefault(key, entry.source)
    return problems


def expansions(documents: Sequence[Document], entries: Sequence[BankEntry]) -> dict[int, str]:
    """Document index → the bank's questions and keywords for that article (statutes with bank entries only).

    Appended to what BM25 and the bigram index see of the article, never to the text a resident reads.
    """
    grouped = by_citation(entries)
    out = {}
    for i, doc in enumerate(documents):
        if doc.source == "statute":
            found = grouped.get(normalize_citation(doc.citation))
            if found:
                out[i] = " ".join(part for entry in found for part in (*entry.questions, *entry.keywords))
    return out


@dataclass(frozen=True)
class VillageTopic:
    """A topic village rules across the country share (红白事与彩礼, 秸秆焚烧 …), with how residents ask about it.

    ``clause_words`` are words a clause on the topic uses; a clause containing one gets the
    topic's keywords and questions in its searchable text. ``typical_clauses`` are generic clause
    sentences the encoder learns the questions against.
    """

    topic: str
    clause_words: tuple[str, ...]
    keywords: tuple[str, ...]
    questions: tuple[str, ...]
    typical_clauses: tuple[str, ...] = ()

    def matches(self, clause_text: str) -> bool:
        return any(word in clause_text for word in self.clause_words)


def read_village_topics(path: Path) -> list[VillageTopic]:
    """``data/bank/villages/topics.jsonl``; raises ``BankFormatError`` naming the line."""
    topics = []
    for where, data in _objects(path.read_text(encoding="utf-8"), path.name):
        if not isinstance(data.get("topic"), str) or not data["topic"].strip():
            raise BankFormatError(f"{where}: expected an object with a topic")
        topics.append(
            VillageTopic(
                topic=data["topic"].strip(),
                clause_words=_strings(data.get("clause_words"), where, "clause_words"),
                keywords=_strings(data.get("keywords"), where, "keywords"),
                questions=_strings(data.get("questions"), where, "questions"),
                typical_clauses=_strings(data.get("typical_clauses", []), where, "typical_clauses"),
            )
        )
    return topics


@dataclass(frozen=True)
class ClauseQuestions:
    """A village's own questions for one of its clauses ("咱村…"), written by the village committee."""

    article: str
    questions: tuple[str, ...]
    keywords: tuple[str, ...] = ()


def parse_village_bank(text: str, clauses: Iterable[str], name: str = "bank") -> list[ClauseQuestions]:
    """One JSON object per line, ``{"article": "第三条", "questions": [...], "keywords": [...]}``; every
    article must be a clause of the village (``clauses``). Raises ``BankFormatError``."""
    known = set(clauses)
    out = []
    for where, data in _objects(text, name):
        if set(data) - {"article", "questions", "keywords"}:
            raise BankFormatError(f"{where}: expected an object with article, questions and keywords only")
        article = data.get("article")
        if article not in known:
            raise BankFormatError(f"{where}: {article!r} is not a clause of this village's rules")
        questions = _strings(data.get("questions"), where, "questions")
        if not 1 <= len(questions) <= MAX_QUESTIONS or any(len(q) > MAX_CHARS for q in questions):
            raise BankFormatError(f"{where}: write 1 to {MAX_QUESTIONS} questions of at most {MAX_CHARS} characters")
        out.append(ClauseQuestions(str(article), questions, _strings(data.get("keywords", []), where, "keywords")))
    return out


def clause_expansions(
    clauses: Sequence[Document], topics: Sequence[VillageTopic], own: Sequence[ClauseQuestions] = ()
) -> list[str]:
    """Per clause, what its searchable text gains: the questions and keywords of the topics it is
    about, and the village's own questions for it."""
    mine: dict[str, list[str]] = {}
    for entry in own:
        mine.setdefault(entry.article, []).extend([*entry.questions, *entry.keywords])
    out = []
    for clause in clauses:
        parts = [p for topic in topics if topic.matches(clause.text) for p in (*topic.keywords, *topic.questions)]
        out.append(" ".join([*parts, *mine.get(clause.article, [])]))
    return out


def by_citation(entries: Sequence[BankEntry]) -> dict[str, list[BankEntry]]:
    """Normalised citation → its entries (one, once the bank checks clean)."""
    out: dict[str, list[BankEntry]] = {}
    for entry in entries:
        out.setdefault(normalize_citation(entry.citation), []).append(entry)
    return out
