"""Build, cache and load the knowledge index.

An index lives in ``<data_dir>/index/<key>/`` where ``key`` hashes every input (statute files,
FAQ file, tokenizer dictionaries, index format). ``make run`` therefore rebuilds only when an
input changed, and a process that loads the index always gets the one matching its inputs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.bigrams import BigramTokenizer
from knowledge.bm25 import BM25Retriever
from knowledge.dense import DenseRetriever
from knowledge.encoder import EncoderRecipe, build_static_encoder, faq_training_items, load_encoder
from knowledge.errors import IndexNotBuilt
from knowledge.fusion import Ranker
from knowledge.ingest import load_faqs, load_statutes
from knowledge.ingest.laws import iter_law_files
from knowledge.splits import SPLITS
from knowledge.tokenize import ChineseTokenizer, default_tokenizer
from knowledge.types import Document

logger = logging.getLogger(__name__)

INDEX_FORMAT = "cunfa-index/3"
#: ``encoder`` value that turns dense retrieval off (BM25 only).
NO_ENCODER = "none"
_CHUNK = 2000
RANKER_FILE = "ranker.json"
BIGRAMS_DIR = "bm25-bigrams"
#: What the service's own encoder learns from: every FAQ question (see ``knowledge.splits``).
SERVICE_SPLITS: tuple[str, ...] = SPLITS
TRAIN_ONLY: tuple[str, ...] = ("train",)


@dataclass(frozen=True)
class IndexInputs:
    """What an index is built from; its ``key`` names the cache directory."""

    laws_dir: Path
    faq_file: Path
    #: "" = the encoder this project builds itself; a name or path = any sentence-transformers model.
    encoder: str = ""
    recipe: EncoderRecipe = EncoderRecipe()

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
        from knowledge.ranker import recipe as ranker_recipe

        digest.update(json.dumps(ranker_recipe(), sort_keys=True).encode())
        if not self.encoder:
            digest.update(json.dumps(self.recipe.to_dict(), sort_keys=True).encode())
        return digest.hexdigest()[:16]

    def default_encoder_path(
        self,
        encoders_root: Path,
        tokenizer: ChineseTokenizer,
        fold: int | None = None,
        splits: Sequence[str] = TRAIN_ONLY,
    ) -> Path:
        """Where the self-built encoder lives.

        ``splits``: the FAQ splits it learns from; ``fold``: trained on ``train`` without that
        fold's questions (``knowledge.ranker``). Train-only encoders keep their earlier names.
        """
        recipe = hashlib.sha256(json.dumps(self.recipe.to_dict(), sort_keys=True).encode()).hexdigest()[:8]
        if fold is not None:
            suffix = f"-fold{fold}"
        else:
            suffix = "" if tuple(splits) == TRAIN_ONLY else "-" + "+".join(splits)
        return encoders_root / f"static-{self.corpus_key(tokenizer)}-{recipe}{suffix}"


def _tokenize_chunk(texts: list[str]) -> list[list[str]]:
    return default_tokenizer().tokenize_many(texts)


def tokenize_corpus(texts: list[str], workers: int | None = None) -> list[list[str]]:
    """Segment the corpus on every core: jieba is pure Python and the slowest part of a build."""
    workers = workers or os.cpu_count() or 1
    chunks = [texts[i : i + _CHUNK] for i in range(0, len(texts), _CHUNK)]
    if workers == 1 or len(chunks) == 1:
        return [toks for chunk in chunks for toks in _tokenize_chunk(chunk)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [toks for result in pool.map(_tokenize_chunk, chunks) for toks in result]


def index_path(index_root: Path, inputs: IndexInputs, tokenizer: ChineseTokenizer | None = None) -> Path:
    return index_root / inputs.key(tokenizer or default_tokenizer())


def ensure_encoder(
    inputs: IndexInputs,
    encoders_root: Path,
    docs: list[Document] | None = None,
    *,
    force: bool = False,
    fold: int | None = None,
    splits: Sequence[str] = SERVICE_SPLITS,
) -> str:
    """The encoder to use: a configured name/path as is, else our own, trained if missing.

    ``splits``: the FAQ splits our own encoder learns from (``knowledge.splits.learning_splits``;
    every split for the service). ``fold``: our own encoder trained on the train questions
    outside that fold (``knowledge.ranker``).
    """
    if inputs.encoder:
        return inputs.encoder
    tokenizer = default_tokenizer()
    if fold is not None:
        splits = TRAIN_ONLY
    target = inputs.default_encoder_path(encoders_root, tokenizer, fold, splits)
    if target.is_dir() and not force:
        return str(target)
    if docs is None:
        docs = load_statutes(inputs.laws_dir) + load_faqs(inputs.faq_file)
    statutes = [d for d in docs if d.source == "statute"]
    if fold is not None:
        from knowledge.ranker import fold_of

        docs = [d for d in docs if not (d.source == "faq" and fold_of(d.faq_id or "") == fold)]
    encoders_root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".training-", dir=encoders_root))
    try:
        started = time.perf_counter()
        build_static_encoder(statutes, faq_training_items(docs, splits), tmp, inputs.recipe, tokenizer)
        shutil.rmtree(tmp / ".trainer", ignore_errors=True)
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
        logger.info("trained encoder %s in %.0fs", target.name, time.perf_counter() - started)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return str(target)


def build_index(
    index_root: Path,
    inputs: IndexInputs,
    *,
    encoders_root: Path | None = None,
    force: bool = False,
    refit_ranker: bool = False,
) -> Path:
    """Build the index for ``inputs`` unless an identical one exists; returns its directory.

    The build writes into a temporary sibling and renames it into place, so a reader never sees
    a half-written index and two concurrent builds cannot corrupt each other.
    """
    tokenizer = default_tokenizer()
    target = index_path(index_root, inputs, tokenizer)
    if (target / "manifest.json").is_file() and not force and not refit_ranker:
        logger.info("index %s is up to date", target.name)
        return target
    started = time.perf_counter()
    docs = load_statutes(inputs.laws_dir) + load_faqs(inputs.faq_file)
    tokens = tokenize_corpus([d.search_text or d.text for d in docs])
    bm25 = BM25Retriever(tokenizer)
    bm25.fit(tokens)
    bigrams = BM25Retriever(BigramTokenizer())
    bigrams.fit(BigramTokenizer().tokenize_many([d.search_text or d.text for d in docs]))
    dense = None
    encoder_info: dict[str, Any] = {"name": NO_ENCODER}
    encoders_root = encoders_root or index_root.parent / "encoders"
    if inputs.encoder != NO_ENCODER:
        encoder_name = ensure_encoder(inputs, encoders_root, docs)
        encoder = load_encoder(encoder_name)
        dense = DenseRetriever(encoder)
        if encoder.pretokenize:
            dense.fit([" ".join(toks) for toks in tokens], prepared=True)
        else:
            dense.fit([d.search_text or d.text for d in docs])
        encoder_info = {"name": encoder_name, "pretokenize": encoder.pretokenize, "dim": encoder.dim}
    ranker = None
    if dense is not None:
        from knowledge.ranker import fit_index_ranker

        loaded = LoadedIndex(directory=target, manifest={}, documents=docs, bm25=bm25, dense=dense, bigrams=bigrams)
        ranker = fit_index_ranker(inputs, loaded, tokens, encoders_root, key=target.name, refit=refit_ranker)
    index_root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=index_root))
    try:
        bm25.save(tmp / "bm25")
        bigrams.save(tmp / BIGRAMS_DIR)
        if dense is not None:
            dense.save(tmp / "dense")
        if ranker is not None:
            ranker.save(tmp / RANKER_FILE)
        with (tmp / "documents.jsonl").open("w", encoding="utf-8") as fh:
            for doc in docs:
                fh.write(json.dumps(doc.to_dict(), ensure_ascii=False) + "\n")
        counts: dict[str, int] = {}
        for doc in docs:
            counts[doc.source] = counts.get(doc.source, 0) + 1
        manifest = {
            "format": INDEX_FORMAT,
            "key": target.name,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "build_seconds": round(time.perf_counter() - started, 1),
            "documents": counts,
            "inputs": {"laws_dir": str(inputs.laws_dir), "faq_file": str(inputs.faq_file)},
            "encoder": encoder_info,
            "retrievers": [bm25.to_dict(), bigrams.to_dict()] + ([dense.to_dict()] if dense else []),
            "ranker": ranker.info if ranker is not None else {"kind": "hand-weighted"},
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    logger.info("built index %s: %s in %.1fs", target.name, counts, manifest["build_seconds"])
    prune_indexes(index_root, keep={target.name})
    return target


def prune_indexes(index_root: Path, keep: set[str], spare: int = 1) -> list[str]:
    """Delete superseded index directories, keeping ``keep`` and the ``spare`` newest others.

    Every input change makes a new ~140 MB directory. A running service has its index in
    memory (nothing is memory-mapped), so removing files under it is safe; one spare is kept so
    that switching back to the previous inputs does not rebuild.
    """
    built = [
        p
        for p in index_root.iterdir()
        if p.is_dir() and not p.name.startswith(".") and p.name not in keep and (p / "manifest.json").is_file()
    ]
    built.sort(key=lambda p: (p / "manifest.json").stat().st_mtime, reverse=True)
    removed = []
    for old in built[spare:]:
        shutil.rmtree(old, ignore_errors=True)
        removed.append(old.name)
    if removed:
        logger.info("removed superseded indexes: %s", ", ".join(removed))
    return removed


@dataclass
class LoadedIndex:
    directory: Path
    manifest: dict[str, Any]
    documents: list[Document]
    bm25: BM25Retriever
    dense: DenseRetriever | None = None
    #: the fitted fusion (``ranker.json``); None for an index without one (hand weights are used)
    ranker: Ranker | None = None
    #: BM25 over character bigrams (``knowledge.bigrams``), a ranker feature
    bigrams: BM25Retriever | None = None
    #: per-document arrays derived once and shared by every view of this index
    shared: dict[str, Any] = field(default_factory=dict)

    def with_dense(self, dense: DenseRetriever) -> LoadedIndex:
        """The same documents and BM25 under another encoder's embeddings (a held-out view)."""
        view = LoadedIndex(
            directory=self.directory,
            manifest={},
            documents=self.documents,
            bm25=self.bm25,
            dense=dense,
            bigrams=self.bigrams,
        )
        view.shared = self.shared
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
