"""Training our own encoder, offline: no pretrained Chinese model can be downloaded where Cunfa is built.

``build_static_encoder`` trains a sentence-transformers ``StaticEmbedding`` (one vector per jieba
word, mean-pooled) with ``MultipleNegativesRankingLoss`` on
  * FAQ questions → the statute articles their lawyers cited, and → the lawyers' answers
    (the service's encoder learns from every FAQ; the ones evaluated on ``dev`` and ``test``
    never see those questions, see ``knowledge.splits.learning_splits``), and
  * FAQ question → another train question whose answer cites the same article (5 each), and
  * self-supervised pairs: the first half of every statute article → its second half,
which teaches the everyday-words → statutory-words bridge that BM25 lacks. The result is read by
``knowledge.encoder.load_encoder`` like any other sentence-transformers model.
"""

from __future__ import annotations

import json
import logging
import random
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from datasets import Dataset
from sentence_transformers import (
    SentenceTransformer,
    SentenceTransformerTrainer,
    SentenceTransformerTrainingArguments,
)
from sentence_transformers.losses import MultipleNegativesRankingLoss
from sentence_transformers.sentence_transformer.modules import StaticEmbedding
from sentence_transformers.training_args import BatchSamplers
from tokenizers import Tokenizer
from tokenizers.models import WordLevel
from tokenizers.pre_tokenizers import WhitespaceSplit
from transformers import set_seed

from knowledge.bank import BankEntry, VillageTopic
from knowledge.citations import normalize_citation
from knowledge.encoder import MARKER_FILE
from knowledge.learn.corpus import tokenize_corpus
from knowledge.recipe import ENCODER, EncoderRecipe
from knowledge.splits import split_of
from knowledge.tokenize import ChineseTokenizer, default_tokenizer
from knowledge.types import Document

logger = logging.getLogger(__name__)

PAD, UNK = "[PAD]", "[UNK]"


def faq_training_items(docs: Sequence[Document], splits: Sequence[str] = ("train",)) -> list[dict[str, Any]]:
    """FAQ entries of ``splits`` (``knowledge.splits.learning_splits``), in the LeCoQA item shape
    ``training_pairs`` reads."""
    return [
        {"问题": d.extra.get("question", d.title), "答案文本": d.text, "match_name": d.extra.get("cited", [])}
        for d in docs
        if d.source == "faq" and split_of(d.faq_id or "") in splits
    ]


def _related_questions(faq_items: Sequence[dict[str, Any]], recipe: EncoderRecipe) -> list[tuple[str, str]]:
    """Question → another question whose answer cites the same article (at most ``question_pairs`` each).

    Pulls together questions that need the same law, which is what FAQ-mediated retrieval uses.
    """
    if recipe.question_pairs <= 0:
        return []
    by_article: dict[str, list[str]] = {}
    for item in faq_items:
        for name in item.get("match_name") or []:
            by_article.setdefault(normalize_citation(name), []).append(str(item["问题"]))
    rng = random.Random(recipe.seed)
    pairs = []
    for item in faq_items:
        question = str(item["问题"])
        names = [normalize_citation(n) for n in item.get("match_name") or []]
        related = sorted({q for n in names for q in by_article[n]} - {question})
        rng.shuffle(related)
        pairs += [(question, other) for other in related[: recipe.question_pairs]]
    return pairs


def _halves(text: str) -> tuple[str, str] | None:
    flat = "".join(text.split())
    if len(flat) < 24:
        return None
    cut = len(flat) // 2
    return flat[:cut], flat[cut:]


def bank_pairs(statutes: Sequence[Document], bank: Sequence[BankEntry], repeats: int = 1) -> list[tuple[str, str]]:
    """Bank question → the article it was written for (``knowledge.bank``)."""
    by_citation = {normalize_citation(d.citation): d for d in statutes}
    pairs = []
    for entry in bank:
        doc = by_citation.get(normalize_citation(entry.citation))
        if doc is not None:
            pairs += [(question, doc.search_text or doc.text) for question in entry.questions]
    return pairs * repeats


def topic_pairs(topics: Sequence[VillageTopic]) -> list[tuple[str, str]]:
    """Village topic question → each typical clause of its topic (``data/bank/villages``)."""
    return [(q, clause) for topic in topics for q in topic.questions for clause in topic.typical_clauses]


