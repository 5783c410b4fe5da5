from __future__ import annotations

from knowledge.ingest import load_statutes
from knowledge.learn.encoder_training import training_pairs
from knowledge.recipe import EncoderRecipe
from tests.conftest import TEST_DATA

ITEMS = [
    {"问题": "老板不发工资", "答案文本": "可以投诉。", "match_name": ["中华人民共和国劳动法第五十条"]},
    {"问题": "工资被克扣", "答案文本": "可以仲裁。", "match_name": ["劳动法第五十条"]},
    {"问题": "离婚孩子归谁", "答案文本": "协商。", "match_name": ["民法典第一千零八十五条"]},
]


def test_pairs_link_questions_to_cited_articles_answers_and_each_other() -> None:
    statutes = load_statutes(TEST_DATA / "laws")
    pairs = set(training_pairs(statutes, ITEMS, EncoderRecipe(question_repeats=1, question_pairs=5)))
    labour = next(d for d in statutes if d.citation == "中华人民共和国劳动法第五十条")
    assert ("老板不发工资", labour.search_text) in pairs
    assert ("老板不发工资", "可以投诉。") in pairs
    assert ("老板不发工资", "工资被克扣") in pairs and ("工资被克扣", "老板不发工资") in pairs
    assert not any(a == "离婚孩子归谁" and b in {"老板不发工资", "工资被克扣"} for a, b in pairs)


def test_pairs_are_reproducible() -> None:
    statutes = load_statutes(TEST_DATA / "laws")
    recipe = EncoderRecipe()
    assert training_pairs(statutes, ITEMS, recipe) == training_pairs(statutes, ITEMS, recipe)
