"""Every knob that determines a built artefact (the index, our own encoder, the fitted ranker).

A knob read anywhere else could change what an index or a ranker would be without changing
the name it is cached under, and a stale artefact would be served as if it were current. So
the modules that build or query read their constants from here, and ``index_recipe()`` is what
the index key hashes: the encoder recipe, the ranker's, the hybrid retriever's candidate and
vote settings, and the contents of the query-expansion dictionary (``colloquial.txt``), which
changes every feature the ranker is fitted on. The corpus and the tokenizer's own dictionaries
are hashed separately (``knowledge.index.IndexInputs.corpus_key``).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

#: Changes whenever the on-disk layout of an index changes.
INDEX_FORMAT = "cunfa-index/3"
ENCODER_FORMAT = "cunfa-static/1"
RANKER_FORMAT = "cunfa-ranker/1"
#: Salts of the fixed FAQ split (``knowledge.splits``): which questions each encoder learns from.
SPLIT_SALT = "cunfa-split/1"
#: Everyday word → statutory words, used to expand queries (``knowledge.tokenize``).
COLLOQUIAL_FILE = Path(__file__).with_name("colloquial.txt")

#: Per-candidate features, in the order of the columns ``HybridRetriever.features`` returns.
FEATURES: tuple[str, ...] = (
    "dense",  # cosine similarity of query and article
    "bm25",  # BM25 / the query's best BM25 score
    "bm25_log",  # log(1 + BM25): the absolute strength of the lexical match
    "bm25_rank",  # log(1 + rank by BM25 among the candidates)
    "dense_rank",  # log(1 + rank by cosine among the candidates)
    "faq",  # embedding-neighbour FAQ votes / the query's best vote
    "faq_raw",  # embedding-neighbour FAQ votes, unnormalised
    "faq_nearest",  # cosine of the nearest FAQ neighbour whose answer cites the article
    "faq_bm25",  # BM25-neighbour FAQ votes / the query's best such vote
    "article_prior",  # log(1 + times the article is cited across the FAQ)
    "law_prior",  # log share of FAQ citations that go to the article's law (0 for the most cited)
    "length",  # log(characters of the article)
    "law_named",  # the query names the article's law (e.g. "劳动合同法")
    "faq_law",  # embedding-neighbour votes for the article's law (any article of it) / best law
    "faq_law_bm25",  # the same among the BM25 neighbours
    "faq_adjacent",  # embedding-neighbour votes for the articles just before and after / best vote
    "bigram",  # BM25 over character bigrams / the best such score among the candidates
    "bigram_log",  # log(1 + BM25 over character bigrams)
)

#: The hand-weighted fusion (tuned on dev by grid search): used without a fitted ranker, and
#: the scale a fitted ranker is calibrated onto.
HAND_WEIGHTS: dict[str, float] = {"dense": 1.0, "bm25": 0.4, "faq": 0.2, "law_prior": 0.05}


@dataclass(frozen=True)
class EncoderRecipe:
    """Everything that determines the self-built encoder; part of its cache key."""

    dim: int = 256
    epochs: int = 2
    batch_size: int = 1024
    learning_rate: float = 0.2
    min_count: int = 2
    question_repeats: int = 4
    question_pairs: int = 5
    seed: int = 42

    def to_dict(self) -> dict[str, Any]:
        return {"format": ENCODER_FORMAT, **asdict(self)}


@dataclass(frozen=True)
class HybridRecipe:
    """How the hybrid retriever gathers candidates and counts the FAQ neighbours' votes."""

    #: Candidates taken from BM25 and from the dense index each.
    candidates: int = 400
    #: Candidates taken from the character-bigram BM25 as well.
    bigram_candidates: int = 200
    #: FAQ questions consulted per query, nearest by embedding and by BM25.
    faq_neighbours: int = 30
    #: An embedding neighbour votes with weight max(cos, 0) ** faq_sharpness.
    faq_sharpness: float = 4.0
    #: A BM25 neighbour votes with weight (its BM25 / the best neighbour's) ** lexical_vote_power.
    lexical_vote_power: float = 2.0
    #: Added to each law's citation count before its log share is taken (unseen laws stay finite).
    prior_smoothing: float = 0.1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RankerRecipe:
    """How the linear ranker is fitted (``knowledge.learn.ranker_fitting``)."""

    folds: int = 5
    fold_salt: str = "cunfa-fold/1"
    #: L2 strength (× ‖w‖²/2 per 100 questions); chosen on dev: 0.1, 1 and 10 scored within noise, 1 is the middle.
    regularisation: float = 1.0
    #: The fewest train questions worth fitting on; a smaller FAQ (the test fixtures) keeps the hand weights.
    min_questions: int = 100
    features: tuple[str, ...] = FEATURES
    hand_weights: dict[str, float] = field(default_factory=lambda: dict(HAND_WEIGHTS))

    def to_dict(self) -> dict[str, Any]:
        return {"format": RANKER_FORMAT, **asdict(self), "features": list(self.features)}


@dataclass(frozen=True)
class BankRecipe:
    """How the villagers' question bank (``knowledge.bank``) is used; each use can be switched alone."""

    #: bank question → article pairs in our own encoder's training, beside the FAQ's
    train: bool = True
    #: an article's text for BM25 and the bigram index also holds its bank questions and keywords
    expand: bool = True
    #: times each bank pair is repeated in the encoder's training (the FAQ pairs are repeated 4 times)
    repeats: int = 1

    @property
    def used(self) -> bool:
        return self.train or self.expand

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


ENCODER = EncoderRecipe()
BANK = BankRecipe()
HYBRID = HybridRecipe()
RANKER = RankerRecipe()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"


def index_recipe(encoder: EncoderRecipe = ENCODER, *, own_encoder: bool = True) -> dict[str, Any]:
    """What the index key hashes besides the corpus, the tokenizer and the configured encoder's name.

    ``own_encoder``: whether the encoder is the one this project builds (its recipe counts then).
    """
    recipe: dict[str, Any] = {
        "format": INDEX_FORMAT,
        "split_salt": SPLIT_SALT,
        "hybrid": HYBRID.to_dict(),
        "ranker": RANKER.to_dict(),
        "colloquial": file_digest(COLLOQUIAL_FILE),
    }
    if own_encoder:
        recipe["encoder"] = encoder.to_dict()
    return recipe