def training_pairs(
    statutes: Sequence[Document],
    faq_items: Sequence[dict[str, Any]],
    recipe: EncoderRecipe,
    bank: Sequence[BankEntry] = (),
    bank_repeats: int = 1,
    topics: Sequence[VillageTopic] = (),
) -> list[tuple[str, str]]:
    """(anchor, positive) text pairs; FAQ items must already be restricted to the splits learned from.

    Without a bank the pairs (and their shuffled order) are exactly those of an encoder built before it.
    """
    by_citation = {normalize_citation(d.citation): d for d in statutes}
    supervised: list[tuple[str, str]] = []
    for item in faq_items:
        question = str(item["问题"])
        for name in item.get("match_name") or []:
            doc = by_citation.get(normalize_citation(name))
            if doc is not None:
                supervised.append((question, doc.search_text or doc.text))
        supervised.append((question, str(item["答案文本"])))
    selfsup = [pair for d in statutes if (pair := _halves(d.text)) is not None]
    pairs = supervised * recipe.question_repeats + selfsup + _related_questions(faq_items, recipe)
    pairs += bank_pairs(statutes, bank, bank_repeats) + topic_pairs(topics)
    random.Random(recipe.seed).shuffle(pairs)
    return pairs


def build_static_encoder(
    statutes: Sequence[Document],
    faq_items: Sequence[dict[str, Any]],
    out_dir: Path,
    recipe: EncoderRecipe = ENCODER,
    tokenizer: ChineseTokenizer | None = None,
    *,
    bank: Sequence[BankEntry] = (),
    topics: Sequence[VillageTopic] = (),
    bank_repeats: int = 1,
) -> Path:
    """Train the default encoder reproducibly (fixed seeds) and save it to ``out_dir``."""
    set_seed(recipe.seed)
    torch.manual_seed(recipe.seed)
    tokenizer = tokenizer or default_tokenizer()
    raw_pairs = training_pairs(statutes, faq_items, recipe, bank, bank_repeats, topics)
    texts = sorted({t for pair in raw_pairs for t in pair})
    segmented = dict(zip(texts, (" ".join(toks) for toks in tokenize_corpus(texts)), strict=True))
    counts = Counter(tok for s in segmented.values() for tok in s.split())
    vocab_words = sorted(w for w, c in counts.items() if c >= recipe.min_count)
    vocab = {PAD: 0, UNK: 1, **{w: i + 2 for i, w in enumerate(vocab_words)}}
    hf_tokenizer = Tokenizer(WordLevel(vocab=vocab, unk_token=UNK))
    hf_tokenizer.pre_tokenizer = WhitespaceSplit()
    hf_tokenizer.enable_padding(pad_id=0, pad_token=PAD)
    static = StaticEmbedding(hf_tokenizer, embedding_dim=recipe.dim)
    model = SentenceTransformer(modules=[static], device="cpu")

    pairs = [(segmented[a], segmented[p]) for a, p in raw_pairs]
    dataset = Dataset.from_dict({"anchor": [a for a, _ in pairs], "positive": [p for _, p in pairs]})
    logger.info("training static encoder: %d pairs, vocab %d, dim %d", len(pairs), len(vocab), recipe.dim)
    args = SentenceTransformerTrainingArguments(
        output_dir=str(out_dir / ".trainer"),
        num_train_epochs=recipe.epochs,
        per_device_train_batch_size=recipe.batch_size,
        learning_rate=recipe.learning_rate,
        warmup_ratio=0.1,
        batch_sampler=BatchSamplers.NO_DUPLICATES,
        seed=recipe.seed,
        data_seed=recipe.seed,
        save_strategy="no",
        logging_steps=100,
        report_to="none",
        use_cpu=True,
        dataloader_num_workers=0,
        disable_tqdm=True,
    )
    trainer = SentenceTransformerTrainer(
        model=model, args=args, train_dataset=dataset, loss=MultipleNegativesRankingLoss(model)
    )
    trainer.train()
    model.save(str(out_dir))
    (out_dir / MARKER_FILE).write_text(json.dumps({"input": "jieba", **recipe.to_dict()}, indent=2))
    return out_dir
