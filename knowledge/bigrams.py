"""Character bigrams: a lexical match that does not depend on where jieba cuts words.

A question and a statute often hold the same characters cut into different words (承包经营权
as one word in one, 承包 + 经营 in the other), and a misspelt or dialect word still shares most
of its character pairs with the right one. A second BM25 over overlapping character pairs
catches those. As two ranker features it raised R@10 by 0.012 and MRR@10 by 0.014 with the
ranker cross-validated on the train questions (docs/experiments/retrieval.md).
"""

from __future__ import annotations

import re
import unicodedata

from knowledge.query import PreparedQuery
from knowledge.tokenize import default_tokenizer, statutory_words

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
#: An amount or a duration ("三个月", "2万块", "十几年"): how long or how much is the resident's
#: story, not the law's subject, yet its pairs (个月, 万元) match any article that counts.
_QUANTITY = re.compile(r"[0-9零一二三四五六七八九十百千万两几半多]+[个年月日天周岁元块万亩间平米]+")


class BigramTokenizer:
    """Overlapping character pairs of the NFKC-normalised, lower-cased text, punctuation removed.

    It has the two methods ``BM25Retriever`` calls, so the same retriever class serves both views.
    """

    def tokenize(self, text: str) -> list[str]:
        flat = _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).lower())
        if len(flat) < 2:
            return [flat] if flat else []
        return [flat[i : i + 2] for i in range(len(flat) - 1)]

    def tokenize_query(self, text: str, words: list[str] | None = None) -> list[str]:
        """The query's pairs, less those of its amounts and durations, plus those of the
        statutory words for its everyday words.

        Without them 工钱 or 养老钱 match only articles that happen to share their characters,
        and a question's incidental pairs (三个月 → 个月) decide instead; the word tokenizer
        expands queries from the same list (``colloquial.txt``). Documents keep all their pairs.

        Args:
            words: the query's jieba words (``ChineseTokenizer.tokenize``) when the caller has
                them already, so a search segments its query once.
        """
        if words is None:
            words = default_tokenizer().tokenize(text)
        pairs = [pair for part in _QUANTITY.split(unicodedata.normalize("NFKC", text)) for pair in self.tokenize(part)]
        for word in statutory_words(words, text):
            pairs += self.tokenize(word)
        return pairs

    def query_tokens(self, query: PreparedQuery) -> list[str]:
        """The pairs BM25 over bigrams looks up for a prepared query (its words segmented once)."""
        return self.tokenize_query(query.text, query.words)

    def tokenize_many(self, texts: list[str]) -> list[list[str]]:
        return [self.tokenize(t) for t in texts]
