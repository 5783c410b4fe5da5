"""What a staff member sees of a case: everything for the assignee and admins, masked for others.

Masking happens here, in one place, so no route can forget it: the resident's name keeps its
first character, phones keep their first three and last four digits, and any phone or ID-card
number inside free text (the description, the conversation) is masked too.
"""

from __future__ import annotations

from typing import Any

from cases.models import Case
from cases.routing import contact_promise
from cases.workflow import status_label
from triage import mask_identifiers, mask_phone


def mask_name(name: str | None) -> str | None:
    if not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)


def _time(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def case_summary(case: Case, *, reveal: bool) -> dict[str, Any]:
    return {
        "case_id": case.number,
        "status": case.status,
        "status_label": status_label(case.status),
        "handler_role": case.handler_role,
        "dispute_type": case.dispute_type,
        "risk_level": case.risk_level,
        "village_id": case.village_id,
        "village_name": case.village_name,
        "assignee": case.assignee,
        "resident_name": case.resident_name if reveal else mask_name(case.resident_name),
        "created_at": _time(case.created_at),
        "first_contact_due_at": _time(case.first_contact_due_at),
        "first_contact_at": _time(case.first_contact_at),
    }


def case_detail(case: Case, *, reveal: bool) -> dict[str, Any]:
    """The full case; ``reveal`` is True only for the assignee and admins."""

    def text(value: str | None) -> str | None:
        return value if reveal or value is None else mask_identifiers(value)

    context = case.context or {}
    return {
        **case_summary(case, reveal=reveal),
        "personal_data_masked": not reveal,
        "resident_phone": case.resident_phone
        if reveal
        else (mask_phone(case.resident_phone) if case.resident_phone else None),
        "counterparty": case.counterparty,
        "contact_relation": case.contact_relation or "self",
        "affected_person": case.affected_person if reveal else mask_name(case.affected_person),
        "village_registered": context.get("village_registered", True),
        "description": text(case.description),
        "amount": case.amount,
        "incident_date": case.incident_date,
        "requested": case.requested,
        "channel": case.channel,
        "filed_by": case.filed_by,
        "risk_cues": list(case.risk_cues or []),
        "contact_promise": contact_promise(case.handler_role, case.risk_level),
        "citations": list(context.get("citations") or []),
        "transcript": [
            {"speaker": line.get("speaker"), "text": text(line.get("text"))} for line in context.get("transcript") or []
        ],
        "resolved_at": _time(case.resolved_at),
        "closed_at": _time(case.closed_at),
        "satisfaction": case.satisfaction,
        "satisfaction_comment": case.satisfaction_comment,
        "history": [
            {
                "at": _time(e.at),
                "actor": e.actor,
                "kind": e.kind,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "detail": e.detail
                if reveal or e.kind != "note"
                else {"text": mask_identifiers(str((e.detail or {}).get("text", "")))},
            }
            for e in case.events
        ],
    }
