"""What the agent could read out next: cited law for what the caller just said, and 1–3 reply drafts.

The search goes through ``knowledge.answer_question``, the same decision the chat bot makes (FAQ
near-duplicate, confident statute, or "ask for more"), so a caller hears on the phone what a villager
would read on WeChat. Drafts are short and in plain words, because the agent reads them aloud; every
legal answer ends with ``DISCLAIMER``. Each suggestion and draft has a stable id, so what the agent
used can be counted per kind of draft and per cited source.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from assist.draft import CallState, Handoff
from cases.routing import contact_promise
from knowledge import Answer, KnowledgeBase, KnowledgeError, answer_question
from knowledge.answer import DISCLAIMER, citation_label
from knowledge.types import Hit

logger = logging.getLogger(__name__)

MAX_DRAFTS = 3
QUERY_MIN_CHARS = 40
QUERY_MAX_CHARS = 300
QUERY_MAX_LINES = 3

EMERGENCY = "情况紧急！请马上拨打110报警；有人受伤请拨打120。先保证自己和家人的安全，离开危险的人和地方。"
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


def search(kb: KnowledgeBase, query: str, village_id: str | None) -> Answer | None:
    """The answer decision for ``query``; None when the index fails, so the rest of the assist still works."""
    try:
        return answer_question(kb, query, village_id=village_id)
    except KnowledgeError:
        logger.exception("assist: knowledge search failed")
        return None


def suggestion_id(hit: Hit) -> str:
    """Stable across calls: the citation, or the FAQ entry (FAQ citations are not unique per entry)."""
    return f"faq:{hit.faq_id}" if hit.source == "faq" else hit.citation


def suggestions(answer: Answer | None) -> list[Hit]:
    """The cited sources, then the lawyer-written FAQ answer when the question is a near-duplicate.

    Shown even when the assistant would ask the villager to clarify: the agent is a person who can
    judge a weak match, and a plausible article is a starting point.
    """
    if answer is None:
        return []
    hits = list(answer.citations) + ([answer.faq] if answer.faq is not None else [])
    seen: dict[str, Hit] = {}
    for hit in hits:
        seen.setdefault(suggestion_id(hit), hit)
    return list(seen.values())


def _answer_draft(answer: Answer) -> Draft | None:
    if answer.kind == "faq" and answer.faq is not None:
        first = answer.citations[0] if answer.citations else None
        basis = f"（依据：{citation_label(first.source, first.title, first.article)}）" if first else ""
        text = f"律师对类似问题的解答是：{answer.summary}{basis}{DISCLAIMER}"
        return Draft(f"answer:{suggestion_id(answer.faq)}", text)
    if answer.kind == "statutes" and answer.citations:
        return Draft(f"answer:{suggestion_id(answer.citations[0])}", f"{answer.summary}{DISCLAIMER}")
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
        text = f"我现在就把您的情况登记成紧急事件，{promise}。您保持电话畅通，先到安全的地方。"
    else:
        text = f"您这个事，建议{_ROLE_WORDS.get(handoff.handler_role, '请专人帮您处理')}。我现在帮您登记，{promise}。"
    return Draft(f"handoff:{handoff.handler_role}", text)


def _contact_draft(state: CallState) -> Draft | None:
    if state.name and state.phone:
        return None
    if not state.phone:
        ask = "您的姓名和电话" if not state.name else "您的电话（手机号或者带区号的座机）"
    else:
        ask = "怎么称呼您"
    return Draft("ask_contact", f"为了让工作人员能联系上您，请告诉我{ask}。")


def reply_drafts(
    state: CallState, answer: Answer | None, handoff: Handoff | None, *, emergency_contacts: str = ""
) -> list[Draft]:
    """1–3 drafts, most urgent first: 110/120 in an emergency, then the legal answer (or a clarifying
    question), then the handoff, then a request for contact details the case still lacks."""
    drafts: list[Draft] = []
    emergency = state.risk_level == "emergency"
    if emergency:
        local = f"本地紧急联系：{emergency_contacts}。" if emergency_contacts else ""
        drafts.append(Draft("emergency", EMERGENCY + local))
    elif answer is not None:
        drafts.append(_answer_draft(answer) or _clarify_draft(state))
    if handoff is not None:
        drafts.append(_handoff_draft(handoff))
        contact = _contact_draft(state)
        if contact is not None:
            drafts.append(contact)
    if not drafts:
        drafts.append(_clarify_draft(state) if state.account else Draft("greeting", GREETING))
    return drafts[:MAX_DRAFTS]
