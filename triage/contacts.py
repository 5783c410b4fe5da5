"""Phone numbers in residents' messages: find them, read them back, and hide them from people who should not see them.

Residents give numbers however they speak: spaced in groups, with dashes, full-width from a Chinese keyboard,
or as Chinese digits from speech recognition ("幺三九..."). Validation is delegated to ``phonenumbers`` so that
a number we call back is at least a number that can exist; everything here works on a *length-preserving*
digit view of the text so that matches can be masked in place in the original.
"""

from __future__ import annotations

import functools
import re
from types import ModuleType
from typing import Any

from triage.text import _safe_str

__all__ = ["extract_phones", "last4", "mask_cards", "mobile_shaped", "mask_identifiers", "mask_phone", "parse_phone"]

_SPOKEN_DIGITS = "零〇洞一幺二两三四五六七拐八九"
_SPOKEN_VALUES = "000112234567789"
# Full-width digits and separators map 1:1 onto ASCII, Chinese spoken digits onto their values: one character
# in, one character out, so offsets in the view are offsets in the original.
_FULLWIDTH = str.maketrans(
    {
        **{chr(0xFF10 + d): str(d) for d in range(10)},
        **{"\uff0b": "+", "\uff0d": "-", "\u3000": " ", "\uff08": "(", "\uff09": ")"},
    }
)
_SPOKEN = str.maketrans(dict(zip(_SPOKEN_DIGITS, _SPOKEN_VALUES, strict=True)))
# A run of at least 7 digits, spoken or written, possibly split by spaces or dashes. Shorter runs are ages,
# dates and amounts ("六十三岁", "三五天") and must stay words.
_DIGIT_RUN = re.compile(rf"[0-9{_SPOKEN_DIGITS}](?:[\s\-,，、]*[0-9{_SPOKEN_DIGITS}]){{6,}}")
_HAS_SPOKEN = re.compile(rf"[{_SPOKEN_DIGITS}]")
_MAYBE_PHONE = re.compile(r"\d(?:[\s\-.()]*\d){6}")
# Dictated numbers come in groups: "幺八七，三零五二，六六一九" (an IME puts full-width commas in).
_JOIN_SEPARATORS = re.compile(r"(?<=\d)[\s\-.,，、。]+(?=\d)")
_MOBILE = re.compile(r"1\d{10}")
_LANDLINE = re.compile(r"(0\d{2,3})-(\d{7,8})")
# Resident ID numbers: 18 characters (17 digits + digit/X), possibly grouped; old 15-digit IDs too.
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])(?:\d(?:[ \-]?\d){16}[ \-]?[\dXx]|\d{15})(?![0-9A-Za-z])")
# Safety net for logs: any 11-digit run starting with 1 that phonenumbers did not accept (new prefixes, typos).
_MOBILE_SHAPED = re.compile(r"(?<!\d)1\d(?:[\s\-]?\d){9}(?!\d)")
# Bank cards are 16 to 19 digits, often typed in groups of four.
_BANK_CARD = re.compile(r"(?<![0-9A-Za-z])\d(?:[ \-]?\d){15,18}(?![0-9A-Za-z])")


@functools.lru_cache(maxsize=1)
def _pn() -> ModuleType:
    """Import ``phonenumbers`` on first use: it costs ~50 ms, which callers that only classify should not pay."""
    import phonenumbers

    return phonenumbers


def _spoken_to_digits(match: re.Match[str]) -> str:
    run = match.group()
    return run.translate(_SPOKEN) if _HAS_SPOKEN.search(run) else run


def _digit_view(text: str) -> str:
    """Same length as ``text``, with every way of writing a digit turned into an ASCII digit."""
    view = text.translate(_FULLWIDTH)
    if _HAS_SPOKEN.search(view):
        view = _DIGIT_RUN.sub(_spoken_to_digits, view)
    return view


def _format(number: Any) -> str:
    """National form without the country code, the way staff dial it; foreign numbers keep E.164."""
    pn = _pn()
    if number.country_code != 86:
        return pn.format_number(number, pn.PhoneNumberFormat.E164)
    nsn = pn.national_significant_number(number)
    kind = pn.number_type(number)
    if kind in (pn.PhoneNumberType.FIXED_LINE, pn.PhoneNumberType.FIXED_LINE_OR_MOBILE) and not _MOBILE.fullmatch(nsn):
        area = pn.length_of_geographical_area_code(number)
        return f"0{nsn[:area]}-{nsn[area:]}" if area else f"0{nsn}"
    return nsn


def _find(view: str) -> list[tuple[int, int, str]]:
    """Valid numbers in a digit view as ``(start, end, formatted)``."""
    if not _MAYBE_PHONE.search(view):
        return []
    pn = _pn()
    return [
        (m.start, m.end, _format(m.number))
        for m in pn.PhoneNumberMatcher(view, "CN", leniency=pn.Leniency.VALID)
        if pn.is_valid_number(m.number)
    ]


