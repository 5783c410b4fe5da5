"""The case draft, built line by line from a call transcript.

The agent pastes or types the call as it happens and the page re-sends the whole transcript each
time, so the state after each line is an immutable value: the session keeps one per line and, when
only the last line changed, resumes from the state before it instead of reading the call again.

Only the caller's lines are facts. The agent's lines say what the caller's next line answers
("您叫什么名字？" makes "王大山" a name), and a prompted answer replaces an earlier value, since the
agent asks again when something was wrong; a fact said in passing only fills an empty field unless
the caller says it is a correction. Risk is the highest level any caller line reached: it is never
lowered by a calmer line later in the call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

from cases.routing import handler_role_for
from knowledge.answer import first_sentences
from triage import (
    DISPUTE_TYPE_LABELS,
    assess_risk,
    classify_dispute,
    extract_phones,
    level_rank,
    max_level,
    normalize,
    parse_phone,
)
from triage.facts import merge_relation, read_facts
from triage.facts import people as extract
from triage.facts.prompts import asked_fields, is_backchannel
from triage.safety import AGENT_EMERGENCY_STEPS

Speaker = Literal["caller", "agent"]
SUMMARY_CHARS = 500
#: A question the agent asked stays open for this many caller lines (a caller may say "啊？" first).
ASK_TTL = 2
_PHONE_WORDS = re.compile(r"电话|手机|号码|号是")
_HAS_DIGIT = re.compile(r"[0-9零〇一幺二两三四五六七八九]")
_TOPIC_MARKERS = re.compile(
    r"怎么办|怎么|咋办|咋整|能不能|可不可以|该不该|犯法|违法|合法|赔|告他|起诉|要回|还钱|吗|[?？]"
)
_NOISE = re.compile(
    r"不对|说错了?|错了|应该是|改成|我叫|我是|俺是|俺叫|我姓|俺姓|电话|手机|号码|(?:我|俺)?想(?:问|咨询)(?:一下|个事儿?|点事儿?)?|"
    r"请问|问一下|喂|你好|您好|谢谢|嗯|啊|哦|对|是|的|在|[0-9零〇一幺二两三四五六七八九\W_]"
)
# Between the dispute keywords of different lines: longer than any gap the dispute lexicon bridges (.{0,6}).
_KEYWORD_GAP = "。" * 8


@dataclass(frozen=True)
class Line:
    speaker: Speaker
    text: str


@dataclass(frozen=True)
class Handoff:
    handler_role: str
    reason: str


@dataclass(frozen=True)
class CallState:
    """Everything learnt from the call so far; a new value after every line."""

    today: date
    asked: tuple[str, ...] = ()
    asked_age: int = 0
    phone_digits: str = ""
    name: str | None = None
    phone: str | None = None
    village: str | None = None
    counterparty: str | None = None
    amount: str | None = None
    incident_date: str | None = None
    #: The caller's relation to the person the matter happened to (a daughter calling for her father).
    contact_relation: str = "self"
    affected_person: str | None = None
    dispute_keywords: tuple[str, ...] = ()
    dispute_type: str | None = None
    risk_level: str = "none"
    risk_cues: tuple[str, ...] = ()
    #: (level, what was said) for each danger cue, the most serious first.
    risk_phrases: tuple[tuple[str, str], ...] = ()
    requested: str | None = None
    account: tuple[str, ...] = field(default=(), repr=False)  # what the caller told, for the summary
    topics: tuple[str, ...] = field(default=(), repr=False)  # lines worth searching the law for

    @property
    def summary(self) -> str | None:
        if not self.account:
            return None
        joined = "".join(line if line[-1] in "。！？!?…" else line + "。" for line in self.account)
        return first_sentences(joined, SUMMARY_CHARS)

    @property
    def dispute_label(self) -> str | None:
        return DISPUTE_TYPE_LABELS.get(self.dispute_type) if self.dispute_type else None


def _put(values: dict, name: str, value: str | None, *, answered: bool, correction: bool, current: str | None) -> bool:
    """Set a field by the rules in the module docstring; returns whether ``value`` was taken."""
    if not value:
        return False
    if answered or correction or not current:
        values[name] = value
        return True
    return False


def _agent_line(state: CallState, text: str) -> CallState:
    asked = asked_fields(text)
    if not asked and is_backchannel(text):
        return state  # "嗯", "您说": the question before it is still open
    keep_digits = "phone" in asked and "phone" in state.asked
    return replace(state, asked=asked, asked_age=0, phone_digits=state.phone_digits if keep_digits else "")


def _read_phone(
    state: CallState, compact: str, asked: list[str], correction: bool, values: dict, answered: set[str]
) -> str:
    """Put the phone number into ``values``; returns the digits still being dictated.

    A number dictated digit group by digit group ("幺三八" / "一二三四 五六七八") is joined across
    lines while the agent's question is open, or once the caller has started it ("我电话是幺三八…").
    """
    prompted = "phone" in asked
    if prompted or (_PHONE_WORDS.search(compact) and _HAS_DIGIT.search(compact)):
        buffer = (state.phone_digits + compact)[-60:]
        phone = parse_phone(compact) or parse_phone(buffer)
        if phone:
            _put(values, "phone", phone, answered=prompted, correction=correction, current=state.phone)
            answered.add("phone")
        elif _HAS_DIGIT.search(compact) and (prompted or not state.phone):
            if not prompted:
                asked.append("phone")
            return buffer
        return ""
    phones = extract_phones(compact)
    if phones:
        _put(values, "phone", phones[0], answered=False, correction=correction, current=state.phone)
    return ""


def _caller_line(state: CallState, text: str) -> CallState:
    clean = " ".join(normalize(text).split())
    compact = clean.replace(" ", "")
    if not compact:
        return state
    asked = list(state.asked)
    correction = extract.is_correction(compact)
    values: dict = {}
    answered: set[str] = set()

    # Risk and dispute type come from every caller line, whatever it answers.
    risk = assess_risk(text)
    cues = dict.fromkeys(state.risk_cues + tuple(f"{c.level}:{c.label}" for c in risk.cues))
    heard = tuple((c.level, c.text) for c in risk.cues if c.level != "none")
    phrases = sorted(dict.fromkeys(state.risk_phrases + heard), key=lambda p: -level_rank(p[0]))
    dispute = classify_dispute(text)
    keywords = state.dispute_keywords
    if dispute and dispute.keyword not in keywords:
        keywords = keywords + (dispute.keyword,)
    combined = classify_dispute(_KEYWORD_GAP.join(keywords)) if keywords else None

    phone_digits = _read_phone(state, compact, asked, correction, values, answered)
    # The same reader as the chat's intake form (triage.facts): one way to hear a name, a village …
    facts = read_facts(clean, asked=frozenset(asked), today=state.today)
    found = {name: facts.get(name) for name in ("name", "village", "counterparty", "amount", "incident_date")}
    merged = merge_relation(state.contact_relation, state.affected_person, facts.relation, correction=correction)
    if merged:
        values["contact_relation"], values["affected_person"] = merged
    for name, value in found.items():
        is_asked = name in asked
        if _put(values, name, value, answered=is_asked, correction=correction, current=getattr(state, name)):
            if is_asked:
                answered.add(name)

    # What is left once the facts just read and the small talk are taken out decides whether the line
    # tells the story (summary) and whether it is worth searching the law for.
    residue = compact
    for value in (values.get("name"), values.get("village"), values.get("counterparty")):
        residue = residue.replace(value, "") if value else residue
    residue = _NOISE.sub("", residue)
    new_keyword = dispute is not None and dispute.keyword not in state.dispute_keywords
    account, topics = state.account, state.topics
    if risk.cues or new_keyword or (len(residue) >= (8 if answered else 4) and not extract.is_filler(compact)):
        account = account + (" ".join(text.split()),)
        if risk.cues or dispute or _TOPIC_MARKERS.search(compact) or len(residue) >= 12:
            topics = topics + (clean,)

    still_asked = tuple(f for f in asked if f not in answered)
    age = state.asked_age + 1 if still_asked else 0
    if age >= ASK_TTL and not phone_digits:
        still_asked, age = (), 0
    return replace(
        state,
        **values,
        asked=still_asked,
        asked_age=age,
        phone_digits=phone_digits,
        dispute_keywords=keywords,
        dispute_type=combined.value if combined else state.dispute_type,
        risk_level=max_level(state.risk_level, risk.level),
        risk_cues=tuple(cues),
        risk_phrases=tuple(phrases)[:8],
        requested=extract.requested_help(compact) or state.requested,
        account=account,
        topics=topics,
    )


def step(state: CallState, line: Line) -> CallState:
    """The state after one more line of the call."""
    if not line.text or not line.text.strip():
        return state
    return _agent_line(state, line.text) if line.speaker == "agent" else _caller_line(state, line.text)


def read_call(lines: list[Line], today: date) -> CallState:
    """The state after a whole transcript (the session does the same line by line, with caching)."""
    state = CallState(today=today)
    for line in lines:
        state = step(state, line)
    return state


_WHY = {"mediator": "关系类纠纷，适合人民调解员先调解", "lawyer": "涉及钱款或责任，需要律师看证据和时效"}
_REQUEST_WORDS = {"lawyer": "找律师", "mediation": "调解", "legal_aid": "法律援助", "report": "登记反映这件事"}


def handoff_for(state: CallState) -> Handoff | None:
    """Who should take the matter on, when the call needs a person; None for a plain legal question.

    A call needs a person when it is dangerous, when the caller asks for one, or when it describes a
    dispute with somebody in particular (a counterparty, a sum, or rising risk): that is a case to
    work, not a question to answer. ``cases.routing`` picks the role, as it will for the filed case.
    """
    if state.risk_level == "emergency":
        said = "、".join(text for level, text in state.risk_phrases[:3] if level == "emergency")
        return Handoff("emergency", f"来电中有危险情况（{said}）：{AGENT_EMERGENCY_STEPS}")
    role = handler_role_for(state.dispute_type, state.risk_level, state.requested)
    if state.requested:
        return Handoff(role, f"来电人要求{_REQUEST_WORDS[state.requested]}")
    specific = state.counterparty or state.amount or state.risk_level in ("medium", "high")
    if not (state.dispute_type and specific) and state.risk_level != "high":
        return None
    parts = [f"{state.dispute_label}纠纷" if state.dispute_label else "来电反映的矛盾"]
    if state.counterparty:
        parts.append(f"对方是{state.counterparty}")
    if state.amount:
        parts.append(f"涉及{state.amount}")
    if state.risk_level in ("medium", "high"):
        said = "、".join(f"“{text}”" for _, text in state.risk_phrases[:2])
        parts.append(f"风险{'较高' if state.risk_level == 'high' else '中等'}（{said}）")
    if role in _WHY:
        parts.append(_WHY[role])
    return Handoff(role, "，".join(parts))
