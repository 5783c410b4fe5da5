from __future__ import annotations

import numpy as np

from knowledge.bigrams import BigramTokenizer
from knowledge.recipe import FEATURES


def test_bigrams_ignore_punctuation_and_width() -> None:
    tokenizer = BigramTokenizer()
    assert tokenizer.tokenize("欠薪，ＡＢ！") == ["欠薪", "薪a", "ab"]
    assert tokenizer.tokenize("薪") == ["薪"]
    assert tokenizer.tokenize("，。") == []


def test_a_misspelt_word_still_matches_by_its_character_pairs(tiny_kb) -> None:
    """扶养费 is a common slip for 抚养费: jieba's words differ, the pair 养费 does not."""
    query = "离婚后扶养费"
    assert "扶养费" not in tiny_kb.index.bm25.tokenizer.tokenize("离婚后，另一方应当负担部分或者全部抚养费")
    ids, features = tiny_kb.retriever.features(tiny_kb.prepare(query), mask=tiny_kb.mask("statute"))
    by_article = {tiny_kb.index.documents[i].citation: row for i, row in zip(ids, features, strict=True)}
    column = FEATURES.index("bigram")
    custody = by_article["中华人民共和国民法典第一千零八十五条"][column]
    wages = by_article.get("中华人民共和国劳动法第五十条", np.zeros(len(FEATURES)))[column]
    assert custody == 1.0  # the best bigram match among the candidates
    assert wages == 0.0


def test_everyday_words_add_the_pairs_of_their_statutory_words() -> None:
    """工钱 → 工资 劳动报酬 (colloquial.txt), as the word tokenizer expands queries."""
    pairs = BigramTokenizer().tokenize_query("工钱咋要")
    assert pairs[:3] == ["工钱", "钱咋", "咋要"]
    assert {"工资", "劳动", "报酬"} <= set(pairs)
    assert BigramTokenizer().tokenize("工钱咋要") == pairs[:3]


def test_amounts_and_durations_in_a_question_add_no_pairs() -> None:
    """ "三个月" is how long the resident waited, not what the law is about: its 个月 once made
    劳动合同法第四十七条 (a month's wage per year of service) lead an unpaid-wages question."""
    tokenizer = BigramTokenizer()
    pairs = tokenizer.tokenize_query("拖欠俺三个月工钱")
    assert not {"三个", "个月", "月工"} & set(pairs)
    assert pairs[:3] == ["拖欠", "欠俺", "工钱"]
    assert "俺工" not in pairs  # no pair is made across the removed words
    assert "个月" not in tokenizer.tokenize_query("借了2万块，一年多没还")
    assert {"试用", "用期"} <= set(tokenizer.tokenize_query("试用期六个月合法吗"))
    # Documents keep every pair: an article's "六个月" is part of what it says.
    assert "个月" in tokenizer.tokenize("试用期不得超过六个月")