def extract_phones(text: str) -> list[str]:
    """All valid phone numbers in a message, in order of appearance and without duplicates.

    Returns mobiles as 11 digits ('13912345678') and landlines as area code and number ('0371-65432100') so
    that the same number spelt two ways compares equal in the CRM. Invalid numbers (wrong prefix, wrong length)
    are left out rather than guessed at: calling a wrong number back is worse than asking again.
    """
    seen: dict[str, None] = {}
    for _, _, phone in _find(_digit_view(_safe_str(text))):
        seen.setdefault(phone, None)
    return list(seen)


def parse_phone(text: str) -> str | None:
    """Read the phone number out of a form answer ('我电话是139 1234 5678', '幺三九一二三四五六七八').

    If the answer holds several valid numbers the first one is returned, because residents tend to give their
    own number first ("打我的，不行就打我儿子的"). Separators between digits are dropped as a last resort, for
    answers dictated one digit at a time.

    Returns:
        The number in :func:`extract_phones` form, or ``None`` when there is no valid number.
    """
    view = _digit_view(_safe_str(text))
    for candidate in (view, _JOIN_SEPARATORS.sub("", view)):
        found = _find(candidate)
        if found:
            return found[0][2]
    return None


def _mask_generic(value: str) -> str:
    """Show at most the first 3 and last 2 characters, fewer for short values so most of it stays hidden."""
    n = len(value)
    if n <= 4:
        return "*" * n
    head, tail = min(3, n // 3), min(2, n // 4)
    return value[:head] + "*" * (n - head - tail) + value[n - tail :]


def mask_phone(phone: str) -> str:
    """Mask a number for staff who may know it exists but not dial it ('139****5678', '0371-****2100').

    Keeps the prefix (carrier / area, useful for routing) and the last four digits (what residents use to
    confirm "is this your number?"). Anything that is not a recognisable number is masked generically.
    """
    value = _safe_str(phone).strip()
    if _MOBILE.fullmatch(value):
        return f"{value[:3]}****{value[-4:]}"
    landline = _LANDLINE.fullmatch(value)
    if landline:
        area, sub = landline.groups()
        return f"{area}-{'*' * (len(sub) - 4)}{sub[-4:]}"
    phones = extract_phones(value)
    if len(phones) == 1 and phones[0] != value and (_MOBILE.fullmatch(phones[0]) or _LANDLINE.fullmatch(phones[0])):
        return mask_phone(phones[0])
    return _mask_generic(value)


def _mask_id(span: str) -> str:
    digits = re.sub(r"[\s\-]", "", span)
    return digits[:3] + "*" * (len(digits) - 5) + digits[-2:]


def mask_identifiers(text: str) -> str:
    """Mask phone numbers and resident ID numbers inside free text, for logs and for non-assigned staff.

    ID numbers are masked first and phone matches inside them ignored, so an ID never comes out half-masked.
    Valid phones are masked like :func:`mask_phone`; any remaining mobile-shaped 11-digit run is masked too,
    even if ``phonenumbers`` rejects it, because a log must not leak a number that is merely unusual.
    Spoken-digit numbers are replaced by their masked digit form. Everything else is left untouched.
    """
    original = _safe_str(text)
    view = _digit_view(original)
    spans: list[tuple[int, int, str]] = [(m.start(), m.end(), _mask_id(m.group())) for m in _ID_CARD.finditer(view)]

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e, _ in spans)

    for start, end, phone in _find(view):
        if free(start, end):
            spans.append((start, end, mask_phone(phone)))
    for m in _MOBILE_SHAPED.finditer(view):
        if free(m.start(), m.end()):
            spans.append((m.start(), m.end(), mask_phone(re.sub(r"[\s\-]", "", m.group()))))
    out = original
    for start, end, replacement in sorted(spans, reverse=True):
        out = out[:start] + replacement + out[end:]
    return out


def mask_cards(text: str) -> str:
    """Mask resident ID and bank-card numbers in free text before a case stores it; phones stay.

    Both numbers are sensitive personal information (个人信息保护法第二十八条) that no handler needs from a
    story: a field that asks for them explicitly is the only place they may be kept. The handler calls the
    resident back, so phone numbers are left as told (they are masked for everyone else on display).
    """
    original = _safe_str(text)
    view = _digit_view(original)
    spans: list[tuple[int, int, str]] = [(m.start(), m.end(), _mask_id(m.group())) for m in _ID_CARD.finditer(view)]
    for m in _BANK_CARD.finditer(view):
        if all(m.end() <= s or m.start() >= e for s, e, _ in spans):
            spans.append((m.start(), m.end(), _mask_id(m.group())))
    out = original
    for start, end, replacement in sorted(spans, reverse=True):
        out = out[:start] + replacement + out[end:]
    return out


def mobile_shaped(text: str) -> str | None:
    """The first 11-digit run starting with 1 (spoken digits too), valid or not: what a resident insists is theirs."""
    found = _MOBILE_SHAPED.search(_digit_view(_safe_str(text)))
    return re.sub(r"[\s\-]", "", found.group()) if found else None


def last4(phone: str) -> str:
    """Last four digits, the part residents are asked to confirm on a call-back; fewer if there are fewer."""
    return re.sub(r"\D", "", _digit_view(_safe_str(phone)))[-4:]
