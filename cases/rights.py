"""Residents' rights over what a case holds about them: see it, and have it deleted (个人信息保护法第四十五、四十七条).

A resident proves it is them with three things: the case number, the last 4 digits of the phone on
the case, and a one-time code sent through the channel the case came from (a WeChat message to the
conversation's account, or a text message to the phone), delivered by the notification senders
(outbox topic ``resident_code``). The code is stored only as a keyed hash, lives 10 minutes, and
five wrong tries burn it.

Deletion is a request staff act on: an open case, or one a handler put on legal hold (a court
deadline, a complaint being investigated), refuses with the reason; otherwise the case is
anonymised exactly as the retention purge does it and its conversation is deleted. Every code,
every copy given, every request, refusal and deletion is in the audit log.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import audit, outbox
from cases.errors import CaseError, CaseNotFound
from cases.models import AccessCode, Case, CaseEvent
from cases.retention import anonymise, delete_conversation
from cases.workflow import OPEN_STATUSES, Status

CODE_TTL = timedelta(minutes=10)
MAX_TRIES = 5
PURPOSES = ("view", "delete")
RESIDENT = "resident"


class NotVerified(CaseError):
    """Wrong number, digits or code: one message for all, so a stranger learns nothing."""


class DeletionRefused(CaseError):
    """A legal hold keeps the case; ``reason`` is what staff and the resident are told."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _hash(secret: str, number: str, code: str) -> str:
    return hmac.new(secret.encode(), f"{number}:{code}".encode(), hashlib.sha256).hexdigest()


def _find(session: Session, number: str, phone_last4: str) -> Case:
    number = number.strip().upper()
    case = session.scalar(select(Case).where(Case.number == number))
    expected = (case.phone_last4 or "") if case is not None else "----"
    if case is None or not re.fullmatch(r"\d{4}", phone_last4 or "") or not hmac.compare_digest(expected, phone_last4):
        raise NotVerified("case number, phone digits or code do not match")
    return case


