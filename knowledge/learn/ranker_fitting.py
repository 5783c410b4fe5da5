"""Learning the hybrid ranker: a linear listwise model fitted on train questions, out of fold.

The encoder learns from the ``train`` questions, so their cosines (and their FAQ neighbours) are
far better than any new question's: fitted on them, a ranker would trust the encoder too much.
So the train questions are split into ``RANKER.folds`` folds by a salted hash of their id
(``knowledge.splits.fold_of``), and one encoder per fold is trained without that fold's questions
(cached next to the main encoder). Each train question then gets its candidate features from the
encoder and the FAQ evidence that never saw it, as a new question would. ``dev`` is kept for
choosing the regularisation and for checking; ``test`` is never touched.

The model is linear over ``knowledge.recipe.FEATURES`` (standardised) and is fitted with the
listwise softmax loss (ListNet with the gold articles as targets, L2-regularised), i.e. it
maximises the probability mass a question's candidates put on its gold articles.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from knowledge.base import KnowledgeBase
from knowledge.citations import normalize_citation
from knowledge.dense import DenseRetriever
from knowledge.encoder import load_encoder
from knowledge.fusion import Ranker
from knowledge.index import IndexInputs, LoadedIndex
from knowledge.learn.encoders import ensure_encoder
from knowledge.learn.questions import Question, load_questions, train_faq_ids
from knowledge.recipe import FEATURES, RANKER, RANKER_FORMAT
from knowledge.splits import fold_of

logger = logging.getLogger(__name__)

#: The ranker fitted for the shipped data (``../shared/data``) with the current recipe, written by
#: ``cunfa index build --refit-ranker``. Fitting needs one extra encoder per fold (about five
#: minutes on 2 cores); every fresh checkout would repeat it to get the same bytes, so an index
#: whose key matches takes this copy instead.
SHIPPED_RANKER = Path(__file__).with_name("ranker_fitted.json")


@dataclass
class QuestionFeatures:
    """One question's candidates: features (rows) and which candidates are gold."""

    features: np.ndarray
    gold: np.ndarray  # bool per candidate


def question_features(kb: KnowledgeBase, questions: Sequence[Question]) -> list[QuestionFeatures]:
    """Candidate features of ``questions`` in the view ``kb``."""
    docs = kb.index.documents
    mask = kb.mask("statute")
    rows = []
    for question in questions:
        found = kb.retriever.features(kb.prepare(question.text), mask=mask)
        if found is None:
            continue
        ids, features = found
        gold = np.array([normalize_citation(docs[i].citation) in question.gold for i in ids], dtype=bool)
        rows.append(QuestionFeatures(features, gold))
    return rows


def fit_listwise(rows: Sequence[QuestionFeatures], regularisation: float = RANKER.regularisation) -> Ranker:
    """Linear ranker maximising the mean log softmax probability of each question's gold candidates."""
    usable = [r for r in rows if r.gold.any()]
    if not usable:
        raise ValueError("no question has a gold article among its candidates")
    stacked = np.vstack([r.features for r in usable]).astype(np.float64)
    mean, scale = stacked.mean(0), stacked.std(0) + 1e-6
    data = [((r.features - mean) / scale, r.gold) for r in usable]
    n = len(data)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.0, np.zeros_like(w)
        for x, gold in data:
            s = x @ w
            top = s.max()
            p = np.exp(s - top)
            z = p.sum()
            p /= z
            total -= float((s[gold] - top - np.log(z)).mean())
            grad -= x[gold].mean(0) - p @ x
        return total / n + regularisation * float(w @ w) / 200, grad / n + regularisation * w / 100

    result = minimize(loss, np.zeros(stacked.shape[1]), jac=True, method="L-BFGS-B")
    return Ranker(
        features=FEATURES,
        coef=tuple(round(float(c), 6) for c in result.x),
        mean=tuple(round(float(m), 6) for m in mean),
        scale=tuple(round(float(s), 6) for s in scale),
        info={
            "kind": "listwise-linear",
            "format": RANKER_FORMAT,
            "questions": n,
            "regularisation": regularisation,
            "loss": round(float(result.fun), 4),
        },
    )


def calibrated(ranker: Ranker, rows: Sequence[QuestionFeatures]) -> Ranker:
    """The same ranking on the hand-weighted score scale.

    ``AdvicePolicy`` thresholds were calibrated on the hand-weighted fused score; an affine map
    giving the best candidate's score the same mean and spread on the training questions keeps
    those thresholds meaning about the same share of confident answers.
    """
    hand = Ranker.hand_weighted(FEATURES)
    ours = np.array([ranker.score(r.features).max() for r in rows])
    theirs = np.array([hand.score(r.features).max() for r in rows])
    a = float(theirs.std() / max(ours.std(), 1e-9))
    b = float(theirs.mean() - a * ours.mean())
    return replace(
        ranker,
        coef=tuple(round(c * a, 6) for c in ranker.coef),
        intercept=round(ranker.intercept * a + b, 6),
        info={**ranker.info, "calibration": {"scale": round(a, 6), "shift": round(b, 6)}},
    )


