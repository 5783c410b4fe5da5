"""Village rules: stored per village in the data directory, searchable at once.

``cunfa villages add`` and ``PUT /v1/villages/{id}/rules`` write ``<data_dir>/villages/<id>/``
and touch a version file. Every process searching the same data directory (API, action
server) notices the new version within ``REFRESH_SECONDS`` and re-indexes only the villages
whose files changed: a handful of clauses, milliseconds, no restart and no full rebuild.
"""

from __future__ import annotations

import builtins
import json
import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from knowledge.bank import (
    BankFormatError,
    ClauseQuestions,
    VillageTopic,
    clause_expansions,
    parse_village_bank,
    read_village_topics,
)
from knowledge.dense import DenseRetriever
from knowledge.errors import InvalidVillage, RulesFormatError
from knowledge.ingest.village_rules import parse_village_rules
from knowledge.tokenize import ChineseTokenizer
from knowledge.types import Document

VILLAGE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
REFRESH_SECONDS = 0.5
BM25_WEIGHT = 0.4
#: Single characters (不, 多, 要) are too common to tie a question to a clause on their own.
MIN_CONTENT_CHARS = 2
MAX_RULES_BYTES = 512 * 1024
#: A village's own questions for its clauses, beside ``rules.md``.
BANK_FILE = "bank.jsonl"


@dataclass(frozen=True)
class VillageInfo:
    village_id: str
    name: str
    title: str
    clauses: int
    updated_at: str
    sample: bool = False

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def validate_village_id(village_id: str) -> str:
    if not VILLAGE_ID.match(village_id or ""):
        raise InvalidVillage(
            f"village id must be 1-64 lowercase letters, digits, '-' or '_'. Currently, the id is {village_id!r}"
        )
    return village_id


class VillageStore:
    """Where village rules live; ``topics_file`` is the village topic bank every village's clauses share."""

    def __init__(self, root: Path, topics_file: Path | None = None) -> None:
        self.root = root
        self.topics_file = topics_file
        self._topics: tuple[int, builtins.list[VillageTopic]] = (-1, [])

    @property
    def version_file(self) -> Path:
        return self.root / ".version"

    def version(self) -> int:
        try:
            return self.version_file.stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    def put(self, village_id: str, name: str, rules_text: str, *, sample: bool = False) -> VillageInfo:
        """Validate, then replace one village's rules atomically; raises on bad input, writing nothing."""
        validate_village_id(village_id)
        name = (name or "").strip()
        if not name or len(name) > 64:
            raise InvalidVillage("village name must be 1-64 characters")
        if len(rules_text.encode("utf-8")) > MAX_RULES_BYTES:
            raise RulesFormatError(f"rules text is larger than {MAX_RULES_BYTES // 1024} KiB")
        title, docs = parse_village_rules(rules_text, village_id=village_id, village_name=name)
        info = VillageInfo(
            village_id=village_id,
            name=name,
            title=title,
            clauses=len(docs),
            updated_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            sample=sample,
        )
        directory = self.root / village_id
        directory.mkdir(parents=True, exist_ok=True)
        _atomic_write(directory / "rules.md", rules_text)
        _atomic_write(directory / "meta.json", json.dumps(info.to_dict(), ensure_ascii=False, indent=2))
        self.version_file.touch()
        os.utime(self.version_file, ns=(time.time_ns(), time.time_ns()))
        return info

    def get(self, village_id: str) -> VillageInfo | None:
        meta = self.root / village_id / "meta.json"
        if not meta.is_file():
            return None
        return VillageInfo(**json.loads(meta.read_text(encoding="utf-8")))

    def list(self) -> list[VillageInfo]:
        if not self.root.is_dir():
            return []
        infos = [self.get(p.name) for p in sorted(self.root.iterdir()) if p.is_dir()]
        return [i for i in infos if i is not None]

    def documents(self, village_id: str) -> builtins.list[Document]:
        info = self.get(village_id)
        if info is None:
            return []
        text = (self.root / village_id / "rules.md").read_text(encoding="utf-8")
        return parse_village_rules(text, village_id=village_id, village_name=info.name)[1]

    def stamp(self, village_id: str) -> int:
        """Changes when the village's rules, its own question bank or the topic bank change."""
        stamps = [_mtime(self.root / village_id / "meta.json"), _mtime(self.root / village_id / BANK_FILE)]
        if self.topics_file is not None:
            stamps.append(_mtime(self.topics_file))
        return max(stamps)

    def topics(self) -> builtins.list[VillageTopic]:
        """The topic bank, re-read when its file changes; empty without one."""
        if self.topics_file is None or not self.topics_file.is_file():
            return []
        stamp = _mtime(self.topics_file)
        if self._topics[0] != stamp:
            self._topics = (stamp, read_village_topics(self.topics_file))
        return self._topics[1]

    def put_bank(self, village_id: str, text: str) -> int:
        """Replace the village's own questions for its clauses ("咱村…"); searchable within seconds.

        Raises (writing nothing) for an unknown village, a bad line or a clause the rules do not have.
        """
        validate_village_id(village_id)
        clauses = [d.article for d in self.documents(village_id)]
        if not clauses:
            raise InvalidVillage(f"no village {village_id!r}; add its rules first (cunfa villages add)")
        if len(text.encode("utf-8")) > MAX_RULES_BYTES:
            raise BankFormatError(f"bank text is larger than {MAX_RULES_BYTES // 1024} KiB")
        entries = parse_village_bank(text, clauses, f"{village_id}/{BANK_FILE}")
        _atomic_write(self.root / village_id / BANK_FILE, text)
        os.utime(self.version_file, ns=(time.time_ns(), time.time_ns()))
        return len(entries)

    def own_bank(self, village_id: str, clauses: builtins.list[str]) -> builtins.list[ClauseQuestions]:
        """The village's own questions, for the clauses it still has (rules replaced later keep the file)."""
        path = self.root / village_id / BANK_FILE
        if not path.is_file():
            return []
        known = set(clauses)
        lines = [
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and json.loads(line).get("article") in known
        ]
        return parse_village_bank("\n".join(lines), clauses, f"{village_id}/{BANK_FILE}")


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


