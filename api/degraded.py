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
from cases import CaseError, CaseStore
from cases.intake import emergency_intake
from knowledge import KnowledgeError
from knowledge.guides.policy import Advisor, Turn
from knowledge.guides.render import brief_answer, full_answer
from triage import assess_risk
from triage.safety import URGENT_CALLS, emergency_filed, emergency_lines, is_self_harm

logger = logging.getLogger(__name__)

NOTICE = "（助手暂时出了点故障，正在恢复，下面是直接从法律资料里查到的。）"
UNAVAILABLE = f"助手暂时出了点故障，正在恢复。请稍后再试；{URGENT_CALLS}"


def _body(
    text: str,
    intent: str,
    *,
    risk: str = "none",
    citations: list | None = None,
    case: Any = None,
    brief: str | None = None,
    matter: str | None = None,
) -> dict:
    reply: dict[str, Any] = {"text": text, "citations": [h.to_dict() for h in citations or []], "buttons": []}
    if brief:
        reply["brief"] = brief
    return {
        "replies": [reply],
        "intent": {"name": intent, "confidence": 0.0},
        "risk_level": risk,
        "case": case,
        "matter": matter,
        "degraded": True,
    }


def degraded_reply(
    request: ChatRequest, sender: str, advisor: Advisor | None, store: CaseStore, contacts: str = ""
) -> dict[str, Any]:
    text = request.text.strip()
    assessment = assess_risk(text)
    if assessment.level == "emergency":
        lines = emergency_lines(contacts, self_harm=is_self_harm(assessment.labels))
        case = None
        minute = datetime.now(timezone.utc).strftime("%Y%m%d%H%M")
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        try:
            receipt = store.create(
                emergency_intake(
                    text,
                    channel=request.channel,
                    risk_cues=assessment.labels,
                    village_id=request.village_id,
                    conversation_id=sender,
                    idempotency_key=f"degraded:{sender}:{digest}:{minute}"[:160],
                    filed_by="gateway",
                )
            )
            case = receipt.to_dict()
            lines.append(emergency_filed(receipt.number, receipt.contact_promise))
        except CaseError:
            logger.exception("degraded mode: emergency case could not be filed")
        return _body("\n".join(lines), "emergency", risk="emergency", case=case)
    if advisor is not None and text and not text.startswith("/"):
        try:
            # The same answer policy as the bot's (knowledge.guides.policy), without the conversation.
            advice = advisor.advise(Turn(text, village_id=request.village_id, topic=request.topic))
        except KnowledgeError:
            logger.exception("degraded mode: search failed")
            advice = None
        if advice is not None and advice.kind == "answer" and advice.citations:
            return _body(
                f"{NOTICE}\n{full_answer(advice)}",
                "ask_legal_question",
                citations=advice.citations,
                brief=f"{NOTICE}\n{brief_answer(advice)}",
                matter=advice.matter,
            )
    return _body(UNAVAILABLE, "unknown")
