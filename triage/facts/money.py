"""Sums of money in a caller's words: "两万五", "三万多块", "3.5万元", "八百块钱".

A case record needs one comparable figure, so spoken and written numbers are turned into yuan with
``cn2an``. Numbers are only read as money with a currency word (块/元) or a 万/千 magnitude next to a
money word in the same line: "三块地", "五百亩", "六十三岁" and phone digits must stay what they are.
"""

from __future__ import annotations

import re

import cn2an

_CN_NUM = "零〇一二两三四五六七八九十百千万亿点几"
_MONEY = re.compile(
    rf"(?P<num>\d+(?:\.\d+)?[万千百]?|[{_CN_NUM}]+)"
    r"(?P<approx>多|来)?"
    r"(?P<cur>万元|万块钱?|块钱|块|元|圆)?"
    r"(?=(?P<after>.{0,2}))"
)
# Units after which a number is not money: land, weight, people, time, things.
_NOT_MONEY_AFTER = re.compile(
    r"^(?:米|亩|斤|平|公里|公斤|克|吨|里|人|户|个|岁|年|月|天|号|次|棵|头|只|间|层|楼|点|分|秒|条|家|口)"
)
# "一块地", "两块田": 块 is also the classifier for plots of land.
_BLOCK_NOT_MONEY = re.compile(r"^(?:地|田|宅|石|砖|板|木|肉|布|菜|坡|山|林|玻璃|儿地)")
_MONEY_WORDS = re.compile(r"钱|欠|借|赔|工资|工钱|彩礼|还|给|要|花|罚|付|交|费|款|债|贷|补偿|利息|报酬|赚|损失")
_MAX_YUAN = 10**10


def _to_number(raw: str) -> float | None:
    """The value of ``raw``; when a name runs into the number ("刘二三万"), the longest readable tail."""
    for start in range(len(raw)):
        try:
            return float(cn2an.cn2an(raw[start:], "smart"))
        except (ValueError, KeyError, IndexError):
            continue
    return None


def _format(value: float, approx: str | None) -> str:
    figure = str(int(value)) if value == int(value) else f"{value:.2f}".rstrip("0").rstrip(".")
    if approx == "多":
        return f"{figure}多元"
    if approx == "来":
        return f"约{figure}元"
    return f"{figure}元"


def find_amounts(text: str, *, asked: bool = False) -> list[str]:
    """Every sum of money in ``text`` (normalized Simplified text, no spaces), in order, as e.g. ``"25000元"``.

    ``asked``: the text answers "多少钱？", so a bare number ("三百") is a sum too.
    """
    out: list[str] = []
    money_context = asked or bool(_MONEY_WORDS.search(text))
    for m in _MONEY.finditer(text):
        num, approx, cur, after = m.group("num"), m.group("approx"), m.group("cur"), m.group("after")
        if cur is None and (_NOT_MONEY_AFTER.match(after) or not money_context):
            continue
        if cur is None and not asked and not re.search("[万千]", num):
            continue  # "三百" on its own is as likely seeds, steps or metres as yuan
        if cur == "块" and _BLOCK_NOT_MONEY.match(after):
            continue
        num = num.strip("点")
        if "几" in num and num != "几":  # "十几万": an honest range, kept in words rather than made precise
            out.append(f"{num}{'万' if cur and cur.startswith('万') else ''}元")
            continue
        if not num or num in ("几", "百", "千", "万", "亿"):
            continue
        value = _to_number(num)
        if cur and cur.startswith("万"):
            value = value * 10_000 if value is not None else None
        if value is None or value <= 0 or value > _MAX_YUAN or (cur is None and value < 10):
            continue
        out.append(_format(value, approx))
    return out
