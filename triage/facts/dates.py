"""When it happened, in a caller's words: "去年腊月", "二三年三月五号", "前天晚上", "三个月前".

A case is read weeks after the call, when "昨天" no longer means anything, so relative days, months
and years are resolved against the date of the call (China time). What a caller only said vaguely
("前几天", "年前") is kept in their words with the call date beside it, rather than made precise.
Durations ("干了三年", "两个月了") are not dates and are left alone.
"""

from __future__ import annotations

import re
from datetime import date, timedelta, timezone

import cn2an

#: China has one time zone and no daylight saving time.
CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")

_DIGIT = "零〇一二三四五六七八九"
_SMALL = "一二两三四五六七八九十"
_DIGIT_VALUES = str.maketrans(_DIGIT, "00123456789")
_REL_YEAR = {"今年": 0, "去年": -1, "前年": -2, "大前年": -3}
_REL_DAY = {
    "今天": 0, "今儿": 0, "今儿个": 0, "今早": 0, "今晚": 0, "今天早上": 0, "今天晚上": 0,
    "昨天": -1, "昨儿": -1, "昨儿个": -1, "昨晚": -1, "昨天晚上": -1,
    "前天": -2, "前儿": -2, "前天晚上": -2, "大前天": -3,
}  # fmt: skip
_LUNAR_MONTH = {"正月": "正月", "腊月": "腊月", "冬月": "冬月"}

_YEAR = (
    rf"(?P<year>大前年|前年|去年|今年|\d{{4}}年|\d{{2}}年|[{_DIGIT}]{{4}}年|[{_DIGIT}]{{2}}年)"
    r"(?![了多来间半之])(?P<part>底|初)?"
)
_MONTH = (
    r"(?P<month>(?<![个几每两多])(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])月份?"
    r"|正月|腊月|冬月|上个?月|这个?月|本月)"
)
_DAY = rf"(?P<day>(?:[12]\d|3[01]|0?[1-9]|[{_SMALL}]{{1,3}})(?:号|日)(?![子常期记本码楼线])|初[{_SMALL}]{{1,2}})"
_EXPR = re.compile(rf"(?:{_YEAR})?(?:{_MONTH})?(?:{_DAY})?")
_RELATIVE_DAY = re.compile("|".join(sorted(_REL_DAY, key=len, reverse=True)))
_AGO = re.compile(rf"(?P<n>\d{{1,2}}|[{_SMALL}]{{1,3}}|半)(?P<unit>天|个?星期|个?礼拜|周|个月|年)(?:以前|之前|前)")
_VAGUE = re.compile(
    "前几天|前些天|前些日子|前段时间|前阵子|上个?星期|上个?礼拜|上周|这几天|最近|年前|年后|过年前|过年那会儿?|春节前|春节后"
)


def today_in_china() -> date:
    from datetime import datetime

    return datetime.now(CHINA_TZ).date()


def _ymd(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _small_number(raw: str) -> int | None:
    if raw.isdigit():
        return int(raw)
    try:
        return int(cn2an.cn2an(raw.replace("两", "二"), "smart"))
    except (ValueError, KeyError, IndexError):
        return None


def _year(raw: str, today: date) -> int | None:
    if raw in _REL_YEAR:
        return today.year + _REL_YEAR[raw]
    digits = raw[:-1].translate(_DIGIT_VALUES)
    if not digits.isdigit():
        return None
    year = int(digits)
    if len(digits) == 2:  # "二三年": the nearest past year ending in those digits
        year += 2000 if year <= today.year % 100 else 1900
    return year if 1950 <= year <= today.year else None


def _month(raw: str, today: date) -> tuple[int | None, int | None, str | None]:
    """(year shift, month number, lunar month name)."""
    raw = raw.removesuffix("份")
    if raw in _LUNAR_MONTH:
        return None, None, _LUNAR_MONTH[raw]
    if raw in ("这月", "这个月", "本月"):
        return 0, today.month, None
    if raw in ("上月", "上个月"):
        return (-1, 12, None) if today.month == 1 else (0, today.month - 1, None)
    number = _small_number(raw[:-1])
    return None, number if number and 1 <= number <= 12 else None, None


def _day(raw: str) -> str | None:
    if raw.startswith("初"):
        return raw  # a lunar day: kept as said
    number = _small_number(raw[:-1])
    return f"{number}日" if number and 1 <= number <= 31 else None


def _absolute(m: re.Match[str], today: date) -> str | None:
    year_raw, month_raw, day_raw = m.group("year"), m.group("month"), m.group("day")
    year = _year(year_raw, today) if year_raw else None
    if year_raw and year is None:
        return None
    shift, month, lunar = _month(month_raw, today) if month_raw else (None, None, None)
    if month_raw and month is None and lunar is None:
        return None
    if shift is not None:
        year = (year or today.year) + shift
    day = _day(day_raw) if day_raw else None
    if day_raw and day is None:
        return None
    if not month_raw and (not year_raw or year_raw == "今年"):
        # A bare "五号" is too little to file, and a bare "今年" is nearly always an age or a harvest.
        return None
    parts = [f"{year}年{m.group('part') or ''}" if year else "", lunar or (f"{month}月" if month else ""), day or ""]
    return "".join(parts) or None


def _ago(m: re.Match[str], today: date) -> str | None:
    raw, unit = m.group("n"), m.group("unit")
    n = 0.5 if raw == "半" else _small_number(raw)
    if not n:
        return None
    if unit == "天":
        return _ymd(today - timedelta(days=int(n)))
    if unit.endswith(("星期", "礼拜")) or unit == "周":
        return _ymd(today - timedelta(weeks=n)) + "前后"
    if unit == "个月" and n < 1:
        return _ymd(today - timedelta(days=int(n * 30))) + "前后"
    if unit == "个月":
        months = today.year * 12 + today.month - 1 - int(round(n))
        return f"{months // 12}年{months % 12 + 1}月"
    return f"{today.year - int(n)}年" if n == int(n) else None


def find_incident_date(text: str, today: date) -> str | None:
    """The first date in ``text`` (normalized, no spaces), resolved against ``today``; None if none.

    Returns e.g. ``"2025年3月5日"``, ``"2025年腊月"``, ``"3月"`` (year not said), or
    ``"前几天（2026年11月23日来电）"`` for vague phrases.
    """
    found: list[tuple[int, str]] = []
    for m in _EXPR.finditer(text):
        if m.end() > m.start():
            value = _absolute(m, today)
            if value:
                found.append((m.start(), value))
                break
    relative = _RELATIVE_DAY.search(text)
    if relative:
        found.append((relative.start(), _ymd(today + timedelta(days=_REL_DAY[relative.group()]))))
    ago = _AGO.search(text)
    if ago:
        value = _ago(ago, today)
        if value:
            found.append((ago.start(), value))
    if not found:
        vague = _VAGUE.search(text)
        if vague:
            found.append((vague.start(), f"{vague.group()}（{_ymd(today)}来电）"))
    return min(found)[1] if found else None
