"""Reading single caller lines: names, villages, the other side, sums, dates, what help is asked for."""

from __future__ import annotations

from datetime import date

import pytest

from triage import normalize
from triage.facts import people as extract
from triage.facts import read_facts
from triage.facts.dates import find_incident_date
from triage.facts.money import find_amounts
from triage.facts.prompts import asked_fields, is_backchannel

CALL_DAY = date(2026, 11, 23)


def compact(text: str) -> str:
    return normalize(text).replace(" ", "")


@pytest.mark.parametrize(
    ("said", "name"),
    [
        ("我叫王大山，青石湾村的", "王大山"),
        ("俺叫李秀英，俺家在刘家庄", "李秀英"),
        ("我叫王家明今年六十了", "王家明"),
        ("我叫张三家住青石湾", "张三"),
        ("俺姓李", "李"),
        ("我姓欧阳", "欧阳"),
        ("我是陈桂兰。", "陈桂兰"),
        ("叫我老王就行", "老王"),
        ("我叫他还钱他不还", None),  # 叫 is "told him to", not a name
        ("我是刘家庄的", None),  # a village, not a person
        ("我是想问一下离婚的事", None),
        ("我是和他吵架的", None),
    ],
)
def test_names_said_outright(said: str, name: str | None) -> None:
    assert extract.mention_name(compact(said)) == name


@pytest.mark.parametrize(
    ("answer", "name"),
    [
        ("王大山", "王大山"),
        ("陈桂兰，耳东陈", "陈桂兰"),
        ("姓李", "李"),
        ("嗯，叫我老王就行", "老王"),
        ("王大山，电话幺三八一二三四五六七八", "王大山"),
        ("嗯", None),
        ("不知道", None),
        ("啊？你说啥", None),
    ],
)
def test_names_given_as_answers(answer: str, name: str | None) -> None:
    assert extract.answer_name(compact(answer)) == name


@pytest.mark.parametrize(
    ("said", "village"),
    [
        ("俺是青石湾村的", "青石湾村"),
        ("住在刘家庄", "刘家庄"),
        ("我是青山镇的石门村", "石门村"),
        ("我家在东滩村", "东滩村"),
        ("东滩村村委会不管", "东滩村"),
        ("我们村的刘二狗天天骂街", None),
        ("隔壁村的人来闹", None),
        ("在农村种地", None),
        ("村里不管", None),
        ("前年借给同村刘二三万块钱", None),  # "同村" is "the same village", and the rest is a sentence
    ],
)
def test_villages_said_in_passing(said: str, village: str | None) -> None:
    assert extract.mention_village(compact(said)) == village


@pytest.mark.parametrize(("answer", "village"), [("青石湾的", "青石湾"), ("俺是东滩那边的", "东滩"), ("不知道", None)])
def test_villages_given_as_answers(answer: str, village: str | None) -> None:
    assert extract.answer_village(compact(answer)) == village


@pytest.mark.parametrize(
    ("said", "party"),
    [
        ("包工头张三欠了我们三万块工钱", "包工头张三"),
        ("隔壁老李把俺家宅基地占了", "隔壁老李"),
        ("我儿子不养我", "儿子"),
        ("跟邻居赵四吵起来了", "邻居赵四"),
        ("被老王打了", "老王"),
        ("王大山欠我钱不还", "王大山"),
        ("我们村的刘二狗天天骂街", "刘二狗"),
        ("俺和李四合伙开了个店，他把钱卷走了", "李四"),
        ("庄稼被毁了", None),  # 庄 is a surname; 庄稼 is crops
        ("石头砸了我家的车", None),
        ("我是包工头，工人闹事", None),  # the caller's own role
        ("我想问问离婚的事", None),
    ],
)
def test_counterparty_in_free_speech(said: str, party: str | None) -> None:
    assert extract.mention_counterparty(compact(said)) == party


def test_counterparty_answer_joins_name_and_role() -> None:
    assert extract.answer_counterparty(compact("就是张三，包工头")) == "包工头张三"
    assert extract.answer_counterparty(compact("隔壁的王老五")) is not None
    assert extract.answer_counterparty(compact("不知道")) is None


@pytest.mark.parametrize(
    ("said", "kind"),
    [
        ("我想找个律师", "lawyer"),
        ("能不能帮我调解一下", "mediation"),
        ("这事能找村里调解吗", "mediation"),
        ("想请村里的法律顾问律师看看", "lawyer"),
        ("我没钱，请不起律师", "legal_aid"),
        ("我要申请法律援助", "legal_aid"),
        ("不用找律师，我就问问", None),
        ("律师说的我听不懂", None),
    ],
)
def test_requested_help(said: str, kind: str | None) -> None:
    assert extract.requested_help(compact(said)) == kind


