"""What the agent just asked for, so the caller's next words can be read as the answer.

On a hotline the agent leads: after "您叫什么名字？" the caller says only "王大山", which no free-text
rule could tell from any other two-character word. Each clause of the agent's line is matched on its
own, the other party first, so "对方叫什么名字？" asks for the counterparty and not for the caller's name.
"""

from __future__ import annotations

import re

from triage import normalize

_ASKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "counterparty",
        re.compile(
            r"对方|跟谁|和谁|同谁|谁欠|谁打|谁占|哪个老板|老板叫|包工头叫|他叫什么|她叫什么|那人叫|那个人叫|人家叫"
        ),
    ),
    ("name", re.compile(r"贵姓|怎么称呼|称呼您|叫什么名|叫啥|叫什么|名字|姓名|您姓|你姓|姓什么")),
    ("phone", re.compile(r"电话|手机|号码|联系方式|怎么联系|联系您|联系你")),
    ("village", re.compile(r"哪个村|哪村|什么村|啥村|哪里人|哪儿人|哪的人|住哪|住在哪|哪个镇|哪个乡|村子叫|家在哪")),
    ("amount", re.compile(r"多少钱|多少工钱|多少工资|金额|欠了?多少|借了?多少|数额|多少万|多少块|赔了?多少")),
    ("incident_date", re.compile(r"什么时候|啥时候|哪天|几号|哪一年|哪年|多久了|什么时间|几月")),
)
_CLAUSE = re.compile(r"[，。？！?!,;；\n]+")
# Short acknowledgements while the caller is still answering ("嗯", "您说", "好的，继续"): they keep the
# question open, so digits dictated over several lines still count as the phone number.
_BACKCHANNEL = re.compile(
    r"^(?:嗯+|啊|哦|噢|好|好的|对|对的|是|是的|您说|你说|继续|然后呢|还有呢|慢点说|您慢慢说|[，。、,.!！\s])*$"
)


def asked_fields(agent_text: str) -> tuple[str, ...]:
    """The fields the agent asked for, in the order asked; each field at most once."""
    out: list[str] = []
    for clause in _CLAUSE.split(normalize(agent_text)):
        for field, pattern in _ASKS:
            if pattern.search(clause):
                if field not in out:
                    out.append(field)
                break  # one field per clause: the first (most specific) match decides
    return tuple(out)


def is_backchannel(agent_text: str) -> bool:
    return bool(_BACKCHANNEL.match(normalize(agent_text)))
