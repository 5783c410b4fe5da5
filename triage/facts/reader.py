"""Every fact one message gives, read the same way for the chat's intake form and the hotline assist.

A message may answer the question just asked and give other facts in passing ("俺叫宋玉兰 电话
18937465500", "俺是他闺女 叫李秀兰 手机15937651234", a whole story before any question). The
question asked decides how short an answer may be ("王大山" answers "您怎么称呼"); facts said in
passing must be unmistakable, because a wrong name on a case is worse than an empty one. Callers
decide what to do with a fact (fill an empty field, propose it in the read-back, take a correction).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from triage.contacts import extract_phones, parse_phone
from triage.dispute_types import classify_dispute
from triage.facts import people
from triage.facts.dates import find_incident_date, today_in_china
from triage.facts.money import find_amounts
from triage.facts.relation import Relation, find_relation, normalize_village
from triage.text import normalize

__all__ = ["ASKABLE", "Facts", "read_facts"]

#: The fields a question can ask for.
ASKABLE = frozenset({"name", "phone", "village", "counterparty", "amount", "incident_date", "description"})
_HAS_DIGIT = re.compile(r"[0-9零〇一幺二两三四五六七八九]")
_PHONE_WORDS = re.compile(r"电话|手机|号码|号是")
# What is left of a message once its facts and small talk are taken out: enough of it is a story.
_NOISE = re.compile(
    r"不对|说错了?|错了|应该是|改成|哎呀|刚才|打错字?了?|写错了?|记错了?|说岔了?|不是|我叫|我是|俺是|俺叫|我姓|俺姓|电话|手机|号码|(?:我|俺)?想(?:问|咨询)(?:一下|个事儿?)?|"
    r"请问|问一下|喂|你好|您好|谢谢|嗯|啊|对|是|的|在|[0-9零〇一幺二两三四五六七八九\W_]"
)
STORY_MIN_CHARS = 8
_CORRECTED = re.compile(r"应该是|改成|改为|不是[^，。,.]{1,12}?[，,]?是")
_PAYLOAD = re.compile(r"^/[a-z_]+(?:\{.*\})?$")


@dataclass(frozen=True)
class Facts:
    name: str | None = None
    phone: str | None = None
    village: str | None = None
    counterparty: str | None = None
    amount: str | None = None
    incident_date: str | None = None
    dispute_type: str | None = None
    relation: Relation | None = None
    requested: str | None = None
    #: The message tells (part of) what happened, beyond the facts above.
    story: bool = False
    correction: bool = False
    found: tuple[str, ...] = field(default=(), repr=False)
    #: In a correction, the facts it corrects (the ones said after "不是…是", or all it found).
    corrected: tuple[str, ...] = field(default=(), repr=False)

    def get(self, name: str) -> str | None:
        return getattr(self, name)


def read_facts(text: str, *, asked: frozenset[str] | set[str] = frozenset(), today: date | None = None) -> Facts:
    """The facts in one message; ``asked`` are the fields the question before it asked for."""
    clean = " ".join(normalize(text or "").split())
    compact = clean.replace(" ", "")
    if not compact or _PAYLOAD.match(compact):
        return Facts()  # a button's payload ("/report_dispute") says nothing about the matter
    today = today or today_in_china()
    # Answers are read clause by clause (the spaces a resident types separate them); mentions anywhere.
    name = (people.answer_name(clean) or people.answer_name(compact)) if "name" in asked else None
    name = name or people.mention_name(compact)
    village = people.answer_village(clean) if "village" in asked else None
    village = village or next((v for clause in clean.split() if (v := people.mention_village(clause))), None)
    village = village or people.mention_village(compact)
    counterparty = people.answer_counterparty(clean) if "counterparty" in asked else None
    counterparty = counterparty or people.mention_counterparty(compact)
    phone = parse_phone(compact) if "phone" in asked or _PHONE_WORDS.search(compact) else None
    if phone is None:
        phones = extract_phones(compact)
        phone = phones[-1 if people.is_correction(compact) else 0] if phones else None
    corrected: dict[str, str | None] = {}
    if people.is_correction(compact):
        # "不是杏花村，是杏林村": the value after the correction is the one meant, and only it is corrected.
        tail = _CORRECTED.split(compact)[-1]
        corrected = {
            "village": people.mention_village(tail) or (people.answer_village(tail) if "village" in asked else None),
            "name": people.mention_name(tail) or (people.answer_name(tail) if "name" in asked else None),
            "counterparty": people.mention_counterparty(tail),
            "phone": phone if phone and phone[-4:] in tail else None,
        }
        village = corrected["village"] or village
        name = corrected["name"] or name
        counterparty = corrected["counterparty"] or counterparty
    amounts = find_amounts(compact, asked="amount" in asked)
    dispute = classify_dispute(clean)
    relation = find_relation(compact)
    if relation and counterparty and re.search(rf"(?:我|俺)是[^，。,.]{{0,6}}{re.escape(counterparty)}", compact):
        counterparty = None  # "俺是他闺女", "俺是张德福的儿子": the contact's own relation, not the other side
    if counterparty and name and (name in counterparty or counterparty in name):
        counterparty = None  # "俺叫赵秀芹": the speaker, not the other side
    if counterparty and re.search(rf"(?:我|俺)(?:叫|是){re.escape(counterparty)}", compact):
        counterparty = None
    residue = compact
    for value in (name, village, counterparty):
        residue = residue.replace(value, "") if value else residue
    residue = _NOISE.sub("", residue)
    correction = people.is_correction(compact)
    # A correction is mostly the value it corrects; only a long one also tells more of the story.
    needed = STORY_MIN_CHARS * (2 if correction else 1)
    story = (dispute is not None or len(residue) >= needed) and not people.is_filler(compact)
    values = {
        "name": name if name and not _HAS_DIGIT.fullmatch(name) else None,
        "phone": phone,
        "village": normalize_village(village),
        "counterparty": counterparty,
        "amount": amounts[0] if amounts else None,
        "incident_date": find_incident_date(compact, today),
        "dispute_type": dispute.value if dispute else None,
    }
    found = tuple(k for k, v in values.items() if v) + (("relation",) if relation else ())
    if corrected:
        # A correction whose tail names nothing in particular corrects whatever it found.
        named = tuple(k for k, v in corrected.items() if v and values.get(k))
        if values["phone"] and re.search(r"号|电话|手机", compact):
            named = ("phone",)  # "刚才那个号是我老公的…我自己的是…": the number is what is corrected
        corrected_fields = named or found
    else:
        corrected_fields = ()
    return Facts(
        **values,
        relation=relation,
        requested=people.requested_help(compact),
        story=story,
        correction=correction,
        found=found,
        corrected=corrected_fields,
    )
