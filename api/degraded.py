"""When Rasa is down, the gateway still helps: danger first, then legal questions from the index.

A resident in danger must get 110/120 whatever state the dialogue engine is in, and a resident
with a plain legal question can still be given the cited articles, so the gateway words a
reply itself from `triage` and `knowledge`, and says plainly that the assistant is degraded.
An emergency is filed as a case directly in the case store, so nobody has to repeat it later.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timezone
from typing import Any

from api.schemas.chat import ChatRequest
from cases import CaseError, CaseIntake, CaseStore
from knowledge import ANSWER_ANYWAY, KnowledgeBase, KnowledgeError, answer_question
from knowledge.answer import DISCLAIMER, format_citation_list
from triage import assess_risk

logger = logging.getLogger(__name__)

NOTICE = "（助手暂时出了点故障，正在恢复，下面是直接从法律资料里查到的。）"
UNAVAILABLE = "助手暂时出了点故障，正在恢复。请稍后再试；急事请拨打12348公共法律服务热线，有危险请拨打110。"
EMERGENCY = "情况紧急！请马上拨打110报警；有人受伤请拨打120。先保证自己和家人的安全，离开危险的人和地方。"


def _body(text: str, intent: str, *, risk: str = "none", citations: list | None = None, case: Any = None) -> dict:
    return {
        "replies": [{"text": text, "citations": [h.to_dict() for h in citations or []], "buttons": []}],
        "intent": {"name": intent, "confidence": 0.0},
        "risk_level": risk,
        "case": case,
        "degraded": True,
    }


def degraded_reply(
    request: ChatRequest, sender: str, knowledge: KnowledgeBase | None, store: CaseStore, contacts: str = ""
) -> dict[str, Any]:
    text = request.text.strip()
    assessment = assess_risk(text)
    if assessment.level == "emergency":
        lines = [EMERGENCY] + ([f"本地紧急联系：{contacts}"] if contacts else [])
        case = None
        minute = datetime.now(timezone.utc).strftime("%Y%m%d%H%M")
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        try:
            receipt = store.create(
                CaseIntake(
                    description=text[:2000],
                    channel=request.channel,
                    requested="emergency",
                    risk_level="emergency",
                    risk_cues=tuple(f"{c.level}:{c.label}" for c in assessment.cues),
                    village_id=request.village_id,
                    conversation_id=sender,
                    idempotency_key=f"degraded:{sender}:{digest}:{minute}"[:160],
                    filed_by="gateway",
                )
            )
            case = receipt.to_dict()
            lines.append(f"已登记为紧急案件（编号 {receipt.number}），{receipt.contact_promise}。")
        except CaseError:
            logger.exception("degraded mode: emergency case could not be filed")
        return _body("\n".join(lines), "emergency", risk="emergency", case=case)
    if knowledge is not None and text and not text.startswith("/"):
        try:
            policy = ANSWER_ANYWAY if request.topic else None  # the resident already chose the matter
            answer = answer_question(knowledge, text, village_id=request.village_id, policy=policy)
        except KnowledgeError:
            logger.exception("degraded mode: search failed")
            answer = None
        if answer is not None and answer.kind in ("faq", "statutes"):
            reply = f"{NOTICE}\n{answer.summary}\n相关规定：\n{format_citation_list(answer.citations)}\n{DISCLAIMER}"
            return _body(reply, "ask_legal_question", citations=answer.citations)
    return _body(UNAVAILABLE, "unknown")
