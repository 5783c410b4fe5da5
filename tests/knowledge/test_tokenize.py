from __future__ import annotations

from knowledge.tokenize import DICTIONARY_DIR, ChineseTokenizer


def test_legal_terms_stay_whole() -> None:
    tokens = ChineseTokenizer().tokenize("俺家宅基地被占了，土地承包经营权咋办")
    assert "宅基地" in tokens
    assert "土地承包经营权" in tokens


def test_punctuation_and_function_words_are_dropped() -> None:
    tokens = ChineseTokenizer().tokenize("请问，工资的问题？！")
    assert tokens == ["工资", "问题"]


def test_full_width_and_case_are_normalised() -> None:
    assert ChineseTokenizer().tokenize("ＡＢＣ１２３") == ChineseTokenizer().tokenize("abc123")


def test_rasa_pipeline_uses_the_same_dictionary() -> None:
    """NLU and retrieval must split words alike: config.yml points Jieba at our dictionary dir."""
    import yaml

    from cunfa.settings import PROJECT_ROOT

    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    jieba = next(c for c in config["pipeline"] if c["name"] == "JiebaTokenizer")
    assert (PROJECT_ROOT / jieba["dictionary_path"]).resolve() == DICTIONARY_DIR.resolve()


def test_queries_are_expanded_with_statutory_words() -> None:
    tokens = ChineseTokenizer().tokenize_query("老板跑了工钱咋要")
    assert tokens[:3] == ["老板", "跑", "工钱"]
    assert {"用人单位", "劳动报酬", "工资"} <= set(tokens)
    assert len(tokens) == len(set(tokens))


def test_documents_are_not_expanded() -> None:
    assert "劳动报酬" not in ChineseTokenizer().tokenize("老板欠工钱")


def test_everyday_phrases_that_jieba_splits_are_still_expanded() -> None:
    """撞了人 is cut into 撞 / 了 / 人 and 没领证 into 没 / 领证: a phrase entry matches the query text."""
    tokenizer = ChineseTokenizer()
    assert "打老婆" not in tokenizer.tokenize("男人打老婆咋办")
    assert "家庭暴力" in tokenizer.tokenize_query("男人打老婆咋办")
    assert "逃逸" in tokenizer.tokenize_query("撞了人司机跑了怎么办")
    assert "逃逸" not in tokenizer.tokenize_query("老板跑了工钱咋要")


def test_one_character_entries_match_whole_words_only() -> None:
    """车 (→ 机动车) is an entry, but 车间 is a workshop: a one-character entry never matches inside a word."""
    tokenizer = ChineseTokenizer()
    assert "机动车" in tokenizer.tokenize_query("俺的车被人划了")
    assert "车间" in tokenizer.tokenize("在车间干活受伤了")
    assert "机动车" not in tokenizer.tokenize_query("在车间干活受伤了")
