"""Who is asking for whom: "俺爹叫车撞了" is the contact's father's matter, told by his child.

The contact is the person talking (their name and phone go on the case); the affected person is the
one the matter happened to. ``contact_relation`` is the contact's relation *to* the affected person
(a daughter asking for her father is ``daughter``), as the case form records it. A relative named as
the other side ("俺儿子不养俺") is the counterparty, not the affected person, so only a relative the
story happens *to* (被/让/叫…, 帮/替/给…, 的事/的地…) counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from triage.facts.people import SURNAMES

__all__ = ["Relation", "find_relation", "is_named", "merge_relation", "normalize_village"]

RELATIONS = (
    "self", "father", "mother", "son", "daughter", "husband", "wife", "brother", "sister",
    "other_relative", "neighbor", "other",
)  # fmt: skip

# Kin word (as the contact says it) → (how the affected person is called, the contact's relation to them).
# A child's or a parent's sex is rarely said; the masculine is a guess the read-back lets the resident fix.
_KIN: dict[str, tuple[str, str]] = {
    "爹": ("父亲", "son"), "爸": ("父亲", "son"), "父亲": ("父亲", "son"), "老爹": ("父亲", "son"),
    "娘": ("母亲", "son"), "妈": ("母亲", "son"), "母亲": ("母亲", "son"), "老娘": ("母亲", "son"),
    "儿子": ("儿子", "father"), "小子": ("儿子", "father"), "闺女": ("女儿", "father"), "女儿": ("女儿", "father"),
    "娃": ("孩子", "father"), "孩子": ("孩子", "father"),
    "老公": ("丈夫", "wife"), "丈夫": ("丈夫", "wife"), "男人": ("丈夫", "wife"), "当家的": ("丈夫", "wife"),
    "媳妇": ("妻子", "husband"), "老婆": ("妻子", "husband"), "爱人": ("配偶", "other"),
    "哥": ("哥哥", "brother"), "哥哥": ("哥哥", "brother"), "弟": ("弟弟", "brother"), "弟弟": ("弟弟", "brother"),
    "兄弟": ("兄弟", "brother"), "姐": ("姐姐", "brother"), "姐姐": ("姐姐", "brother"),
    "妹": ("妹妹", "brother"), "妹妹": ("妹妹", "brother"),
    "公公": ("公公", "other_relative"), "婆婆": ("婆婆", "other_relative"), "岳父": ("岳父", "other_relative"),
    "丈母娘": ("岳母", "other_relative"), "舅舅": ("舅舅", "other_relative"), "舅": ("舅舅", "other_relative"),
    "姨": ("姨", "other_relative"), "叔": ("叔叔", "other_relative"), "叔叔": ("叔叔", "other_relative"),
    "大伯": ("大伯", "other_relative"), "侄子": ("侄子", "other_relative"), "外甥": ("外甥", "other_relative"),
    "孙子": ("孙子", "other_relative"), "孙女": ("孙女", "other_relative"), "女婿": ("女婿", "other_relative"),
    "儿媳": ("儿媳", "other_relative"), "儿媳妇": ("儿媳", "other_relative"), "爷爷": ("爷爷", "other_relative"),
    "奶奶": ("奶奶", "other_relative"), "姥姥": ("姥姥", "other_relative"), "姥爷": ("姥爷", "other_relative"),
}  # fmt: skip
_KIN_WORDS = "|".join(sorted(_KIN, key=len, reverse=True))
_MINE = r"(?:俺|我|咱)(?:家|们家)?(?:的)?"
# The relative the story happens to: passive, beneficiary, or possession of the thing in dispute.
_AFFECTED = re.compile(
    rf"(?:帮|替|给|为)?{_MINE}(?P<kin>{_KIN_WORDS})"
    rf"(?P<name>[\u4e00-\u9fff]{{2,3}}?)?"
    rf"(?=(?:他|她)?(?:被|让|叫|给|在|受|摔|病|住院|出事|的(?:事|地|房|工钱|工资|钱|案子|情况|伤)|"
    rf"干活|打工|欠|借给|借的|撞|伤|去世|走了|没了|死了|想|要|不让|遭))"
)
_HELPING = re.compile(rf"(?<![借还卖送交转赔])(?:帮|替|给|为){_MINE}(?P<kin>{_KIN_WORDS})")
# "帮俺兄弟问个事", "给俺兄弟孟庆河问的", "替俺邻居刘大娘反映个事": whom the contact speaks for, said outright.
_ASKING_FOR = re.compile(
    rf"(?<![借还卖送交转赔])(?:帮|替|给|为){_MINE}(?P<kin>{_KIN_WORDS}|邻居|街坊)(?P<name>[\u4e00-\u9fff]{{2,3}}?)?"
    rf"(?=(?:来)?(?:问|反映|登记|咨询|打听|找|申请|说))"
)
_THEY_ARE = re.compile(r"(?:他|她)(?:叫|名叫|名字叫)(?P<name>[\u4e00-\u9fff]{2,3})")
# "俺是他闺女", "我是当事人的哥哥", "俺是张德福的儿子": the contact says their relation outright.
_I_AM = re.compile(
    rf"(?:我|俺)是(?:(?P<name>[\u4e00-\u9fff]{{2,3}})的|(?:他|她|当事人|老人)(?:的|家)?)(?P<kin>{_KIN_WORDS}|邻居|街坊)"
)
_NAMED = re.compile(r"(?:叫|名叫|名字叫|是)(?P<name>[\u4e00-\u9fff]{2,3})")
_FEMALE_SELF = re.compile(r"(?:我|俺)是(?:他|她|当事人的?)?(?:闺女|女儿|姑娘|儿媳|媳妇|妹妹|姐姐)|当闺女的|嫁出去")
# The contact's own relation word as they would say it about themselves.
_SELF_RELATION = {
    "闺女": "daughter", "女儿": "daughter", "姑娘": "daughter", "儿子": "son", "小子": "son",
    "爹": "father", "爸": "father", "父亲": "father", "娘": "mother", "妈": "mother", "母亲": "mother",
    "老公": "husband", "丈夫": "husband", "男人": "husband", "媳妇": "wife", "老婆": "wife",
    "哥": "brother", "哥哥": "brother", "弟": "brother", "弟弟": "brother", "兄弟": "brother",
    "姐": "sister", "姐姐": "sister", "妹": "sister", "妹妹": "sister", "邻居": "neighbor", "街坊": "neighbor",
}  # fmt: skip
_FEMININE = {"son": "daughter", "father": "mother", "brother": "sister", "husband": "wife"}


@dataclass(frozen=True)
class Relation:
    contact_relation: str
    affected_person: str | None
    #: Said outright ("俺是他闺女"), not guessed from a kin word: it replaces a guess.
    explicit: bool = False


def _name(text: str) -> str | None:
    m = _NAMED.match(text)
    if m and m.group("name")[0] in SURNAMES:
        return m.group("name")
    return None


def find_relation(view: str) -> Relation | None:
    """The relation a (normalised, space-free) message states or implies, or None when it says nothing."""
    m = _I_AM.search(view)
    if m:
        relation = _SELF_RELATION.get(m.group("kin"), "other_relative")
        named = m.group("name")
        if named and named[0] not in SURNAMES:
            named = None  # "俺是出嫁的闺女": not a name
        return Relation(relation, named, explicit=True)
    m = _ASKING_FOR.search(view) or _AFFECTED.search(view) or _HELPING.search(view)
    if m is None:
        return None
    called, relation = _KIN.get(m.group("kin"), (None, "neighbor"))
    named = m.groupdict().get("name") or None
    if named and named[0] not in SURNAMES:
        named = None
    after = view[m.end() :]
    they = _THEY_ARE.search(after)
    if they and they.group("name")[0] in SURNAMES:
        named = they.group("name")  # "她叫王翠兰" names her better than "刘大娘" does
    named = named or _name(after)
    if _FEMALE_SELF.search(view):
        relation = _FEMININE.get(relation, relation)
    return Relation(relation, named or called, explicit=m.re is _ASKING_FOR)


def merge_relation(
    current: str | None, affected: str | None, found: Relation | None, *, correction: bool = False
) -> tuple[str, str | None] | None:
    """The (contact_relation, affected_person) after a message, or None when it changes nothing.

    A guess from a kin word fills an empty relation only; a relation said outright, or a correction,
    replaces it; a name ("孟庆河") replaces a way of calling someone ("兄弟") but never the reverse.
    """
    if found is None:
        return None
    if current in (None, "self") or correction:
        return found.contact_relation, found.affected_person
    relation = found.contact_relation if found.explicit else current
    if relation != found.contact_relation:
        return None
    better = found.affected_person and (not affected or (is_named(found.affected_person) and not is_named(affected)))
    new = (relation, found.affected_person if better else affected)
    return new if new != (current, affected) else None


def is_named(affected_person: str | None) -> bool:
    """Whether the affected person is a name ("孟庆河"), not only how they are called ("兄弟")."""
    return bool(affected_person) and affected_person not in _CALLED


_CALLED = frozenset(called for called, _ in _KIN.values())


_GROUP = re.compile(r"(?:[一二三四五六七八九十\d]+(?:组|队|社))$")


def normalize_village(name: str | None) -> str | None:
    """A village as a clerk writes it: no group (三组), and 村 added when left off (柳河 → 柳河村)."""
    if not name:
        return None
    value = _GROUP.sub("", name.strip()).strip().removesuffix("的")
    if not value:
        return None
    return value if value.endswith(("村", "社区", "新村")) else value + "村"