@dataclass
class _VillageIndex:
    stamp: int
    documents: list[Document]
    bm25: bm25s.BM25 | None
    embeddings: np.ndarray | None


class VillageRules:
    """Per-village search over rule clauses, refreshed from the store when it changes."""

    def __init__(self, store: VillageStore, tokenizer: ChineseTokenizer, dense: DenseRetriever | None) -> None:
        self.store, self.tokenizer, self.dense = store, tokenizer, dense
        self._indexes: dict[str, _VillageIndex] = {}
        self._seen_version = -1
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def refresh(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._checked_at < REFRESH_SECONDS:
            return
        with self._lock:
            self._checked_at = now
            version = self.store.version()
            if version == self._seen_version and not force:
                return
            current = {info.village_id for info in self.store.list()}
            for village_id in list(self._indexes):
                if village_id not in current:
                    del self._indexes[village_id]
            for village_id in current:
                stamp = self.store.stamp(village_id)
                cached = self._indexes.get(village_id)
                if cached is None or cached.stamp != stamp:
                    self._indexes[village_id] = self._build(stamp, village_id)
            self._seen_version = version

    def _build(self, stamp: int, village_id: str) -> _VillageIndex:
        """BM25 over each clause plus what the banks add to it; embeddings of the clause text alone."""
        documents = self.store.documents(village_id)
        own = self.store.own_bank(village_id, [d.article for d in documents])
        extra = clause_expansions(documents, self.store.topics(), own)
        tokens = [self.tokenizer.tokenize(d.search_text) or ["<empty>"] for d in documents]
        lexical = [t + self.tokenizer.tokenize(more) if more else t for t, more in zip(tokens, extra, strict=True)]
        model = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
        model.index(lexical, show_progress=False)
        embeddings = None
        if self.dense is not None:
            encoder = self.dense.encoder
            texts = [" ".join(t) for t in tokens] if encoder.pretokenize else [d.search_text for d in documents]
            embeddings = encoder.encode(texts, prepared=encoder.pretokenize)
        return _VillageIndex(stamp=stamp, documents=documents, bm25=model, embeddings=embeddings)

    def search(
        self, village_id: str, tokens: list[str], query_vector: np.ndarray | None, top_k: int
    ) -> list[tuple[Document, float]]:
        """Clauses sharing a content word with the query, by cosine + weighted normalised BM25."""
        self.refresh()
        index = self._indexes.get(village_id)
        if index is None or index.bm25 is None:
            return []
        known = [t for t in tokens if t in index.bm25.vocab_dict]
        # A clause qualifies only on a shared word of two characters or more: sharing "不" or
        # "多" made a wedding-banquet rule the top hit for a wage question (normalising by the
        # best clause turns any weak match into a full-weight one).
        content = [t for t in known if len(t) >= MIN_CONTENT_CHARS]
        if not content:
            return []
        qualifying = index.bm25.get_scores(content)
        if not qualifying.any():
            return []
        lexical = index.bm25.get_scores(known)
        fused = BM25_WEIGHT * lexical / lexical.max()
        if index.embeddings is not None and query_vector is not None:
            fused = fused + index.embeddings @ query_vector
        order = [i for i in np.argsort(-fused, kind="stable") if qualifying[i] > 0][:top_k]
        return [(index.documents[i], float(fused[i])) for i in order]


def seed_samples(store: VillageStore, samples_dir: Path) -> list[str]:
    """Add the shipped sample villages that the store does not have yet; returns the ids added."""
    manifest = samples_dir / "villages.json"
    if not manifest.is_file():
        return []
    added = []
    for entry in json.loads(manifest.read_text(encoding="utf-8")):
        if store.get(entry["id"]) is None:
            text = (samples_dir / entry["file"]).read_text(encoding="utf-8")
            store.put(entry["id"], entry["name"], text, sample=True)
            added.append(entry["id"])
    return added
