"""Parse the Markdown statute collection into one ``Document`` per article.

File format (see ``shared/data/README.md``): ``# <official title>``, an optional ``# <part>``
line (a code split by book), dated history lines, ``<!-- INFO END -->``, then the body with
``##``/``###`` headings and articles that start a line with ``第N条`` followed by a space. An
article runs over every following paragraph until the next article or heading, so
multi-paragraph articles stay whole, and ``第N条之一`` is an article of its own.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from knowledge.citations import canonical_citation, normalize_title, version_key
from knowledge.types import Document

logger = logging.getLogger(__name__)

INFO_END = "<!-- INFO END -->"
_NUM = "零〇一二三四五六七八九十百千万两0-9０-９"
ARTICLE_START = re.compile(rf"^(第[{_NUM}]+条(?:之[{_NUM}]+)?)[ \u3000\t]+(.*)$")
_FILE_DATE = re.compile(r"\((\d{4})-(\d{2})-(\d{2})\)\s*$")
_TEXT_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


@dataclass
class LawFile:
    """One parsed file: its identity, its version date and its articles in order."""

    path: Path
    title: str
    part: str | None
    version_date: date | None
    articles: list[tuple[str, str]] = field(default_factory=list)

    @property
    def group_key(self) -> tuple[str, str]:
        """Files with the same key are versions of the same law (or the same book of a code)."""
        return (version_key(self.title), self.part or "")


def _file_date(path: Path, header: list[str]) -> date | None:
    """The version date: the one in the file name, else the latest date in the history lines."""
    match = _FILE_DATE.search(path.stem.replace("（", "(").replace("）", ")"))
    if match:
        return date(*map(int, match.groups()))
    found = []
    for line in header:
        for y, m, d in _TEXT_DATE.findall(line):
            try:
                found.append(date(int(y), int(m), int(d)))
            except ValueError:
                continue
    return max(found) if found else None


def parse_law_file(path: Path) -> LawFile | None:
    """Parse one statute file; ``None`` for files that are not statutes (indexes, no INFO END)."""
    raw = path.read_text(encoding="utf-8")
    if INFO_END not in raw:
        return None
    head, body = raw.split(INFO_END, 1)
    header = [line.strip() for line in head.splitlines() if line.strip()]
    titles = [line[1:].strip() for line in header if line.startswith("# ")]
    if not titles:
        return None
    law = LawFile(
        path=path,
        title=titles[0],
        part=titles[1] if len(titles) > 1 else None,
        version_date=_file_date(path, header),
    )
    current: str | None = None
    paragraphs: list[str] = []

    def flush() -> None:
        if current is not None:
            law.articles.append((current, "\n\n".join(paragraphs)))

    for line in body.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            flush()
            current, paragraphs = None, []
            continue
        match = ARTICLE_START.match(stripped)
        if match:
            flush()
            current, paragraphs = match.group(1), [match.group(2).strip()]
        elif current is not None:
            paragraphs.append(stripped)
    flush()
    return law


def select_current_versions(files: Iterable[LawFile]) -> list[LawFile]:
    """Keep only the newest version of each law; a superseded version must never be cited.

    Undated files lose to dated ones; among equals the later path wins, which keeps the choice
    deterministic.
    """
    best: dict[tuple[str, str], LawFile] = {}
    for law in files:
        key = law.group_key
        other = best.get(key)
        rank = (law.version_date or date.min, str(law.path))
        if other is None or rank > (other.version_date or date.min, str(other.path)):
            best[key] = law
    return sorted(best.values(), key=lambda law: str(law.path))


def iter_law_files(laws_dir: Path) -> Iterator[Path]:
    """Every Markdown file under the collection, in a stable order."""
    yield from sorted(p for p in laws_dir.rglob("*.md") if p.name != "_index.md")


def law_documents(law: LawFile) -> Iterator[Document]:
    """Documents of one law, with a doc_id that stays unique even if an article number repeats."""
    seen: dict[str, int] = {}
    norm = normalize_title(law.title)
    for article, text in law.articles:
        if not text:
            continue
        n = seen[article] = seen.get(article, 0) + 1
        doc_id = f"statute:{norm}:{article}" + (f"#{n}" if n > 1 else "")
        if n > 1:
            logger.debug("repeated article %s in %s", article, law.path)
        yield Document(
            doc_id=doc_id,
            source="statute",
            citation=canonical_citation(law.title, article),
            title=law.title,
            article=article,
            text=text,
            search_text=f"{norm} {text}",
            extra={"part": law.part} if law.part else {},
        )


def load_statutes(laws_dir: Path) -> list[Document]:
    """All articles of the laws in force under ``laws_dir``."""
    if not laws_dir.is_dir():
        raise FileNotFoundError(f"laws directory not found: {laws_dir} (set CUNFA_LAWS_DIR)")
    parsed = [law for p in iter_law_files(laws_dir) if (law := parse_law_file(p)) is not None]
    current = select_current_versions(parsed)
    logger.info("statutes: %d files, %d in force", len(parsed), len(current))
    return [doc for law in current for doc in law_documents(law)]
