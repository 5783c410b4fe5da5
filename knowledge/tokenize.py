"""Chinese tokenisation shared by retrieval and (through the same dictionary) by Rasa's NLU.

Neither bm25s's default regex nor English stopwords split Chinese, so we segment with jieba,
load the project's legal-terms dictionary (``bot/dictionaries``, also given to Rasa's
``JiebaTokenizer``) so 宅基地 / 土地承包经营权 stay single tokens in both places, and drop
punctuation and function words that carry no retrieval signal.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import jieba

from cunfa.settings import PROJECT_ROOT
from knowledge.query import PreparedQuery
from knowledge.recipe import COLLOQUIAL_FILE

DICTIONARY_DIR = PROJECT_ROOT / "bot" / "dictionaries"
STOPWORDS_FILE = Path(__file__).with_name("stopwords.txt")
_WORD = re.compile(r"[\w]", re.UNICODE)

jieba.setLogLevel(logging.WARNING)


def dictionary_files(directory: Path = DICTIONARY_DIR) -> list[Path]:
    """The user dictionaries, in a stable order (their content is part of the index key)."""
    return sorted(directory.glob("*.txt")) if directory.is_dir() else []


@functools.lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    lines = STOPWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


@functools.lru_cache(maxsize=1)
def colloquial_map() -> dict[str, tuple[str, ...]]:
    """Everyday word → the statutory words for it (``colloquial.txt``)."""
    mapping: dict[str, tuple[str, ...]] = {}
    for line in COLLOQUIAL_FILE.read_text(encoding="utf-8").splitlines():
        words = line.split()
        if len(words) >= 2 and not line.startswith("#"):
            mapping[words[0]] = tuple(words[1:])
    return mapping


@functools.lru_cache(maxsize=1)
def _phrases() -> tuple[str, ...]:
    """The entries of two or more characters: those matched anywhere in the query text."""
    return tuple(k for k in colloquial_map() if len(k) >= 2)


def statutory_words(tokens: Iterable[str], text: str = "") -> list[str]:
    """The statutory words for the everyday words among ``tokens``, each once, in order.

    An entry of two or more characters also counts when it occurs anywhere in ``text`` (the
    query): jieba cuts 撞了人 into 撞 / 了 / 人 and 没领证 into 没 / 领证, so phrases such as
    撞了 or 打老婆 are never tokens. One-character entries (地, 车) match whole tokens only,
    since as substrings they occur inside unrelated words (工地, 车间).
    """
    mapping = colloquial_map()
    keys = list(tokens)
    if text:
        flat = unicodedata.normalize("NFKC", text).lower()
        keys += sorted((k for k in _phrases() if k in flat), key=flat.find)
    words: list[str] = []
    for key in keys:
        words += [w for w in mapping.get(key, ()) if w not in words]
    return words


class ChineseTokenizer:
    """jieba search-mode segmentation with the project dictionary and stopword filtering.

    Search mode (``cut_for_search``) also emits the shorter words inside long compounds
    (劳动合同 → 劳动, 合同, 劳动合同), which lets everyday phrasing meet statutory compounds.
    """

    def __init__(self, dictionary_dir: Path = DICTIONARY_DIR) -> None:
        self._jieba = jieba.Tokenizer()
        self._dictionaries = dictionary_files(dictionary_dir)
        self._loaded = False

    def _ensure_loaded(self) -> None:
        if not self._loaded:
            for path in self._dictionaries:
                self._jieba.load_userdict(str(path))
            self._loaded = True

    def tokenize(self, text: str) -> list[str]:
        """Tokens of ``text``: NFKC-normalised, lower-cased, without punctuation or stopwords."""
        self._ensure_loaded()
        text = unicodedata.normalize("NFKC", text).lower()
        stop = stopwords()
        return [
            tok
            for tok in (t.strip() for t in self._jieba.cut_for_search(text))
            if tok and _WORD.search(tok) and tok not in stop
        ]

    def tokenize_query(self, text: str) -> list[str]:
        """Query tokens plus the statutory words for any everyday word in them.

        Residents write 工钱 and 老板; statutes write 劳动报酬 and 用人单位. Neither BM25 nor an
        encoder trained on statute text can match a word the corpus never uses, so queries are
        expanded with ``colloquial.txt``; documents are left as they are.
        """
        return self.expand(self.tokenize(text), text)

    def expand(self, tokens: list[str], text: str = "") -> list[str]:
        """``tokens`` (of the query ``text``) plus the statutory words for its everyday words."""
        return tokens + [w for w in statutory_words(tokens, text) if w not in tokens]

    def query_tokens(self, query: PreparedQuery) -> list[str]:
        """What BM25 over words looks up for a prepared query (segmented and expanded already)."""
        return query.tokens

    def tokenize_many(self, texts: Iterable[str]) -> list[list[str]]:
        return [self.tokenize(t) for t in texts]

    def fingerprint(self) -> str:
        """Changes whenever the dictionaries or stopwords change, so cached indexes are rebuilt."""
        digest = hashlib.sha256(b"cut_for_search/v1")
        for path in [*self._dictionaries, STOPWORDS_FILE]:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def default_tokenizer() -> ChineseTokenizer:
    return ChineseTokenizer()
