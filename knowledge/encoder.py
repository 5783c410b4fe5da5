"""The dense encoder at query time: any sentence-transformers model, or the one we build ourselves.

Our own encoder is trained offline (``knowledge.learn.encoder_training``); a deployment with
internet can instead name any model (``BAAI/bge-small-zh-v1.5``) in ``CUNFA_ENCODER``. A model
directory built here carries ``cunfa_encoder.json`` saying its input must be pre-segmented by
our jieba tokenizer; models without that file get raw text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.tokenize import ChineseTokenizer, default_tokenizer

MARKER_FILE = "cunfa_encoder.json"


class Encoder:
    """Wraps a SentenceTransformer so callers pass raw text whatever the model expects."""

    def __init__(self, model: Any, *, pretokenize: bool, name: str, tokenizer: ChineseTokenizer | None = None):
        self.model = model
        self.pretokenize = pretokenize
        self.name = name
        self._tokenizer = tokenizer or default_tokenizer()

    @property
    def dim(self) -> int:
        getter = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        return int(getter())

    def prepare(self, texts: Sequence[str]) -> list[str]:
        if not self.pretokenize:
            return list(texts)
        return [" ".join(self._tokenizer.tokenize(t)) for t in texts]

    def encode(self, texts: Sequence[str], *, batch_size: int = 256, prepared: bool = False) -> np.ndarray:
        """L2-normalised float32 embeddings, so inner product is cosine similarity."""
        inputs = list(texts) if prepared else self.prepare(texts)
        vectors = self.model.encode(
            inputs, batch_size=batch_size, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def load_encoder(name_or_path: str | Path) -> Encoder:
    """Load our own encoder directory or any sentence-transformers model by name or path."""
    # Imported here, not at the top: it pulls in torch (seconds), and every process that merely
    # names a knowledge error or type would pay for it.
    from sentence_transformers import SentenceTransformer

    path = Path(name_or_path)
    marker = path / MARKER_FILE
    pretokenize = marker.is_file() and json.loads(marker.read_text()).get("input") == "jieba"
    model = SentenceTransformer(str(name_or_path), device="cpu")
    return Encoder(model, pretokenize=pretokenize, name=str(name_or_path))
