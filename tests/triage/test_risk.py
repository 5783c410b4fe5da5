"""assess_risk: positives per level, the false alarms it must not raise, negation and abstract questions."""

from __future__ import annotations

import pytest

from triage import RISK_ORDER, RiskAssessment, RiskCue, assess_risk, max_level

EMERGENCY = [
    "他说要杀了我全家",
    "邻居扬言要弄死我",
    "他拿刀站在我家门口",
    "拿着斧头砍门",
    "两家人打起来了快来人",
    "他们正在打架",
    "我被打伤了一直在流血",
    "老公打我好几年了",
    "我男人又打我了",
    "他總是家暴",  # Traditional 總
    "我不想活了",
    "日子过不下去了我想死",
    "我妈说要喝农药",
    "她要跳河",
    "族里的人都来打我们家",
    "他叫了一帮人来我家",
    "他要放火烧我家房子",
    "救命啊",
    "再这样下去要出人命",
    "我想打死他",
]

HIGH = [
    "他把我家的门砸了还说要砸了我家",
    "邻居毁了庄稼",
    "有人毒死我家的羊",
    "天天来堵门",
    "他扬言报复我们",
    "村里人要去上访",
    "要去北京上访",
    "不解决就闹到县里",
]

MEDIUM = [
    "两家又吵起来了",
    "三番五次来闹事",
    "找了村委会多次都没用",
    "这事吵了好几年",
    "她天天在村口骂街",
    "不行我就去信访",
    "邻居断了我家的水",
    "好几次了一直闹",
]

LOW = [
    "我和邻居吵架了",
    "他不讲理",
    "两家有矛盾",
    "他骂我",
    "吵了一架",
]

NONE = [
    "我想打官司",
    "在外面打工工资没拿到",
    "给他打电话他不接",
    "帮我打听一下",
    "我打算离婚",
    "打扫卫生的时候摔了",
    "去镇上打印材料",
    "孩子去打针了",
    "死亡赔偿金怎么算",
    "过年要杀猪",
    "我爹去年过世了",
    "奶奶去世以后房子归谁",
    "他又打我电话",
    "他打我手机没人接",
    "砸锅卖铁也要把官司打赢",
    "这是我的救命钱",
    "想死你了",
    "医院说要动手术",
    "拿刀切菜的时候切到手",
    "两家人打官司",
    "老鼠药能弄死老鼠吗",
    "你好",
    "",
]


@pytest.mark.parametrize("text", EMERGENCY)
def test_emergency(text: str) -> None:
    assert assess_risk(text).level == "emergency", assess_risk(text)


@pytest.mark.parametrize("text", HIGH)
def test_high(text: str) -> None:
    assert assess_risk(text).level == "high", assess_risk(text)


@pytest.mark.parametrize("text", MEDIUM)
def test_medium(text: str) -> None:
    assert assess_risk(text).level == "medium", assess_risk(text)


@pytest.mark.parametrize("text", LOW)
def test_low(text: str) -> None:
    assert assess_risk(text).level == "low", assess_risk(text)


@pytest.mark.parametrize("text", NONE)
def test_false_positives_stay_none(text: str) -> None:
    result = assess_risk(text)
    assert result == RiskAssessment("none", ()), result


@pytest.mark.parametrize(
    "text",
    [
        "我们没有打人",
        "我没动手",
        "他不会打我的",
        "我们俩没有打架，就是吵了几句",
        "他从来没有家暴过",
        "我没跟他动手",
        "没有人拿刀",
    ],
)
def test_negated_emergency_cues_are_not_emergency(text: str) -> None:
    assert assess_risk(text).level not in ("high", "emergency"), assess_risk(text)


@pytest.mark.parametrize(
    "text",
    [
        "别打了",  # a plea, not a negation
        "不要杀我",
        "他会不会打我",  # a fear, not a negation
        "没人管，他拿刀了",  # negator in another clause
        "我没有钱他要杀我",
    ],
)
def test_pleas_and_distant_negators_stay_emergency(text: str) -> None:
    assert assess_risk(text).level == "emergency", assess_risk(text)


@pytest.mark.parametrize(
    "text",
    [
        "故意伤害罪判几年",
        "故意杀人罪判几年",
        "打人犯法吗",
        "家暴怎么认定",
        "打架斗殴怎么处罚",
        "持刀伤人构成什么罪",
    ],
)
def test_abstract_legal_questions_are_at_most_low(text: str) -> None:
    assert RISK_ORDER.index(assess_risk(text).level) <= RISK_ORDER.index("low"), assess_risk(text)


@pytest.mark.parametrize(
    "text",
    ["他打我犯法吗", "我老公家暴怎么认定", "邻居说要杀了我，这犯法吗", "现在他们正在打架，打人犯法吗"],
)
def test_questions_about_own_situation_keep_their_level(text: str) -> None:
    assert assess_risk(text).level == "emergency", assess_risk(text)


def test_level_is_highest_cue_and_cues_are_in_text_order() -> None:
    result = assess_risk("两家经常吵，昨天他砸了我家的窗，今天又拿刀来了")
    assert result.level == "emergency"
    assert [c.level for c in result.cues] == ["medium", "high", "emergency"]
    assert [c.start for c in result.cues] == sorted(c.start for c in result.cues)


def test_overlapping_cues_keep_the_higher_level() -> None:
    result = assess_risk("他们要去上访")
    assert result.cues == (RiskCue("high", "escalation", 2, 6, "要去上访"),)


def test_cue_offsets_and_text_refer_to_original() -> None:
    text = "\x00他 拿 刀 了，救命"
    result = assess_risk(text)
    assert result.level == "emergency"
    for cue in result.cues:
        assert text[cue.start : cue.end] == cue.text
    assert result.cues[0].text == "拿 刀"


def test_traditional_input() -> None:
    assert assess_risk("他要殺了我").level == "emergency"
    assert assess_risk("鄰居揚言報復").level == "high"


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ((), "none"),
        (("low",), "low"),
        (("low", "high", "medium"), "high"),
        (("emergency", None, "bogus"), "emergency"),
        ((None, "bogus", ""), "none"),
        (("none", "medium"), "medium"),
    ],
)
def test_max_level(levels: tuple[str | None, ...], expected: str) -> None:
    assert max_level(*levels) == expected


def test_assessment_is_deterministic_and_hashable() -> None:
    text = "他拿刀说要弄死我，还砸了我家"
    assert assess_risk(text) == assess_risk(text)
    assert hash(assess_risk(text)) == hash(assess_risk(text))
