"""Where our own encoders live and training them when missing (the service's, held-out views', folds')."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from knowledge.bank import load_bank, read_village_topics
from knowledge.index import SERVICE_SPLITS, IndexInputs
from knowledge.ingest import load_faqs, load_statutes
from knowledge.learn.encoder_training import build_static_encoder, faq_training_items
from knowledge.splits import fold_of
from knowledge.tokenize import ChineseTokenizer, default_tokenizer
from knowledge.types import Document

logger = logging.getLogger(__name__)

TRAIN_ONLY: tuple[str, ...] = ("train",)


def encoder_path(
    inputs: IndexInputs,
    encoders_root: Path,
    tokenizer: ChineseTokenizer,
    fold: int | None = None,
    splits: Sequence[str] = TRAIN_ONLY,
) -> Path:
    """Where the self-built encoder for ``inputs`` lives.

    ``splits``: the FAQ splits it learns from; ``fold``: trained on ``train`` without that
    fold's questions (``knowledge.learn.ranker_fitting``). Train-only encoders keep their earlier names.
    """
    recipe = hashlib.sha256(json.dumps(inputs.recipe.to_dict(), sort_keys=True).encode()).hexdigest()[:8]
    if fold is not None:
        suffix = f"-fold{fold}"
    else:
        suffix = "" if tuple(splits) == TRAIN_ONLY else "-" + "+".join(splits)
    if inputs.bank_training_key():
        suffix += f"-bank{inputs.bank_training_key()}"
    return encoders_root / f"static-{inputs.corpus_key(tokenizer)}-{recipe}{suffix}"


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
    outside that fold.
    """
    if inputs.encoder:
        return inputs.encoder
    tokenizer = default_tokenizer()
    if fold is not None:
        splits = TRAIN_ONLY
    target = encoder_path(inputs, encoders_root, tokenizer, fold, splits)
    if target.is_dir() and not force:
        return str(target)
    if docs is None:
        docs = load_statutes(inputs.laws_dir) + load_faqs(inputs.faq_file)
    statutes = [d for d in docs if d.source == "statute"]
    if fold is not None:
        docs = [d for d in docs if not (d.source == "faq" and fold_of(d.faq_id or "") == fold)]
    encoders_root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".training-", dir=encoders_root))
    try:
        started = time.perf_counter()
        bank, topics = [], []
        if inputs.bank.train and inputs.bank_dir is not None:
            bank = load_bank(inputs.bank_dir)
            if inputs.village_topics is not None and inputs.village_topics.is_file():
                topics = read_village_topics(inputs.village_topics)
        items = faq_training_items(docs, splits)
        build_static_encoder(
            statutes, items, tmp, inputs.recipe, tokenizer, bank=bank, topics=topics, bank_repeats=inputs.bank.repeats
        )
        shutil.rmtree(tmp / ".trainer", ignore_errors=True)
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
        logger.info("trained encoder %s in %.0fs", target.name, time.perf_counter() - started)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return str(target)
