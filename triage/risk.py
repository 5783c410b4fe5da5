"""How urgently a message needs a human, from cue phrases in the resident's own words.

The hotline escalates "emergency" to a live agent (and tells the resident to call 110/120), "high" to the duty
mediator the same day, and "medium" to the ordinary queue with a flag. Missing an emergency is far worse than
a false alarm, so cues are broad; the rules below exist to silence the common false alarms of a verb-heavy
language (打官司, 打工, 杀猪 ...) and of residents asking about the law rather than reporting an incident.

Rules (negated cues are dropped before overlaps are resolved):

1. Cues are matched on :func:`triage.text.normalize` output with whitespace removed; offsets and ``text`` in
   each :class:`RiskCue` refer to the caller's original string.
2. Overlapping cues are resolved by keeping the higher level, then the longer match ("要去上访" is high, not the
   medium "上访" inside it).
3. **Negation**: a cue at any level is dropped when it is *immediately* preceded by a negator (没/没有/不会/未/
   从没/不再/不曾 ...), optionally followed by a companion ("跟他") and an adverb ("再", "敢"), e.g. 没有打人,
   没跟他动手, 不会打我. Imperatives such as 别打 / 不要杀我 are pleas, not negations, and stay emergencies.
   Negators further away, or across punctuation, do not count: "没人管，他拿刀" is still an emergency.
4. **Abstract legal questions**: when the message contains a legal-question marker (罪, 判几年, 犯法, 怎么判,
   法律规定 ...) and no situational marker (我/俺/咱, 他/她, 家人称谓, 现在/刚才/今天, 救命 ...), every cue is
   capped at "low". "故意伤害罪判几年" or "打人犯法吗" is a question about the law; "他打我犯法吗" is a report.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

from triage.text import _normalize_aligned, _safe_str

__all__ = ["RISK_ORDER", "RiskAssessment", "RiskCue", "RiskLevel", "assess_risk", "max_level"]

RiskLevel = Literal["none", "low", "medium", "high", "emergency"]
RISK_ORDER: tuple[str, ...] = ("none", "low", "medium", "high", "emergency")
_RANK: dict[str, int] = {level: i for i, level in enumerate(RISK_ORDER)}

# 打 starts dozens of harmless verbs; any 打-cue that could be followed by one of these is guarded with it.
_NOT_HIT = r"(?!官司|工|电话|手机|听|算|扫|印|针|游戏|麻将|牌|球|折|卡|包|扮|理|开|车|的|字|招呼|款|钱|水|药|猎|鱼)"
# Objects after 打我/打你 that make it about phones or plans, not blows.
_NOT_ME = r"(?!电话|手机|号|微信|主意|的电话|的手机)"
# Animals and food: 杀猪/弄死老鼠 are farm chores.
_NOT_ANIMAL = r"(?!猪|鸡|鸭|鹅|羊|牛|鱼|狗|兔|老鼠|虫|蚊|苍蝇|蟑螂|价)"

# (level, label, space-separated regex alternatives). Labels are stable identifiers for dashboards and tests.
_CUES: tuple[tuple[str, str, str], ...] = (
    # --- emergency: threats to life or body ---
    ("emergency", "threat_kill", f"要杀{_NOT_ANIMAL} 杀了你 杀了他 杀人了 弄死{_NOT_ANIMAL} 砍死 捅死"),
    ("emergency", "threat_kill", f"打死{_NOT_ANIMAL}(?!也|都) 要(?:他|你|我)的?命 出人命"),
    (
        "emergency",
        "weapon",
        "拿着?(?:菜刀|砍刀|刀子|刀|斧头|斧子|镰刀|铁锹|锄头|棍子|棒子|铁棍)(?!切|做饭|割稻|割麦|砍柴) "
        "砍人 捅人 砍伤 捅伤 动刀 抄家伙",
    ),
    (
        "emergency",
        "violence_now",
        f"正在打{_NOT_HIT} 打起来 动手(?!术) 打架 斗殴 流血 流了?(?:好多|很多|一地|一身)血 "
        f"打人(?!家|民) 打(?:了)?我们?{_NOT_ME} 揍我",
    ),
    (
        "emergency",
        "domestic_violence",
        f"家暴 家庭暴力 (?:老公|男人|丈夫)(?:又|总|经常|天天)?打(?:了)?我{_NOT_ME} 又打(?:了)?我{_NOT_ME}",
    ),
    (
        "emergency",
        "self_harm",
        "不想活 (?<!不)想死(?!你|您|我了) 自杀 喝了?瓶?农药 跳河 跳楼 跳井 上吊 割腕 寻死 活不下去 "
        "一死了之 轻生 死给你看 死了算了",
    ),
    (
        "emergency",
        "group_fight",
        f"两家人(?:要|在)?打{_NOT_HIT} 打群架 群殴 械斗 带人来?打 叫了一(?:帮|伙|群)人 "
        f"族里的人.{{0,6}}?(?:打{_NOT_HIT}|围|动手|砸|抄家伙)",
    ),
    ("emergency", "arson", "放火 纵火 烧房子 烧了?我家 点了我家"),
    ("emergency", "fire", "着火了 失火了? 起火了 火着起来了 被困在"),
    ("emergency", "help", "救命(?!钱) 快来人 快报警 别打了 不要打了 住手"),
    # --- high: threats to property, escalation ---
    # An injury already suffered ("被人打伤了，想调解赔偿") is serious and goes on the case, but on
    # its own it is a matter for mediation, not for 110; bleeding or a weapon still is.
    ("high", "injury_reported", "被打伤 被人打伤 打伤了"),
    (
        "high",
        "property_threat",
        "砸了?我家 要砸(?!锅卖铁) 砸了(?:我的?)?(?:房|门|窗|车|锅) 毁了?我?庄稼 毒死了?我家的? "
        "拔了我家的?苗 (?:推|扒|拆)了我家 堵门 堵我家门",
    ),
    ("high", "threat", "扬言报复 要报复 威胁 恐吓 放狠话"),
    ("high", "escalation", "要去上访 去北京上访 进京上访 集体上访 闹到(?:县|市|省|镇)里? 堵政府"),
    # --- medium: repeated conflict, soft escalation ---
    (
        "medium",
        "repeated_conflict",
        "又吵 (?:经常|天天)吵 三番五次 多次 好几(?:次|回) 说了(?:好|很)?多(?:少)?(?:次|回) "
        "一直闹 (?:吵|闹)了好几年 骂街",
    ),
    ("medium", "petition", "上访 信访"),
    ("medium", "utilities_cut", "断水断电 断了?我家的?(?:水|电) 停水停电 掐了?我家的?电 拉了?我家的?闸"),
    # --- low: ordinary conflict ---
    ("low", "quarrel", "吵架 吵起来 吵了一架 骂人 骂我 闹矛盾 有矛盾 不讲理 扯皮 闹翻"),
)

_COMPILED: tuple[tuple[str, str, re.Pattern[str]], ...] = tuple(
    (level, label, re.compile("|".join(alternatives.split()))) for level, label, alternatives in _CUES
)

_NEGATED_BEFORE = re.compile(
    r"(?<!会)(?<!有)(?<!能)(?:没有|没|不会|并没有|并没|从没有|从没|从来没有|从来没|从未|未曾|未|不曾|不再|没再)"
    r"(?:人|谁)?"
    r"(?:(?:跟|和|对|与|同|向)(?:他们|她们|他|她|人|我们|我|对方|邻居|谁))?"
    r"(?:再|敢|真的|真|会|有|想|要)?$"
)

_LEGAL_QUESTION = re.compile(
    r"(?<!得)(?<!受)罪|判几年|判多少年|判多久|怎么判|判刑|犯法|违法|算不算|属于什么|法律规定|法律上|刑法|量刑|坐牢|"
    r"怎么处罚|什么责任|承担什么|怎么认定|构成"
)
_SITUATIONAL = re.compile(
    r"我|俺|咱|本人|(?<!其)(?<!吉)[他她](?!人)|老公|丈夫|男人|媳妇|老婆|儿子|女儿|闺女|爹|娘|爸|妈|公公|婆婆|"
    r"邻居|对方|现在|正在|刚才|刚刚|马上|今天|昨天|昨晚|今晚|明天|救命|快来"
)


@dataclass(frozen=True)
class RiskCue:
    """One phrase that raised the risk level; offsets and ``text`` refer to the caller's original message."""

    level: str
    label: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class RiskAssessment:
    """Overall level (the highest cue) plus the cues in text order, so staff can see why."""

    level: str
    cues: tuple[RiskCue, ...]


