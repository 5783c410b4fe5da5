"""Which part of a guide a follow-up asks for: "那俺该上哪告他去" is ``where``, "要花钱不" is ``cost``.

A follow-up only makes sense next to the answer before it, so this reads the words that ask, not the
matter: the matter comes from the conversation (``knowledge.guides.policy``). A lexicon rather than
a model: the ways of asking "where / how much / how long / what to bring / tell me more" are few and
stable, and the answer must be explainable when it goes wrong.
"""

from __future__ import annotations

import re

__all__ = ["asks_for_section", "follow_up_sections", "looks_like_follow_up"]

_PATTERNS: dict[str, re.Pattern[str]] = {
    "cost": re.compile(
        r"(?<![俺我他她你])(?:花|要|收|掏|交|出|付|给)(?:多少|几个|啥)?(?:钱|费)|费用|收费|免费|贵不贵|贵吗|贵不|太贵|便宜|"
        r"律师费|诉讼费|仲裁费|法律援助|援助|不要钱|(?<![俺我他她你])要钱|花销|花费|几个钱|咋收费|负担不起|没钱(?:请|打)|一分钱|"
        r"请不起|打不起|掏不起|出不起"
    ),
    "time_limits": re.compile(
        r"多长时间|多久|多少天|几天|几个月|几年|多长|期限|时效|过期|来得及|还能(?:告|要|起诉|申请|追)|晚了|"
        r"啥时候|什么时候|何时|截止|到期|拖了|过了.{0,8}(?:还|能)|要等|等多|多快|时间"
    ),
    "evidence": re.compile(
        r"材料|证据|证明|带啥|带什么|带上|准备啥|准备什么|准备些|手续|凭证|收据|单据|票据|欠条|录音|照片|"
        r"病历|发票|合同(?:要|得)|拿啥|拿什么|要啥东西|什么东西|啥东西|哪些东西|带哪些|留啥|留什么|存啥|单子|还要啥$"
    ),
    "where": re.compile(
        r"上哪|去哪|到哪|在哪|哪儿|哪里|哪个部门|哪个单位|哪家|找谁|找哪|谁管|谁来管|管不管|归谁管|谁负责|"
        r"告他|告她|告谁|告哪|起诉|打官司|部门|衙门|法院|派出所|司法所|仲裁|人社|劳动局|信访办|妇联|"
        r"找(?:村|镇|乡|县)|投诉|举报|报警|报案|门路|地方"
    ),
    "steps": re.compile(
        r"详细|具体|仔细|细说|多说|展开|步骤|下一步|一步|然后呢|流程|程序|办法|法子|说说|讲讲|再说|接着说|还有呢|"
        r"怎么走|咋走|路子|怎么操作|第一步"
    ),
}
# "咋办" asks for the steps only when nothing more specific is asked: "过了咋办" is about the deadline.
_WEAK_STEPS = re.compile(r"咋办|怎么办|咋整|咋弄|怎么弄|怎么做|咋做|咋个办|咋个弄|咋弄嘛|该咋")
# Checked in this order: the most specific question first ("起诉要花钱不" asks about cost, not where).
_ORDER: tuple[str, ...] = ("cost", "time_limits", "evidence", "where", "steps")
# Words that point back at what was just said: "那", "这事", "他".
_ANAPHORA = re.compile(
    r"^(?:那|那么|这|这个|这事|这种|那我|那俺|那咱|那要|那得|那他|要是|如果|还有|另外|再问)|[他她]|这事|那事|这种情况"
)
#: A follow-up is short; a long message tells a new story even when it asks "咋办".
FOLLOW_UP_MAX_CHARS = 30


def follow_up_sections(view: str) -> list[str]:
    """The sections a (normalised, space-free) message asks for, the one asked last first; [] when none.

    The question comes at the end of a Chinese sentence: "要是起诉的话都有哪些步骤" asks for the steps,
    "起诉要花钱不" for the cost, although both mention 起诉.
    """
    last: dict[str, int] = {}
    for name in _ORDER:
        ends = [m.end() for m in _PATTERNS[name].finditer(view)]
        if ends:
            last[name] = max(ends)
    if not last and _WEAK_STEPS.search(view):
        return ["steps"]
    return sorted(last, key=lambda name: (-last[name], _ORDER.index(name)))


def asks_for_section(view: str) -> bool:
    """A specific ask ("上哪告", "要花钱不", "详细说说"), not just a "咋办" that any new question ends with."""
    return any(pattern.search(view) for pattern in _PATTERNS.values())


def looks_like_follow_up(view: str) -> bool:
    """Short, and asks for a section or points back at the previous answer."""
    if len(view) > FOLLOW_UP_MAX_CHARS:
        return False
    return bool(follow_up_sections(view)) or bool(_ANAPHORA.search(view))
