"""A fixed split of the FAQ questions into train / dev / test.

The split is a pure function of the question id (a salted hash), so it is the same on every
machine and for every command: the encoder trains only on ``train``, fusion weights are tuned
on ``dev``, and ``cunfa eval retrieval`` reports on ``test``, which nothing ever learns from.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from knowledge.recipe import RANKER, SPLIT_SALT

Split = Literal["train", "dev", "test"]


def _bucket(salt: str, faq_id: str, buckets: int) -> int:
    return int.from_bytes(hashlib.sha256(salt.encode() + str(faq_id).encode()).digest()[:4], "big") % buckets


def split_of(faq_id: str) -> Split:
    bucket = _bucket(SPLIT_SALT, faq_id, 100)
    if bucket < 70:
        return "train"
    if bucket < 80:
        return "dev"
    return "test"


SPLITS: tuple[Split, ...] = ("train", "dev", "test")


def learning_splits(held_out: Split | None) -> tuple[Split, ...]:
    """The FAQ splits an encoder may learn from when ``held_out`` is being evaluated.

    Evaluating on ``dev`` (where choices are made) needs a model that learned from ``train``
    alone. Evaluating on ``test`` uses one that learned from ``train`` and ``dev``: the usual
    refit on everything but the test data once the choices are made. The service (``None``)
    learns from every answered question, since residents' new questions are held out by nature.
    """
    if held_out is None:
        return SPLITS
    if held_out == "dev":
        return ("train",)
    if held_out == "test":
        return ("train", "dev")
    raise ValueError(f"unknown split {held_out!r}; expected dev or test")


def fold_of(faq_id: str) -> int:
    """The cross-validation fold of a train question (``knowledge.learn.ranker_fitting``)."""
    return _bucket(RANKER.fold_salt, faq_id, RANKER.folds)