def out_of_fold_features(
    kb_for_fold: Callable[[int], KnowledgeBase], train_questions: Sequence[Question]
) -> list[QuestionFeatures]:
    """Features of every train question, each from the view ``kb_for_fold(its fold)``."""
    rows: list[QuestionFeatures] = []
    for fold in range(RANKER.folds):
        in_fold = [q for q in train_questions if fold_of(q.qid) == fold]
        if in_fold:
            rows += question_features(kb_for_fold(fold), in_fold)
    return rows


def fold_view(
    inputs: IndexInputs, loaded: LoadedIndex, prepared: Sequence[str], encoders_root: Path, fold: int
) -> KnowledgeBase:
    """The knowledge base as the questions of ``fold`` would meet it had they never been asked.

    Only the train FAQs outside the fold exist, and with the self-built encoder the corpus
    (``prepared``: its documents' tokens joined by spaces) is embedded by the fold encoder,
    trained here if missing; a configured pretrained encoder never saw any question.
    """
    dense = loaded.dense
    if not inputs.encoder:
        encoder = load_encoder(ensure_encoder(inputs, encoders_root, loaded.documents, fold=fold))
        dense = DenseRetriever(encoder)
        dense.fit(list(prepared), prepared=True)
    train_ids = train_faq_ids(inputs.faq_file)
    view = loaded.with_dense(dense) if dense is not None else loaded
    return KnowledgeBase(view, faq_ids={i for i in train_ids if fold_of(i) != fold})


def training_rows(
    inputs: IndexInputs, loaded: LoadedIndex, tokens: Sequence[Sequence[str]], encoders_root: Path
) -> list[QuestionFeatures]:
    """Out-of-fold candidate features of the train questions of ``inputs.faq_file``.

    ``loaded`` is the index being built and ``tokens`` its documents' tokens; each fold's
    questions are searched in ``fold_view``.
    """
    questions = load_questions(inputs.faq_file, "train")
    if len(questions) < RANKER.min_questions:
        return []
    prepared = [" ".join(t) for t in tokens]
    return out_of_fold_features(lambda fold: fold_view(inputs, loaded, prepared, encoders_root, fold), questions)


def shipped_ranker(key: str) -> Ranker | None:
    """The shipped ranker if it was fitted for exactly this index key (corpus, encoder, recipes)."""
    if not SHIPPED_RANKER.is_file():
        return None
    data = json.loads(SHIPPED_RANKER.read_text(encoding="utf-8"))
    if data.get("index_key") != key:
        return None
    ranker = Ranker.from_dict(data["ranker"])
    return replace(ranker, info={**ranker.info, "source": SHIPPED_RANKER.name})


def ship_ranker(key: str, ranker: Ranker) -> None:
    data = {"index_key": key, "ranker": ranker.to_dict()}
    SHIPPED_RANKER.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def fit_index_ranker(
    inputs: IndexInputs,
    loaded: LoadedIndex,
    tokens: Sequence[Sequence[str]],
    encoders_root: Path,
    key: str = "",
    refit: bool = False,
    fit: bool = True,
) -> Ranker | None:
    """The ranker saved with an index; None (hand weights) when there are too few train questions.

    The shipped ranker is used when it was fitted for ``key``, unless ``refit``; a refit for
    the shipped data replaces the shipped copy.
    """
    if key and not refit:
        shipped = shipped_ranker(key)
        if shipped is not None:
            logger.info("ranker: using %s, fitted for this index key", SHIPPED_RANKER.name)
            return shipped
    if not fit:
        logger.info("ranker: none shipped for this key and fitting is off; hand weights")
        return None
    started = time.perf_counter()
    rows = training_rows(inputs, loaded, tokens, encoders_root)
    if not rows:
        logger.info("ranker: fewer than %d train questions, keeping the hand-weighted fusion", RANKER.min_questions)
        return None
    ranker = calibrated(fit_listwise(rows), rows)
    logger.info("ranker: fitted on %d train questions in %.0fs", len(rows), time.perf_counter() - started)
    if key and refit:
        ship_ranker(key, ranker)
        logger.info("ranker: wrote %s for index key %s", SHIPPED_RANKER, key)
    return ranker
