"""Finding and loading the knowledge index (building it is ``knowledge.learn.index_build``).

An index lives in ``<data_dir>/index/<key>/`` where ``key`` hashes every input: the statute
files, the FAQ file, the tokenizer's dictionaries and everything in ``knowledge.recipe``. ``make
run`` therefore rebuilds only when an input changed, and a process that loads the index always
gets the one matching its inputs.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.bank import bank_digest, bank_files
from knowledge.bigrams import BigramTokenizer
from knowledge.bm25 import BM25Retriever
from knowledge.dense import DenseRetriever
from knowledge.encoder import load_encoder
from knowledge.errors import IndexNotBuilt
from knowledge.fusion import Ranker
from knowledge.hybrid import LawNames
from knowledge.ingest.laws import iter_law_files
from knowledge.recipe import BANK, ENCODER, INDEX_FORMAT, BankRecipe, EncoderRecipe, file_digest, index_recipe
from knowledge.splits import SPLITS
from knowledge.tokenize import ChineseTokenizer, default_tokenizer
from knowledge.types import Document

#: ``encoder`` value that turns dense retrieval off (BM25 only).
NO_ENCODER = "none"
RANKER_FILE = "ranker.json"
BIGRAMS_DIR = "bm25-bigrams"
#: What the service's own encoder learns from: every FAQ question (see ``knowledge.splits``).
SERVICE_SPLITS: tuple[str, ...] = SPLITS


@dataclass(frozen=True)
class IndexInputs:
    """What an index is built from; its ``key`` names the cache directory."""

    laws_dir: Path
    faq_file: Path
    #: "" = the encoder this project builds itself; a name or path = any sentence-transformers model.
    encoder: str = ""
    recipe: EncoderRecipe = ENCODER
    #: the villagers' question bank (``knowledge.bank``) and how it is used
    bank_dir: Path | None = None
    bank: BankRecipe = BANK
    #: the village topic bank; with ``bank.train`` its questions also teach our own encoder
    village_topics: Path | None = None

    def has_bank(self) -> bool:
        """A bank directory with at least one file: an empty or missing one is no bank (same keys as none)."""
        return self.bank_dir is not None and bool(bank_files(self.bank_dir))

    def bank_training_key(self) -> str:
        """What our own encoder learns from the bank: its contents and the repeats, not the expansion switch."""
        if not self.bank.train or self.bank_dir is None or not self.has_bank():
            return ""
        topics = file_digest(self.village_topics) if self.village_topics is not None else "none"
        text = f"{self.bank.repeats}/{bank_digest(self.bank_dir)}/{topics}"
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def bank_key(self) -> str:
        """ "" without the bank; else its recipe and the contents of every bank file."""
        if not self.bank.used or self.bank_dir is None or not self.has_bank():
            return ""
        recipe = json.dumps(self.bank.to_dict(), sort_keys=True)
        text = f"{recipe}/{bank_digest(self.bank_dir)}/{self.bank_training_key()}"
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def corpus_key(self, tokenizer: ChineseTokenizer) -> str:
        """Hash of the texts and tokenisation alone (what the self-built encoder learns from)."""
        digest = hashlib.sha256(INDEX_FORMAT.encode())
        digest.update(tokenizer.fingerprint().encode())
        if not self.laws_dir.is_dir():
            raise FileNotFoundError(f"laws directory not found: {self.laws_dir} (set CUNFA_LAWS_DIR)")
        for path in iter_law_files(self.laws_dir):
            digest.update(str(path.relative_to(self.laws_dir)).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        if not self.faq_file.is_file():
            raise FileNotFoundError(f"FAQ file not found: {self.faq_file} (set CUNFA_FAQ_FILE)")
        digest.update(hashlib.sha256(self.faq_file.read_bytes()).digest())
        return digest.hexdigest()[:16]

    def key(self, tokenizer: ChineseTokenizer) -> str:
        digest = hashlib.sha256(self.corpus_key(tokenizer).encode())
        digest.update(f"encoder={self.encoder}".encode())
        if not self.encoder:
            digest.update(f"learns={'+'.join(SERVICE_SPLITS)}".encode())
        recipe = index_recipe(self.recipe, own_encoder=not self.encoder)
        digest.update(json.dumps(recipe, sort_keys=True).encode())
        if self.bank_key():  # without the bank the key stays what it was
            digest.update(f"bank={self.bank_key()}".encode())
        return digest.hexdigest()[:16]


def index_path(index_root: Path, inputs: IndexInputs, tokenizer: ChineseTokenizer | None = None) -> Path:
    return index_root / inputs.key(tokenizer or default_tokenizer())


@dataclass
class LoadedIndex:
    directory: Path
    manifest: dict[str, Any]
    documents: list[Document]
    bm25: BM25Retriever[ChineseTokenizer]
    dense: DenseRetriever | None = None
    #: the fitted fusion (``ranker.json``); None for an index without one (hand weights are used)
    ranker: Ranker | None = None
    #: BM25 over character bigrams (``knowledge.bigrams``), a ranker feature
    bigrams: BM25Retriever[BigramTokenizer] | None = None
    #: which law each statute belongs to; derived once, shared by every view of this index
    law_names: LawNames = field(init=False)
    #: log(1 + characters) of every document, the ``length`` feature
    lengths: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.law_names = LawNames(self.documents)
        self.lengths = np.log1p(np.array([len(d.text) for d in self.documents], dtype=np.float32))

    def with_dense(self, dense: DenseRetriever) -> LoadedIndex:
        """The same documents and BM25 under another encoder's embeddings (a held-out view).

        A shallow copy: the documents, retrievers and derived arrays are shared, not rebuilt.
        """
        view = copy.copy(self)
        view.manifest, view.dense, view.ranker = {}, dense, None
        return view


def load_index(directory: Path) -> LoadedIndex:
    """Load a built index; raises ``IndexNotBuilt`` naming the command that builds it."""
    manifest_file = directory / "manifest.json"
    if not manifest_file.is_file():
        raise IndexNotBuilt(f"no knowledge index at {directory}; run `cunfa index build` (or `make index`)")
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    with (directory / "documents.jsonl").open(encoding="utf-8") as fh:
        documents = [Document.from_dict(json.loads(line)) for line in fh]
    bm25 = BM25Retriever(default_tokenizer())
    bm25.load(directory / "bm25", size=len(documents))
    dense = None
    encoder_name = manifest.get("encoder", {}).get("name", NO_ENCODER)
    if encoder_name != NO_ENCODER:
        dense = DenseRetriever(load_encoder(encoder_name))
        dense.load(directory / "dense")
    bigrams = None
    if (directory / BIGRAMS_DIR).is_dir():
        bigrams = BM25Retriever(BigramTokenizer())
        bigrams.load(directory / BIGRAMS_DIR, size=len(documents))
    ranker = Ranker.load(directory / RANKER_FILE) if (directory / RANKER_FILE).is_file() else None
    return LoadedIndex(
        directory=directory,
        manifest=manifest,
        documents=documents,
        bm25=bm25,
        dense=dense,
        ranker=ranker,
        bigrams=bigrams,
    )
