"""The risk engine: explicit cues per level, the guards, negation, and the messages the issue was filed for.

Cue tests pin the audited lexicon (``triage.risk_cues``); they do not depend on the trained model.
The model's quality is measured on held-out data by ``bench/risk_engine.py``, not here; these tests
check that it is served as fitted, fresh, and never overrides the guards.
"""

from __future__ import annotations

import pytest

from triage import RISK_ORDER, RiskAssessment, RiskCue, assess_risk, is_identity_only, max_level
from triage.risk_cues import find_cues
from triage.risk_levels import LEVELS, level_rank
from triage.text import normalize


def cue_level(text: str) -> str:
    """The level the explicit cues alone set (before guards and the model)."""
    found = find_cues(normalize(text).replace(" ", ""))
    return RISK_ORDER[max((rank for _, _, rank, _ in found), default=0)]


CUE_EMERGENCY = [
    "他说今晚要杀了我全家",  # reported speech with a time
    "他拿刀站在我家门口",
    "拿着斧头砍门",
    "两家人打起来了快来人",
    "他们正在打架",
    "我被打伤了一直在流血",
    "我男人又打我了",
    "我不想活了",
    "日子过不下去了我想死",
    "我妈说要喝农药",
    "她要跳河",
    "剩下的安定我准备全吃了",
    "我想從宿舍樓頂下去",  # Traditional
    "族里的人都来打我们家",
    "他叫了一帮人来我家",
    "他要放火烧我家房子",
    "救命啊",
    "俺娃放学到现在没回来",
    "老板扣着身份证不让走",
    "俺男人一直昏迷叫不醒",
    "我被我男人打得动不了了 他出去买酒了 一会儿回来还要打",
]

CUE_HIGH = [
    "他说要杀了我全家",  # a threat without a time or a weapon
    "邻居扬言要弄死我",
    "老公打我好几年了 是家暴",
    "他喝了酒就打 打了好多回了",
    "派出所给他发过告诫书",
    "他扬言报复我们",
    "要去北京上访",
    "不解决就闹到县里",
    "上个月被人打伤了",
    "去年他拿刀来过我家 伤了我",
]

CUE_MEDIUM = [
    "他把我家的门砸了还说要砸了我家",
    "邻居毁了庄稼",
    "有人毒死我家的羊",
    "天天来堵门",
    "两家又吵起来了",
    "三番五次来闹事",
    "邻居断了我家的水",
]

CUE_LOW = ["我和邻居吵架了", "他不讲理", "两家有矛盾", "他骂我", "吵了一架"]


@pytest.mark.parametrize("text", CUE_EMERGENCY)
def test_emergency_cues(text: str) -> None:
    assert cue_level(text) == "emergency"
    assert assess_risk(text).level == "emergency", assess_risk(text)


@pytest.mark.parametrize("text", CUE_HIGH)
def test_high_cues(text: str) -> None:
    assert cue_level(text) == "high"
    assert level_rank(assess_risk(text).level) >= level_rank("high")


@pytest.mark.parametrize("text", CUE_MEDIUM)
def test_medium_cues(text: str) -> None:
    assert cue_level(text) == "medium"
    assert level_rank(assess_risk(text).level) >= level_rank("medium")


@pytest.mark.parametrize("text", CUE_LOW)
def test_low_cues(text: str) -> None:
    assert cue_level(text) == "low"


CUE_NONE = [
    "我想打官司",
    "在外面打工工资没拿到",
    "给他打电话他不接",
    "帮我打听一下",
    "打扫卫生的时候摔了",
    "去镇上打印材料",
    "孩子去打针了",
    "死亡赔偿金怎么算",
    "过年要杀猪",
    "我爹去年过世了",
    "他又打我电话",
    "砸锅卖铁也要把官司打赢",
    "这是我的救命钱",
    "想死你了",
    "医院说要动手术",
    "拿刀切菜的时候切到手",
    "老鼠药能弄死老鼠吗",
    "打死野猪犯法不",
    "娃的疫苗本丢了 去哪补办",
    "家里柴油机打不着火了",
    "村卫生室给人上吊瓶 需要啥资质",
    "放火烧秸秆会罚款吗",
    "孩子说要拼命学习",
    "老婆孩子都被我骂过 可我管不住手",
]


@pytest.mark.parametrize("text", CUE_NONE)
def test_words_that_only_look_dangerous_are_no_cue(text: str) -> None:
    assert cue_level(text) == "none"


@pytest.mark.parametrize(
    "text",
    [
        "俺是他闺女 叫李秀兰 手机15937651234",
        "王建国 13812345678",
        "案件号2026-QIN-000123 尾号5678",
        "俺叫葛小军 清水湾村的",
        "我是当事人的哥哥 叫杨树林",
        "电话一三八一二三四五六七八",
    ],
)
def test_a_name_phone_village_or_case_number_is_never_danger(text: str) -> None:
    assert assess_risk(text) == RiskAssessment("none", ())


