"""Advice in words: one wording for the chat, the kiosk, WeChat, the hotline's drafts and degraded mode.

Every legal answer ends with the general-information disclaimer and how to reach a person
(``DISCLAIMER``). The articles are quoted from the corpus (a one-line excerpt in the bubble; the
citation carries the full text), so what a resident reads as law is what the law says.
"""

from __future__ import annotations

from knowledge.answer import DISCLAIMER, citation_label, format_citation_list
from knowledge.guides.model import SECTION_TITLES, SECTIONS
from knowledge.guides.policy import Advice
from triage.safety import CALL_HOTLINE

__all__ = [
    "CLARIFY",
    "HANDOFF",
    "brief_answer",
    "follow_up_titles",
    "full_answer",
    "section_answer",
]

CLARIFY = "您说的是哪方面的事？点一个最接近的，或者再多说一句，比如跟谁、为了什么事："
#: After one clarifying question the matter is still unclear: a person helps better than a guess.
HANDOFF = (
    "我还是没弄明白您遇到的是什么事，怕说错了耽误您。您可以点下面的按钮找调解员或者律师当面说，"
    f"也可以{CALL_HOTLINE}。"
)
#: What a follow-up button says, per section: the words a resident would use.
FOLLOW_UP_TITLES: dict[str, str] = {
    "steps": "详细说说",
    "evidence": "要准备啥材料",
    "where": "该找谁、去哪",
    "time_limits": "有没有期限",
    "cost": "要花钱不",
}
_SURE = "依据的法律规定："
_UNSURE = "下面这些规定可能相关："


def follow_up_titles() -> dict[str, str]:
    return dict(FOLLOW_UP_TITLES)


def _lead(advice: Advice) -> str:
    if advice.guide is not None:
        return advice.guide.summary.text
    if advice.citations:
        first = advice.citations[0]
        return f"这类事主要看{citation_label(first.source, first.title, first.article)}的规定。"
    return ""


def full_answer(advice: Advice) -> str:
    """The answer for screens that show it whole (web chat, kiosk): summary, quoted articles, disclaimer."""
    lines = [_lead(advice)]
    if advice.citations:
        lines += [_SURE if advice.confident else _UNSURE, format_citation_list(advice.citations)]
    lines.append(DISCLAIMER)
    return "\n".join(line for line in lines if line)


def brief_answer(advice: Advice) -> str:
    """The first screen for small screens and voice (WeChat, a read-aloud kiosk): summary and article names."""
    lines = [_lead(advice)]
    if advice.citations:
        names = "、".join(citation_label(h.source, h.title, h.article) for h in advice.citations)
        lines.append(f"依据：{names}" if advice.confident else f"可能相关的规定：{names}")
    lines.append(DISCLAIMER)
    return "\n".join(line for line in lines if line)


def section_answer(advice: Advice) -> str:
    """A follow-up answered from the guide: the asked sections as short points, the articles they rest on."""
    guide = advice.guide
    if guide is None:
        return ""
    lines = [f"关于“{guide.title}”："]
    for name in advice.sections:
        lines.append(f"【{SECTION_TITLES[name]}】")
        lines += [f"· {statement.text}" for statement in guide.sections[name]]
    if advice.citations:
        lines += [_SURE, format_citation_list(advice.citations)]
    lines.append(DISCLAIMER)
    return "\n".join(lines)


def next_sections(advice: Advice) -> list[str]:
    """Sections worth offering next: the ones not just shown, steps and evidence first."""
    shown = set(advice.sections)
    return [name for name in SECTIONS if name not in shown]