@pytest.mark.parametrize(
    ("said", "amounts"),
    [
        ("包工头张三欠了我们三万块工钱", ["30000元"]),
        ("借了他两万五到现在不还", ["25000元"]),
        ("一万多块钱的彩礼", ["10000多元"]),
        ("他欠我3.5万", ["35000元"]),
        ("一万来块", ["约10000元"]),
        ("欠了十几万", ["十几万元"]),
        ("一共五十块", ["50元"]),
        ("借给同村刘二三万块钱", ["30000元"]),  # a name running into the number
        ("家里有三块地", []),  # 块 the land classifier
        ("五百亩地", []),
        ("我今年六十三岁", []),
        ("幺三八一二三四五六七八", []),  # a dictated phone number
        ("给了五百", []),  # too little context to call it money
    ],
)
def test_amounts(said: str, amounts: list[str]) -> None:
    assert find_amounts(compact(said)) == amounts


def test_bare_number_is_money_when_asked_for() -> None:
    assert find_amounts("三百", asked=True) == ["300元"]
    assert find_amounts("三百") == []


@pytest.mark.parametrize(
    ("said", "when"),
    [
        ("去年腊月借了他两万五", "2025年腊月"),
        ("二三年三月五号出的事", "2023年3月5日"),
        ("前天晚上他又来砸门", "2026年11月21日"),
        ("三个月前开始不给工资", "2026年8月"),
        ("上个月十号", "2026年10月10日"),
        ("去年底", "2025年底"),
        ("昨儿个", "2026年11月22日"),
        ("前几天吵了一架", "前几天（2026年11月23日来电）"),
        ("十二月份", "12月"),
        ("我今年六十三岁", None),  # an age
        ("干了三年了", None),  # a duration
        ("两个月了", None),
        ("五号那天", None),  # which month?
    ],
)
def test_incident_dates_resolved_against_the_call_day(said: str, when: str | None) -> None:
    assert find_incident_date(compact(said), CALL_DAY) == when


def test_relative_month_crosses_the_new_year() -> None:
    assert find_incident_date("上个月", date(2026, 1, 10)) == "2025年12月"


@pytest.mark.parametrize(
    ("agent", "fields"),
    [
        ("您怎么称呼？", ("name",)),
        ("对方叫什么名字？", ("counterparty",)),
        ("您是哪个村的，叫什么名字？", ("village", "name")),
        ("留个电话吧", ("phone",)),
        ("欠了多少钱？什么时候的事？", ("amount", "incident_date")),
        ("您别急，慢慢说", ()),
    ],
)
def test_agent_questions(agent: str, fields: tuple[str, ...]) -> None:
    assert asked_fields(agent) == fields


def test_backchannel_keeps_the_question_open() -> None:
    assert is_backchannel("嗯") and is_backchannel("好的，您说")
    assert not is_backchannel("您别急，慢慢说清楚是什么事")


@pytest.mark.parametrize(
    ("said", "village"),
    [("马坊三组的", "马坊"), ("俺是石门沟二队的", "石门沟"), ("他们第三组的人", None), ("这三组的", None)],
)
def test_a_village_named_by_its_group(said: str, village: str | None) -> None:
    assert extract.mention_village(said) == village


def test_a_sentence_is_no_village_answer() -> None:
    assert extract.answer_village("千万别打那个") is None
    assert extract.answer_village("俺们是龙王庙的") == "龙王庙"


@pytest.mark.parametrize(
    ("said", "corrected", "value"),
    [
        ("村名不对，不是杏花村，是杏林村，我说快了", ("village",), "杏林村"),
        ("刚才那个号是我老公的，千万别打那个！我自己的是13597402286", ("phone",), "13597402286"),
        ("电话错了 是13812345679", ("phone",), "13812345679"),
    ],
)
def test_a_correction_names_what_it_corrects(said: str, corrected: tuple[str, ...], value: str) -> None:
    facts = read_facts(said)
    assert facts.correction and facts.corrected == corrected and facts.get(corrected[0]) == value


def test_a_correction_is_not_more_of_the_story() -> None:
    assert not read_facts("哎呀刚才打错字了 不是东湾 是东滩村").story
