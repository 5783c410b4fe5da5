"""Segmenting the whole corpus, on every core: jieba is pure Python and the slowest part of a build."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from knowledge.tokenize import default_tokenizer
from knowledge.types import Document

_CHUNK = 2000


def _tokenize_chunk(texts: list[str]) -> list[list[str]]:
    return default_tokenizer().tokenize_many(texts)


def tokenize_corpus(texts: list[str], workers: int | None = None) -> list[list[str]]:
    workers = workers or os.cpu_count() or 1
    chunks = [texts[i : i + _CHUNK] for i in range(0, len(texts), _CHUNK)]
    if workers == 1 or len(chunks) == 1:
        return [toks for chunk in chunks for toks in _tokenize_chunk(chunk)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [toks for result in pool.map(_tokenize_chunk, chunks) for toks in result]


def document_texts(documents: Sequence[Document]) -> list[str]:
    """What the retrievers index of each document."""
    return [d.search_text or d.text for d in documents]
