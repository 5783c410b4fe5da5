"""Logging set-up shared by the CLI and the supervisor."""

from __future__ import annotations

import logging


def configure(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    for noisy in ("jax", "absl", "urllib3", "httpx", "bm25s", "jieba", "faiss", "datasets", "sentence_transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
