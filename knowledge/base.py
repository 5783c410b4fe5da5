"""``KnowledgeBase``: the one object the API and the actions search through."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import numpy as np

from cunfa.settings import Settings
from knowledge.citations import normalize_citation
from knowledge.errors import InvalidQuery, UnknownSource
from knowledge.fusion import Ranker
from knowledge.hybrid import MODES, FaqEvidence, HybridRetriever, Mode
from knowledge.index import IndexInputs, LoadedIndex, index_path, load_index
from knowledge.query import PreparedQuery
from knowledge.recipe import FEATURES
from knowledge.types import SOURCES, Hit
from knowledge.villages import VillageRules, VillageStore

logger = logging.getLogger(__name__)

MAX_K = 100


class KnowledgeBase:
    """Search over statutes, FAQs and village rules with source and village filters.

    A village-rule hit is only ever returned for its own village: without a ``village_id`` no
    rule is returned at all.
    """

    def __init__(
        self,
        index: LoadedIndex,
        *,
        ranker: Ranker | None = None,
        faq_ids: set[str] | None = None,
        villages: VillageStore | None = None,
    ) -> None:
        """``faq_ids`` limits which FAQ entries exist for this view (evaluation hides held-out ones);
        ``villages`` is where village rules live (none are searchable without it); ``ranker``
        replaces the index's own fitted ranker (else the hand-weighted one when it has none)."""
        self.index = index
        self.village_store = villages
        self.villages = VillageRules(villages, index.bm25.tokenizer, index.dense) if villages else None
        docs = index.documents
        source = np.array([d.source for d in docs])
        self._source_masks = {s: (source == s).astype(np.float32) for s in SOURCES}
        if faq_ids is not None:
            allowed = np.array([d.source == "faq" and d.faq_id in faq_ids for d in docs], dtype=np.float32)
            self._source_masks["faq"] = allowed
        ranker = ranker or index.ranker or Ranker.hand_weighted(FEATURES)
        evidence = FaqEvidence.build(docs, self._source_masks["faq"], index.law_names)
        self.retriever = HybridRetriever(
            index.bm25, index.dense, evidence, ranker, index.law_names, index.lengths, bigrams=index.bigrams
        )
        self._articles = {normalize_citation(d.citation): i for i, d in enumerate(docs) if d.source == "statute"}
        # Load jieba's dictionary now rather than inside the first resident's request.
        index.bm25.tokenizer.tokenize("预热")

    def restricted_to_faqs(self, faq_ids: set[str], ranker: Ranker | None = None) -> KnowledgeBase:
        """A view of the same index in which only ``faq_ids`` exist (shares all arrays)."""
        return KnowledgeBase(
            self.index, ranker=ranker or self.retriever.ranker, faq_ids=faq_ids, villages=self.village_store
        )

    @property
    def faq_ids(self) -> set[str]:
        """The FAQ entries that exist in this view."""
        docs = self.index.documents
        return {docs[i].faq_id for i in np.flatnonzero(self._source_masks["faq"]) if docs[i].faq_id}

    @property
    def modes(self) -> tuple[str, ...]:
        return MODES if self.index.dense is not None else ("bm25",)

    @classmethod
    def from_directory(
        cls, directory: Path, villages: Path | None = None, village_topics: Path | None = None
    ) -> KnowledgeBase:
        store = VillageStore(villages, topics_file=village_topics) if villages else None
        return cls(load_index(directory), villages=store)

    @classmethod
    def from_settings(cls, settings: Settings) -> KnowledgeBase:
        directory = index_path(settings.index_dir, index_inputs(settings))
        return cls.from_directory(directory, settings.villages_dir, settings.village_topics_file)

    @property
    def manifest(self) -> dict:
        return self.index.manifest

    def mask(self, source: str | None) -> np.ndarray:
        """Weight 1 for the documents of ``source`` in this view (statutes and FAQs for None), else 0."""
        if source is not None and source not in SOURCES:
            raise UnknownSource(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
        if source is None:
            return self._source_masks["statute"] + self._source_masks["faq"]
        return self._source_masks[source]

    def article(self, citation: str) -> Hit | None:
        """The statute article a citation names ("民法典第一千零七十九条", any title spelling), if indexed."""
        i = self._articles.get(normalize_citation(citation))
        return None if i is None else Hit.from_document(self.index.documents[i], 0.0)

    def prepare(self, text: str, *, encode: bool = True) -> PreparedQuery:
        """``text`` segmented and encoded once; pass it to every ``search`` for the same question."""
        return self.retriever.prepare(text, encode=encode)

    def _rule_hits(self, query: PreparedQuery, village_id: str, k: int) -> list[Hit]:
        if self.villages is None:
            return []
        dense = self.index.dense
        vector = dense.vector(query) if dense is not None else None
        found = self.villages.search(village_id, query.tokens, vector, k)
        return [Hit.from_document(doc, score) for doc, score in found]

    def search(
        self,
        query: str | PreparedQuery,
        *,
        k: int = 10,
        source: str | None = None,
        village_id: str | None = None,
        mode: Mode = "hybrid",
    ) -> list[Hit]:
        """The ``k`` best hits for ``query``; raises ``InvalidQuery`` for empty text or bad ``k``.

        ``query``: the text, or ``prepare(text)`` when one question is searched more than once.
        """
        if isinstance(query, str):
            if not query or not query.strip():
                raise InvalidQuery("query must not be empty")
        if not 1 <= k <= MAX_K:
            raise InvalidQuery(f"k must be between 1 and {MAX_K}. Currently, the k is {k}")
        if mode not in self.modes:
            raise InvalidQuery(f"mode must be one of {', '.join(self.modes)}. Currently, the mode is {mode!r}")
        mask = self.mask(source)
        prepared = self.prepare(query, encode=mode != "bm25") if isinstance(query, str) else query
        hits = self._rule_hits(prepared, village_id, k) if village_id and source in (None, "village_rule") else []
        if source != "village_rule":
            ranked = self.retriever.run(prepared, top_k=k, mask=mask, mode=mode)
            hits += [Hit.from_document(self.index.documents[i], score) for i, score in ranked]
        return sorted(hits, key=lambda h: -h.score)[:k]


_shared: dict[tuple[str, ...], KnowledgeBase] = {}
_lock = threading.Lock()


def index_inputs(settings: Settings) -> IndexInputs:
    return IndexInputs(
        laws_dir=settings.laws_dir,
        faq_file=settings.faq_file,
        encoder=settings.encoder,
        bank_dir=settings.bank_dir,
        village_topics=settings.village_topics_file,
    )


def shared_knowledge_base(settings: Settings) -> KnowledgeBase:
    """One loaded index per process and configuration, loaded on first use (not at import).

    Keyed by the settings rather than the index key: computing the key hashes the whole corpus
    (~90 ms), which must not happen on every resident's question.
    """
    parts = (
        settings.index_dir,
        settings.laws_dir,
        settings.faq_file,
        settings.encoder,
        settings.villages_dir,
        settings.village_topics_file,
        settings.bank_dir,
    )
    key = tuple(str(part) for part in parts)
    with _lock:
        if key not in _shared:
            directory = index_path(settings.index_dir, index_inputs(settings))
            _shared[key] = KnowledgeBase.from_directory(directory, settings.villages_dir, settings.village_topics_file)
        return _shared[key]