def send_code(session: Session, *, number: str, phone_last4: str, purpose: str, secret: str, now: datetime) -> str:
    """Make a code and queue it for the case's own channel; returns how it goes ("wechat" or "sms")."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {', '.join(PURPOSES)}")
    case = _find(session, number, phone_last4)
    code = f"{secrets.randbelow(10**6):06d}"
    via = "wechat" if case.channel == "wechat" and case.conversation_id else "sms"
    session.add(
        AccessCode(
            case_id=case.id, purpose=purpose, code_hash=_hash(secret, case.number, code),
            created_at=now, expires_at=now + CODE_TTL, tries=0,
        )
    )  # fmt: skip
    word = "查看" if purpose == "view" else "删除"
    outbox.enqueue(
        session,
        topic="resident_code",
        recipient=case.conversation_id if via == "wechat" else case.resident_phone,
        payload={"case_id": case.number, "via": via,
                 "text": f"【村法助手】您正在申请{word}案件{case.number}的个人信息，验证码{code}，10分钟内有效。"
                         "不是您本人操作请忽略。"},
    )  # fmt: skip
    audit.record(
        session, actor=RESIDENT, action="resident_code_sent", case_number=case.number, purpose=purpose, via=via
    )
    return via


def verify(
    session: Session, *, number: str, phone_last4: str, code: str, purpose: str, secret: str, now: datetime
) -> Case:
    """The case, when the code is right, unexpired, unused and for this purpose; the code is used up."""
    case = _find(session, number, phone_last4)
    pending = session.scalars(
        select(AccessCode)
        .where(AccessCode.case_id == case.id, AccessCode.purpose == purpose, AccessCode.used_at.is_(None))
        .order_by(AccessCode.id.desc())
    ).first()
    if pending is None or pending.expires_at <= now or pending.tries >= MAX_TRIES:
        raise NotVerified("case number, phone digits or code do not match")
    if not hmac.compare_digest(pending.code_hash, _hash(secret, case.number, (code or "").strip())):
        pending.tries += 1
        audit.record(
            session, actor=RESIDENT, action="resident_code_wrong", case_number=case.number, tries=pending.tries
        )
        raise NotVerified("case number, phone digits or code do not match")
    pending.used_at = now
    return case


def resident_copy(case: Case) -> dict[str, Any]:
    """Everything the case holds about the resident, unmasked: it is theirs."""
    context = case.context or {}
    return {
        "case_id": case.number,
        "status": case.status,
        "filed_at": case.created_at.isoformat(),
        "channel": case.channel,
        "resident_name": case.resident_name,
        "resident_phone": case.resident_phone,
        "contact_relation": case.contact_relation or "self",
        "affected_person": case.affected_person,
        "village_name": case.village_name,
        "dispute_type": case.dispute_type,
        "counterparty": case.counterparty,
        "description": case.description,
        "amount": case.amount,
        "incident_date": case.incident_date,
        "transcript": list(context.get("transcript") or []),
        "consent": context.get("consent"),
        "handled_by_role": case.handler_role,
        "history": [{"at": e.at.isoformat(), "kind": e.kind} for e in case.events],
        "deletion_requested": bool(context.get("deletion_requested_at")),
        "legal_hold": context.get("legal_hold"),
    }


def give_copy(session: Session, case: Case) -> dict[str, Any]:
    audit.record(session, actor=RESIDENT, action="resident_access", case_number=case.number)
    return resident_copy(case)


def hold_reason(case: Case) -> str | None:
    """Why the case cannot be deleted now, or None."""
    hold = (case.context or {}).get("legal_hold")
    if hold:
        return f"依法暂不能删除：{hold}"
    if Status(case.status) in OPEN_STATUSES:
        return "案件还在办理中，办结后才能删除"
    return None


def request_deletion(session: Session, case: Case, now: datetime) -> str | None:
    """Record the request for staff; returns the hold reason the resident is told, if any."""
    context = dict(case.context or {})
    context["deletion_requested_at"] = now.isoformat(timespec="seconds")
    case.context = context
    session.add(CaseEvent(case_id=case.id, at=now, actor=RESIDENT, kind="deletion_requested", detail={}))
    outbox.enqueue(session, topic="deletion_request", payload={"case_id": case.number, "assignee": case.assignee})
    reason = hold_reason(case)
    audit.record(session, actor=RESIDENT, action="deletion_requested", case_number=case.number, held=reason)
    return reason


def set_legal_hold(session: Session, number: str, reason: str | None, *, actor: str, now: datetime) -> Case:
    case = session.scalar(select(Case).where(Case.number == number))
    if case is None:
        raise CaseNotFound(f"no case {number!r}")
    context = dict(case.context or {})
    if reason:
        context["legal_hold"] = reason.strip()
    else:
        context.pop("legal_hold", None)
    case.context = context
    session.add(CaseEvent(case_id=case.id, at=now, actor=actor, kind="legal_hold", detail={"held": bool(reason)}))
    audit.record(session, actor=actor, action="legal_hold", case_number=number, held=bool(reason))
    return case


def deletion_requests(session: Session) -> list[Case]:
    """Cases whose resident asked for deletion and that still hold personal data."""
    cases = session.scalars(select(Case).where(Case.resident_name.is_not(None) | Case.resident_phone.is_not(None)))
    return [c for c in cases if (c.context or {}).get("deletion_requested_at")]


def erase(session: Session, number: str, *, actor: str, now: datetime) -> Case:
    """Delete the resident's data from the case and their conversation, unless a legal hold keeps it."""
    case = session.scalar(select(Case).where(Case.number == number))
    if case is None:
        raise CaseNotFound(f"no case {number!r}")
    reason = hold_reason(case)
    if reason:
        audit.record(session, actor=actor, action="erase_refused", case_number=number, reason=reason)
        raise DeletionRefused(reason)
    conversation = case.conversation_id
    anonymise(case, now)
    events = delete_conversation(session, conversation) if conversation else 0
    session.add(CaseEvent(case_id=case.id, at=now, actor=actor, kind="erased", detail={}))
    audit.record(session, actor=actor, action="erase", case_number=number, conversation_events_deleted=events)
    return case
