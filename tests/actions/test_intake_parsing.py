from __future__ import annotations

import pytest

from actions._intake import (
    clean_counterparty,
    clean_description,
    clean_dispute_type,
    clean_name,
    clean_village,
    edit_target,
    is_cancel,
    is_confirm,
    substantive,
)
from actions.validate_case_status_form import parse_case_number, parse_last4


@pytest.mark.parametrize("text", ["取消", "算了", "不办了", "不登记了！", "算了吧", "取消登记"])
def test_cancel_words(text: str) -> None:
    assert is_cancel(text)


@pytest.mark.parametrize("text", ["王算了", "他说不办了我该咋办", "取消婚约的彩礼能要回来吗"])
def test_cancel_needs_the_whole_message(text: str) -> None:
    assert not is_cancel(text)


@pytest.mark.parametrize("text", ["对", "是的", "确认提交", "中", "没问题", "嗯嗯"])
def test_confirm_words(text: str) -> None:
    assert is_confirm(text)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("电话写错了", "phone"),
        ("改电话", "phone"),
        ("名字不对", "resident_name"),
        ("改一下村", "village"),
        ("对方写错了", "counterparty"),
        ("改事情类型", "dispute_type"),
        ("改事情经过", "description"),
    ],
)
def test_edit_target(text: str, field: str) -> None:
    assert edit_target(text) == field


def test_long_descriptions_are_not_edit_requests() -> None:
    assert edit_target("他把我家的电话线剪断了还说是我写错了地址") is None


@pytest.mark.parametrize(("text", "name"), [("我叫王大山", "王大山"), ("俺是老李", "老李"), ("张桂花", "张桂花")])
def test_clean_name(text: str, name: str) -> None:
    assert clean_name(text) == name


@pytest.mark.parametrize("text", ["13912345678", "彩礼能要回来吗", "我想问问离婚的事情怎么办才好呢"])
def test_clean_name_rejects_non_names(text: str) -> None:
    assert clean_name(text) is None


def test_clean_village_strips_filler() -> None:
    assert clean_village("俺是青石湾村的") == "青石湾村"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("宅基地", "homestead"),
        ("欠工钱", "wage_arrears"),
        ("其他", "other"),
        ("婚姻家庭", "marriage_family"),
        ("homestead", "homestead"),
        ("離婚", "marriage_family"),
    ],
)
def test_clean_dispute_type(text: str, value: str) -> None:
    assert clean_dispute_type(text) == value


def test_unknown_dispute_type_asks_again() -> None:
    assert clean_dispute_type("嗯嗯啊") is None


def test_description_and_counterparty() -> None:
    assert clean_description("吵") is None
    assert clean_description("  隔壁   占了俺家的地  ") == "隔壁 占了俺家的地"
    assert clean_counterparty("不知道") == "不清楚"
    assert clean_counterparty("邻居李四") == "邻居李四"


def test_substantive_first_messages_are_kept() -> None:
    assert substantive("隔壁老王把我家宅基地占了想找调解员")
    assert not substantive("我要找律师")


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("2026-QSW-000123", "2026-QSW-000123"),
        ("编号是2026qsw000123", "2026-QSW-000123"),
        ("２０２６－ＱＳＷ－０００１２３", "2026-QSW-000123"),
    ],
)
def test_parse_case_number(text: str, number: str) -> None:
    assert parse_case_number(text) == number


def test_parse_last4() -> None:
    assert parse_last4("5678") == "5678"
    assert parse_last4("后四位是五六七八") == "5678"
    assert parse_last4("56789") is None


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("是", "yes"),
        ("俺家是低保户", "yes"),
        ("没有收入", "yes"),
        ("穷得很 请不起律师", "yes"),
        ("不是", "no"),
        ("不是低保户", "no"),
        ("还行", "no"),
        ("今天天气好", None),
    ],
)
def test_hardship_answer(text: str, answer: str | None) -> None:
    from actions._intake import hardship_answer

    assert hardship_answer(text) == answer