def max_level(*levels: str | None) -> str:
    """Combine levels from several sources (this module, the NLU model, a form answer) without trusting them.

    Unknown strings and ``None`` count as ``"none"`` so that a typo upstream can never raise, nor lower a level
    another source reported.
    """
    best = 0
    for level in levels:
        best = max(best, _RANK.get(level, 0) if isinstance(level, str) else 0)
    return RISK_ORDER[best]


def _is_abstract_question(view: str) -> bool:
    """A question about the law with nobody in it: no speaker, no person, no here-and-now."""
    return bool(_LEGAL_QUESTION.search(view)) and not _SITUATIONAL.search(view)


# Cached: within one process the same message is judged several times (risk level, cues, emergency action).
@functools.lru_cache(maxsize=4096)
def assess_risk(text: str) -> RiskAssessment:
    """Rate how urgently a message needs a human, following the rules in the module docstring.

    Args:
        text: The resident's message, in any script or width; ``None`` is treated as empty.

    Returns:
        The assessment; level ``"none"`` with no cues when nothing matched.
    """
    original = _safe_str(text)
    view, origin = _normalize_aligned(original, keep_spaces=False)
    if not view:
        return RiskAssessment("none", ())

    found: list[tuple[int, int, int, str]] = []  # (start, end, rank, label) in view coordinates
    for level, label, pattern in _COMPILED:
        for m in pattern.finditer(view):
            if m.end() > m.start() and not _NEGATED_BEFORE.search(view, max(0, m.start() - 12), m.start()):
                found.append((m.start(), m.end(), _RANK[level], label))
    if not found:
        return RiskAssessment("none", ())

    # Highest level first, then longest: the greedy pass keeps the most telling cue for each stretch of text.
    found.sort(key=lambda c: (-c[2], -(c[1] - c[0]), c[0]))
    kept: list[tuple[int, int, int, str]] = []
    for cue in found:
        if all(cue[1] <= k[0] or cue[0] >= k[1] for k in kept):
            kept.append(cue)
    kept.sort()

    cap = _RANK["low"] if _is_abstract_question(view) else _RANK["emergency"]
    cues = []
    for start, end, rank, label in kept:
        o_start, o_end = origin[start], origin[end - 1] + 1
        cues.append(RiskCue(RISK_ORDER[min(rank, cap)], label, o_start, o_end, original[o_start:o_end]))
    return RiskAssessment(max_level(*(c.level for c in cues)), tuple(cues))
