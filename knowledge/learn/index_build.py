"""Building the knowledge index for a set of inputs, once (``cunfa index build``, ``make index``).

The build writes into a temporary sibling and renames it into place, so a reader never sees
a half-written index and two concurrent builds cannot corrupt each other.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from knowledge.bank import expansions, load_bank
from knowledge.bigrams import BigramTokenizer
from knowledge.bm25 import BM25Retriever
from knowledge.dense import DenseRetriever
from knowledge.encoder import load_encoder
from knowledge.fusion import Ranker
from knowledge.index import BIGRAMS_DIR, NO_ENCODER, RANKER_FILE, IndexInputs, LoadedIndex, index_path
from knowledge.ingest import load_faqs, load_statutes
from knowledge.learn.corpus import document_texts, tokenize_corpus
from knowledge.learn.encoders import ensure_encoder
from knowledge.learn.ranker_fitting import fit_index_ranker
from knowledge.recipe import INDEX_FORMAT
from knowledge.tokenize import default_tokenizer

logger = logging.getLogger(__name__)


def build_index(
    index_root: Path,
    inputs: IndexInputs,
    *,
    encoders_root: Path | None = None,
    force: bool = False,
    refit_ranker: bool = False,
    fit_ranker: bool = True,
) -> Path:
    """Build the index for ``inputs`` unless an identical one exists; returns its directory.

    ``fit_ranker=False`` skips fitting a ranker when none was shipped for this key (minutes): the
    index then ranks by hand weights unless a caller passes a ranker (``bench/question_bank.py``
    compares variants under one ranker that way).
    """
    tokenizer = default_tokenizer()
    target = index_path(index_root, inputs, tokenizer)
    if (target / "manifest.json").is_file() and not force and not refit_ranker:
        logger.info("index %s is up to date", target.name)
        return target
    started = time.perf_counter()
    docs = load_statutes(inputs.laws_dir) + load_faqs(inputs.faq_file)
    texts = document_texts(docs)
    tokens = tokenize_corpus(texts)
    lexical, pairs = list(tokens), BigramTokenizer().tokenize_many(texts)
    bank_info: dict[str, Any] = {"used": False}
    if inputs.bank.used and inputs.bank_dir is not None and inputs.has_bank():
        bank = load_bank(inputs.bank_dir)
        bank_info = {**inputs.bank.to_dict(), "used": True, "articles": len(bank), "key": inputs.bank_key()}
        if inputs.bank.expand:
            extra = expansions(docs, bank)
            ids = sorted(extra)
            for i, words in zip(ids, tokenize_corpus([extra[i] for i in ids]), strict=True):
                lexical[i] = lexical[i] + words
                pairs[i] = pairs[i] + BigramTokenizer().tokenize(extra[i])
            bank_info["expanded_articles"] = len(ids)
    bm25 = BM25Retriever(tokenizer)
    bm25.fit(lexical)
    bigrams = BM25Retriever(BigramTokenizer())
    bigrams.fit(pairs)
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
            dense.fit(texts)
        encoder_info = {"name": encoder_name, "pretokenize": encoder.pretokenize, "dim": encoder.dim}
    ranker: Ranker | None = None
    if dense is not None:
        loaded = LoadedIndex(directory=target, manifest={}, documents=docs, bm25=bm25, dense=dense, bigrams=bigrams)
        ranker = fit_index_ranker(
            inputs, loaded, tokens, encoders_root, key=target.name, refit=refit_ranker, fit=fit_ranker
        )
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
            "bank": bank_info,
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
