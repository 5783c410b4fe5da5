"""The dispute type read from a whole story (matter model first, lexicon when it says nothing)."""

from __future__ import annotations

import pytest

from actions._intake import hardship_told
from actions._story_type import story_type


@pytest.mark.parametrize(
    ("story", "kind"),
    [
        ("俺在工地干了大半年 包工头跑了 电话也不接", "wage_arrears"),
        ("爹娘都不在了 大哥占着老宅子 说闺女嫁出去了没份", "inheritance"),
        ("隔壁盖房往俺家这边多占了一米 喊他拆他不干", "neighbor"),
    ],
)
def test_a_story_names_its_type(story: str, kind: str) -> None:
    assert story_type(story) == kind


@pytest.mark.parametrize("said", ["我要找律师", "你好", "俺想找个调解员", "我要登记一下"])
def test_a_bare_request_names_no_type(said: str) -> None:
    assert story_type(said) is None


def test_a_one_word_answer_is_read_by_the_lexicon() -> None:
    assert story_type("工钱") == "wage_arrears"


@pytest.mark.parametrize(
    ("story", "told"),
    [
        ("我们家孤儿寡母的，没钱打官司", True),
        ("家里是建档立卡户", True),
        ("俺家不是低保户", False),
        ("老板欠了俺三万块", False),
    ],
)
def test_hardship_said_in_the_story(story: str, told: bool) -> None:
    assert hardship_told(story) is told


def test_a_matter_typed_other_is_other_unless_a_keyword_names_a_type() -> None:
    village = "俺家低保突然给停了 名额给了村主任的亲戚 俺老公瘫在床上"
    assert story_type(village) == "other"  # 村务: "老公" is no marriage case
    assert story_type("村干部不管 俺要跟老公离婚") == "marriage_family"


def test_asking_for_a_mediator_names_no_type() -> None:
    assert story_type("能不能请个调解员来说和说和") is None
