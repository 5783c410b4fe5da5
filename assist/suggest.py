"""What the agent could read out next: cited law for what the caller just said, and 1–3 reply drafts.

The answer goes through ``knowledge.guides.policy``, the same answer policy the chat bot follows
(the matter's guide and the articles it rests on; a follow-up answered from the guide's sections),
so a caller hears on the phone what a villager would read on WeChat. Drafts are the short, spoken
form (``brief_answer``) because the agent reads them aloud; every legal answer ends with
``DISCLAIMER``. A lawyer-written FAQ answer to a near-identical question is shown to the agent as
one more suggestion. Each suggestion and draft has a stable id, so what the agent used can be
counted per kind of draft and per cited source.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from assist.draft import CallState, Handoff
from cases.consent import spoken_notice
from cases.routing import contact_promise
from knowledge import KnowledgeError
from knowledge.guides.policy import Advice, Advisor, Turn
from knowledge.guides.render import brief_answer, section_answer
from knowledge.types import Hit
from triage.safety import hotline_emergency_handoff, hotline_safety_script, is_self_harm

logger = logging.getLogger(__name__)

MAX_DRAFTS = 3
QUERY_MIN_CHARS = 40
QUERY_MAX_CHARS = 300
QUERY_MAX_LINES = 3

GREETING = "您好，这里是法律服务热线。您慢慢说，遇到了什么事？"
_ROLE_WORDS = {
    "mediator": "请人民调解员帮您调解",
    "lawyer": "请村法律顾问（律师）帮您看看",
    "legal_aid": "帮您申请法律援助",
}


@dataclass(frozen=True)
class Draft:
    id: str
    text: str


def query_for(state: CallState) -> str | None:
    """The caller's latest topical words, with the line before when they are short ("那他不还呢？")."""
    if not state.topics:
        return None
    lines: list[str] = []
    for line in reversed(state.topics[-QUERY_MAX_LINES:]):
        lines.insert(0, line)
        if sum(len(x) for x in lines) >= QUERY_MIN_CHARS:
            break
    return " ".join(lines)[-QUERY_MAX_CHARS:]


#: A FAQ question this close (dense cosine) is the caller's question asked before: show the lawyer's answer.
FAQ_MIN_COSINE = 0.85


@dataclass(frozen=True)
class Found:
    """What the knowledge base gave for the caller's words: the advice, and a near-identical FAQ if any."""

    advice: Advice
    faq: Hit | None = None


def search(advisor: Advisor, turn: Turn) -> Found | None:
    """The answer decision for the caller's words; None when the index fails, so the rest still works."""
    try:
        advice = advisor.advise(turn)
        faq = None
        if advice.kind == "answer" and "dense" in advisor.kb.modes:
            near = advisor.kb.search(turn.text, k=1, source="faq", mode="dense")
            faq = near[0] if near and near[0].score >= FAQ_MIN_COSINE else None
        return Found(advice, faq)
    except KnowledgeError:
        logger.exception("assist: knowledge search failed")
        return None


def suggestion_id(hit: Hit) -> str:
    """Stable across calls: the citation, or the FAQ entry (FAQ citations are not unique per entry)."""
    return f"faq:{hit.faq_id}" if hit.source == "faq" else hit.citation


def suggestions(found: Found | None) -> list[Hit]:
    """The cited articles, then the lawyer-written FAQ answer when the question is a near-duplicate.

    Shown even when the assistant would ask the villager to clarify: the agent is a person who can
    judge a weak match, and a plausible article is a starting point.
    """
    if found is None:
        return []
    hits = list(found.advice.citations) + ([found.faq] if found.faq is not None else [])
    seen: dict[str, Hit] = {}
    for hit in hits:
        seen.setdefault(suggestion_id(hit), hit)
    return list(seen.values())


def _answer_draft(found: Found) -> Draft | None:
    advice = found.advice
    if advice.kind == "section" and advice.guide is not None:
        return Draft(f"section:{advice.guide.id}:{advice.sections[0]}", section_answer(advice))
    if advice.kind == "answer" and advice.citations:
        ref = f"guide:{advice.guide.id}" if advice.guide else suggestion_id(advice.citations[0])
        return Draft(f"answer:{ref}", brief_answer(advice))
    return None


def _clarify_draft(state: CallState) -> Draft:
    missing = []
    if not state.counterparty:
        missing.append("是跟谁")
    if not state.incident_date:
        missing.append("从什么时候开始的")
    missing.append("现在是什么情况")
    return Draft("clarify", f"您说的这个情况，能再具体讲讲吗？比如{'、'.join(missing)}。")


def _handoff_draft(handoff: Handoff) -> Draft:
    promise = contact_promise(handoff.handler_role)
    if handoff.handler_role == "emergency":
        text = hotline_emergency_handoff(promise)
    else:
        text = f"您这个事，建议{_ROLE_WORDS.get(handoff.handler_role, '请专人帮您处理')}。我现在帮您登记，{promise}。"
    return Draft(f"handoff:{handoff.handler_role}", text)


def _contact_draft(state: CallState, closed_case_days: int) -> Draft | None:
    """The first personal question, with the notice read before it (个人信息保护法第十七条)."""
    if state.name and state.phone:
        return None
    if not state.phone:
        ask = "您的姓名和电话" if not state.name else "您的电话（手机号或者带区号的座机）"
    else:
        ask = "怎么称呼您"
    return Draft("ask_contact", f"{spoken_notice(closed_case_days)}为了让工作人员能联系上您，请告诉我{ask}。")


def reply_drafts(
    state: CallState,
    found: Found | None,
    handoff: Handoff | None,
    *,
    emergency_contacts: str = "",
    closed_case_days: int = 1095,
) -> list[Draft]:
    """1–3 drafts, most urgent first: 110/120 in an emergency, then the legal answer (or a clarifying
    question), then the handoff, then a request for contact details the case still lacks."""
    drafts: list[Draft] = []
    emergency = state.risk_level == "emergency"
    if emergency:
        script = hotline_safety_script(emergency_contacts, self_harm=is_self_harm(state.risk_cues))
        drafts.append(Draft("emergency", script))
    elif found is not None:
        drafts.append(_answer_draft(found) or _clarify_draft(state))
    if handoff is not None:
        drafts.append(_handoff_draft(handoff))
        contact = _contact_draft(state, closed_case_days)
        if contact is not None:
            drafts.append(contact)
    if not drafts:
        drafts.append(_clarify_draft(state) if state.account else Draft("greeting", GREETING))
    return drafts[:MAX_DRAFTS]
