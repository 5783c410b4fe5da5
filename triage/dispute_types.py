"""Which kind of dispute a resident is describing, from their own words.

A lexicon, not a model: the hotline and the forms need an answer that is deterministic, explainable to staff
("matched 宅基地 at 5-8") and fast enough to run on every message. The NLU model's intent and entity output is
reconciled with this module through :func:`normalize_dispute_value`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from triage.text import _normalize_aligned, _safe_str, normalize

__all__ = ["DISPUTE_TYPES", "DISPUTE_TYPE_LABELS", "DisputeMatch", "classify_dispute", "normalize_dispute_value"]

DISPUTE_TYPES: tuple[str, ...] = (
    "land_contract",
    "homestead",
    "marriage_family",
    "support_elderly",
    "inheritance",
    "wage_arrears",
    "neighbor",
    "personal_injury",
    "traffic_accident",
    "debt",
    "consumer",
    "property_mgmt",
    "other",
)

DISPUTE_TYPE_LABELS: dict[str, str] = {
    "land_contract": "土地承包",
    "homestead": "宅基地",
    "marriage_family": "婚姻家庭",
    "support_elderly": "赡养抚养",
    "inheritance": "继承",
    "wage_arrears": "欠薪劳动",
    "neighbor": "邻里",
    "personal_injury": "人身损害",
    "traffic_accident": "交通事故",
    "debt": "借贷",
    "consumer": "消费",
    "property_mgmt": "物业",
    "other": "其他",
}

# When several types match, the first in this order wins: the more specific legal relationship decides which
# statute and which department apply (a car crash that injured someone is handled as a traffic accident; a
# quarrel over a house plot is a homestead case even though it is between neighbours).
_PRIORITY: tuple[str, ...] = (
    "traffic_accident",
    "inheritance",
    "homestead",
    "land_contract",
    "wage_arrears",
    "consumer",
    "property_mgmt",
    "marriage_family",
    "support_elderly",
    "personal_injury",
    "debt",
    "neighbor",
)

# Entries are space-separated regex fragments over normalized (Simplified, whitespace-free) text; most are
# plain words.
# "Strong" entries name the dispute by themselves. "Weak" entries are generic words (小区, 商家, 结婚 ...) that
# only decide the type when no strong entry of any type is present, so "小区里邻居噪音" stays a neighbour case.
# Typos and speech-recognition homophones seen in hotline transcripts are listed next to the correct word.
_STRONG: dict[str, str] = {
    "traffic_accident": (
        "车祸 交通事故 交通是故 交通事古 交通意外 追尾 肇事 逃逸 逃移 撞了 撞车 撞伤 撞死 被车撞 "
        "车撞 撞到 酒驾 醉驾 无证驾驶 交强险 交警 翻车 刮蹭"
    ),
    "inheritance": (
        "遗产 遗铲 继承 继成 遗嘱 遗赠 分家产 分家 老人走了留下 "
        "(?:爹|娘|爸|妈|父母|爹娘|老人|老爷子|老太太)(?:留下|留的|走后留)的?(?:房|老房|宅|屋|地|钱|存款|家产) "
        "(?:去世|过世|走了|死了|不在了)(?:以?后)?(?:留下|留的|留了)"
    ),
    "homestead": (
        "宅基地 房基地 宅基 宅机地 宅鸡地 宅几地 窄基地 庄基地 庄基 屋基地 屋场地 盖房的地 "
        "盖房子的地 老宅子的地 老宅的地 宅院 房场"
    ),
    "land_contract": (
        "承包地 土地承包 承包合同 承包经营权 承包田 成包地 口粮田 口粮地 责任田 责认田 征地 "
        "土地征收 地被收回 收回承包 土地确权 确权 青苗费 土地补偿 林地承包 山林承包 包地合同 租地 "
        "土地流转 承包的地 承包的田 包的地 承包户 承包期"
    ),
    "wage_arrears": (
        "工钱 工资 欠薪 欠新 讨薪 讨新 包工头 包公头 老板跑了 工伤 加班费 辞退 劳动合同 劳务费 "
        "开除 经济补偿金 农民工 社保 老板.{0,4}(?:不给钱|欠|不发|拖欠|跑|赖) "
        "(?:工地|干活|上班).{0,6}(?:摔伤|砸伤|受伤|摔断)"
    ),
    "consumer": (
        "假货 假种子 假化肥 假农药 假肥料 退货 以次充好 以次冲好 三无产品 假冒伪劣 伪劣 劣质 "
        "质量问题 消费者 12315 售后 不发芽 不出苗 烧苗 保健品 假药 假酒 假冒 买的.{0,6}(?:坏了|是假的|有问题)"
    ),
    "property_mgmt": "物业 务业 物叶 物管 业主 业委会 维修基金 公摊 停车位",
    "marriage_family": (
        "离婚 离昏 彩礼 财礼 抚养权 扶养权 抚养费 扶养费 出轨 家暴 家庭暴力 婚外情 小三 分居 离异 "
        "前夫 前妻 重婚 结婚证 订婚 退婚 探望权 老公打我 男人打我 丈夫打我 (?:孩子|娃|小孩)归谁 "
        "(?:和|跟)(?:我|俺)?(?:对象|老公|老婆|媳妇|男人|丈夫|爱人).{0,6}(?:吵|闹|打|过不下去) 日子过不下去"
    ),
    "support_elderly": (
        "赡养 善养 擅养 瞻养 养老钱 不管老人 老人没人管 老了没人管 不养老人 不孝 "
        "(?:儿子|女儿|儿女|子女|闺女|儿媳|孩子们).{0,4}(?:不管我|不养我|不给生活费|不管老人|不给钱) "
        "(?:不|没)(?:好好)?(?:养|管|孝顺|伺候|照顾)(?:俺|我|他|她)?"
        "(?:爹|娘|爸|妈|老爹|老娘|老人|父母|爹娘|爸妈|公婆|婆婆|公公) "
        "嫌弃?(?:俺|我)?(?:爹|娘|爸|妈|老人|公婆|婆婆|公公) "
        "(?:给|让)(?:他|她|老人|俺爹|俺娘|我爹|我娘)住(?:柴房|牛棚|猪圈|偏房|羊圈)"
    ),
    "personal_injury": (
        "打伤 被打 受伤 狗咬 咬伤 摔伤 医药费 医要费 医疗费 误工费 伤残 骨折 伤情鉴定 轻伤 重伤 "
        "砸伤 烫伤 人身损害 打人 弄伤 撞伤 划伤 碰伤 被咬 顶伤 踢伤"
    ),
    "debt": (
        "借钱 借款 借歀 欠款 借条 欠条 借据 高利贷 高利待 欠钱 欠帐 欠账 赖账 赖帐 催债 讨债 要账 "
        "要债 网贷 借贷 欠我钱 借给 欠(?:俺|我|咱)(?:家)?的?(?:钱|\\d+|[一二两三四五六七八九十几]+[万千百块])"
    ),
    "neighbor": (
        "邻居 林居 临居 邻里 邻家 隔壁 左邻右舍 地界 滴水 排水 挡光 采光 噪音 占道 挡路 堵路 界桩 " "界石 院墙"
    ),
}

_WEAK: dict[str, str] = {
    "land_contract": "流转 包地 分地",
    "homestead": "盖房 老宅",
    "wage_arrears": "工地 打工 老板",
    "consumer": "商家 退钱 退款 买到 过期 超市 网购 推销",
    "property_mgmt": "小区 电梯 保安 车位",
    "marriage_family": "结婚 夫妻 老公 老婆 媳妇 丈夫 婚后 婚前",
    "support_elderly": "养老 老人 生活费",
    "debt": "还钱 担保 利息 不还 借了 贷款",
    "neighbor": "楼上 楼下 鸡鸭 垃圾",
}


def _compile(table: dict[str, str]) -> dict[str, re.Pattern[str]]:
    """One alternation per type, longest entries first so the reported keyword is the most specific one."""
    return {kind: re.compile("|".join(sorted(words.split(), key=len, reverse=True))) for kind, words in table.items()}


_STRONG_RE = _compile(_STRONG)
_WEAK_RE = _compile(_WEAK)

# Exact values a caller may pass to normalize_dispute_value besides the enum values and Chinese labels:
# NLU entity synonyms, short labels used by staff, and English words from the agent-assist UI.
_ALIASES: dict[str, str] = {
    **{label: kind for kind, label in DISPUTE_TYPE_LABELS.items()},
    "其它": "other",
    "别的": "other",
    "土地": "land_contract",
    "承包": "land_contract",
    "婚姻": "marriage_family",
    "家庭": "marriage_family",
    "赡养": "support_elderly",
    "抚养": "support_elderly",
    "劳动": "wage_arrears",
    "欠薪": "wage_arrears",
    "劳动争议": "wage_arrears",
    "邻居": "neighbor",
    "相邻关系": "neighbor",
    "人身伤害": "personal_injury",
    "伤害": "personal_injury",
    "债务": "debt",
    "欠款": "debt",
    "民间借贷": "debt",
    "消费纠纷": "consumer",
    "物业纠纷": "property_mgmt",
    "land": "land_contract",
    "marriage": "marriage_family",
    "divorce": "marriage_family",
    "family": "marriage_family",
    "elderly": "support_elderly",
    "support": "support_elderly",
    "wage": "wage_arrears",
    "wages": "wage_arrears",
    "labor": "wage_arrears",
    "labour": "wage_arrears",
    "neighbour": "neighbor",
    "injury": "personal_injury",
    "traffic": "traffic_accident",
    "loan": "debt",
    "property": "property_mgmt",
}


@dataclass(frozen=True)
class DisputeMatch:
    """The winning dispute type and the evidence for it.

    ``start``/``end`` index the caller's original text so that a UI can highlight exactly what the resident
    wrote; ``keyword`` is the normalized (Simplified) form that matched the lexicon.
    """

    value: str
    keyword: str
    start: int
    end: int
    #: A keyword that names the dispute by itself (离婚, 宅基地), not a generic word (老公, 老板).
    strong: bool = True


def classify_dispute(text: str) -> DisputeMatch | None:
    """Guess the dispute type of a free-text message.

    Matching runs on the normalized text with whitespace removed (dictation splits words with spaces), and
    offsets are mapped back to ``text``. When several types match, strong keywords beat weak ones and then
    :data:`_PRIORITY` decides, specific before generic; within the winning type the earliest keyword is reported.

    Args:
        text: The resident's message, in any script or width.

    Returns:
        The match, or ``None`` when no keyword is present. ``"other"`` is never returned: "I could not tell"
        must stay distinguishable from "the resident said it is something else".
    """
    view, origin = _normalize_aligned(_safe_str(text), keep_spaces=False)
    if not view:
        return None
    for table in (_STRONG_RE, _WEAK_RE):
        for kind in _PRIORITY:
            pattern = table.get(kind)
            found = pattern.search(view) if pattern else None
            if found:
                start, end = origin[found.start()], origin[found.end() - 1] + 1
                return DisputeMatch(kind, found.group(), start, end, strong=table is _STRONG_RE)
    return None


def normalize_dispute_value(raw: str) -> str | None:
    """Map whatever upstream produced (enum value, label, entity span, typo) onto :data:`DISPUTE_TYPES`.

    The NLU model, the forms and staff all spell dispute types differently; this is the single place that
    decides what they mean. Exact values and labels are tried first so that ``"其他"`` maps to ``"other"``
    (which :func:`classify_dispute` never returns); anything else goes through the lexicon.

    Args:
        raw: A slot value, entity text or label; ``None`` and non-strings are tolerated.

    Returns:
        One of :data:`DISPUTE_TYPES`, or ``None`` when the value means nothing to us.
    """
    text = normalize(_safe_str(raw))
    if not text:
        return None
    key = text.lower().replace("-", "_").replace(" ", "_")
    if key in DISPUTE_TYPES:
        return key
    alias = _ALIASES.get(key) or _ALIASES.get(key.replace("_", ""))
    if alias:
        return alias
    match = classify_dispute(text)
    return match.value if match else None