def test_identity_guard_lets_a_cry_for_help_through() -> None:
    assert not is_identity_only(normalize("俺叫王芳13812345678快来").replace(" ", ""))
    assert assess_risk("俺叫王芳 13812345678 救命").level == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "我们没有打人",
        "我没动手",
        "他不会打我的",
        "我们俩没有打架，就是吵了几句",
        "他从来没有家暴过",
        "没有人拿刀",
        "娃没走丢 学校组织春游去了",
    ],
)
def test_negated_cues_are_dropped(text: str) -> None:
    assert level_rank(cue_level(text)) <= level_rank("low")


@pytest.mark.parametrize(
    "text",
    ["别打了", "不要杀我", "没人管，他拿刀了", "我没有钱他拿刀要杀我"],
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
        "拐卖妇女儿童判多少年",  # 妇女儿童 is not 女儿
        "听说邻县有人跳河被救上来了",  # hearsay about strangers
        "熬夜追剧 剧里那个女的跳崖了 气得我一晚上没睡",  # a story on a screen
        "我娃小时候走丢过一回 后来找回来了 现在想给他办身份证",  # over and settled
        "隔壁村有户人家房子着火了 说是电线老化 人都没事",  # safe now
    ],
)
def test_questions_news_and_the_past_are_at_most_low(text: str) -> None:
    assert level_rank(assess_risk(text).level) <= level_rank("low"), assess_risk(text)


@pytest.mark.parametrize(
    "text", ["他打我犯法吗 他现在还在打", "邻居拿着刀说要杀了我，这犯法吗", "现在他们正在打架，打人犯法吗"]
)
def test_questions_about_own_situation_keep_their_level(text: str) -> None:
    assert assess_risk(text).level == "emergency", assess_risk(text)


class TestTheIssuesMessages:
    """The words the risk issue was filed for: the same level on every channel, since all call this."""

    def test_a_suicide_threat_without_the_word_suicide(self) -> None:
        assert assess_risk("俺在家 俺真撑不住了 农药就在边上 喝了一了百了").level == "emergency"

    def test_years_of_beatings_are_high(self) -> None:
        assert assess_risk("他喝了酒就打 打了好多回了 身上还青着").level == "high"

    def test_a_daughter_giving_her_name_and_phone_is_not_an_emergency(self) -> None:
        assert assess_risk("俺是他闺女 叫李秀兰 手机15937651234").level == "none"

    def test_a_hit_and_run_victim_in_hospital_is_not_none(self) -> None:
        assert level_rank(assess_risk("俺爹叫车撞了 司机跑了 人在医院").level) >= level_rank("medium")


def test_level_is_the_highest_cue_and_cues_are_in_text_order() -> None:
    result = assess_risk("两家经常吵，昨天他砸了我家的窗，今天又拿刀来了")
    assert result.level == "emergency"
    explicit = [c for c in result.cues if c.label != "model"]
    assert [c.level for c in explicit] == ["medium", "medium", "emergency"]
    assert [c.start for c in explicit] == sorted(c.start for c in explicit)


def test_overlapping_cues_keep_the_higher_level() -> None:
    result = assess_risk("他们要去上访")
    assert [c for c in result.cues if c.label != "model"] == [RiskCue("high", "petition_grievance", 2, 6, "要去上访")]


def test_cue_offsets_and_text_refer_to_the_original() -> None:
    text = "\x00他 拿 刀 了，救命"
    result = assess_risk(text)
    assert result.level == "emergency"
    for cue in result.cues:
        if cue.label != "model":
            assert text[cue.start : cue.end] == cue.text
    assert result.cues[0].text == "拿 刀"


def test_a_model_reason_names_the_words_that_weighed() -> None:
    result = assess_risk("药都买好了 这辈子就这样吧 娃以后就拜托你们了")
    model = [c for c in result.cues if c.label == "model"]
    assert result.level == "emergency" and result.model_level == "emergency"
    assert model and model[0].text  # the n-grams that pushed it, shown to staff


def test_labels_are_level_and_label() -> None:
    assert "emergency:self_harm" in assess_risk("我不想活了").labels


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


def test_every_level_has_a_colour_and_a_meaning() -> None:
    assert set(LEVELS) == set(RISK_ORDER)
    assert [LEVELS[level].colour for level in RISK_ORDER[1:]] == ["blue", "yellow", "orange", "red"]


def test_assessment_is_deterministic_and_hashable() -> None:
    text = "他拿刀说要弄死我，还砸了我家"
    assert assess_risk(text) == assess_risk(text)
    assert hash(assess_risk(text)) == hash(assess_risk(text))


def test_empty_and_odd_input() -> None:
    assert assess_risk("") == RiskAssessment("none", ())
    assert assess_risk(None) == RiskAssessment("none", ())  # type: ignore[arg-type]
    assert assess_risk("\ud800 \x00").level == "none"
