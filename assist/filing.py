"""From the agent's edited case draft to a case in the store, once per call.

The agent has the last word on every fact they can hear (name, phone, village, who, what), but not
on risk: the case gets the highest level any part of the call reached, so a danger said early in the
call cannot be edited away at the end of it. One call files one case (the idempotency key is the
call id), so a double click or a retried request returns the same case number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assist.draft import CallState, Line
from cases import CaseIntake, InvalidIntake
from cases.intake import emergency_intake as shared_emergency_intake
from knowledge.types import Hit
from triage import DISPUTE_TYPES, max_level, normalize_dispute_value, parse_phone

CHANNEL = "hotline"
MAX_TRANSCRIPT_LINES = 200
_ASK = {
    "name": "ask the caller how to address them (怎么称呼您)",
    "phone": "ask for a number to call them back on (手机号或带区号的座机)",
}


def idempotency_key(call_id: str) -> str:
    return f"assist:{call_id}"


@dataclass(frozen=True)
class Filing:
    """What the route knows when the agent presses "file": the edited draft, and what the call showed."""

    call_id: str
    agent: str
    draft: dict[str, Any]
    description: str | None = None
    requested: str | None = None
    village_id: str | None = None
    state: CallState | None = None
    transcript: Sequence[Line] = ()
    suggestions: Sequence[Hit] = ()
    recorded_risk: str = "none"
    recorded_cues: Sequence[str] = ()


def _text(value: Any) -> str | None:
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None


def emergency_intake(call_id: str, agent: str, state: CallState, transcript: Sequence[Line]) -> CaseIntake:
    """The urgent case filed the moment a call turns dangerous, before anyone has asked a name.

    Same idempotency key as the agent's own filing, so the call keeps one case: the agent's later
    "file" completes it (``CaseStore.fill_in``) instead of filing a second.
    """
    said = " ".join(line.text for line in transcript if line.speaker == "caller")
    return shared_emergency_intake(
        state.summary or said,
        placeholder="（热线紧急来电）",
        channel=CHANNEL,
        dispute_type=state.dispute_type or "other",
        risk_cues=state.risk_cues,
        resident_name=state.name,
        phone=state.phone,
        counterparty=state.counterparty,
        conversation_id=f"{CHANNEL}:{call_id}",
        idempotency_key=idempotency_key(call_id),
        transcript=tuple({"speaker": line.speaker, "text": line.text} for line in transcript)[-MAX_TRANSCRIPT_LINES:],
        filed_by=agent,
    )


def build_intake(filing: Filing) -> CaseIntake:
    """The intake to file; raises ``InvalidIntake`` (422) with a message the agent can act on."""
    draft, state = filing.draft, filing.state
    risk = max_level(filing.recorded_risk, state.risk_level if state else None)
    cues = tuple(dict.fromkeys([*filing.recorded_cues, *(state.risk_cues if state else ())]))
    emergency = risk == "emergency" or filing.requested == "emergency"

    name = _text(draft.get("name"))
    raw_phone = _text(draft.get("phone"))
    missing = [label for label, value in (("name", name), ("phone", raw_phone)) if not value]
    if missing and not emergency:
        fields = " and ".join(f"case_draft.{label}" for label in missing)
        verb = "is" if len(missing) == 1 else "are"
        hints = "; ".join(_ASK[label] for label in missing)
        raise InvalidIntake(f"{fields} {verb} required to file a case: {hints}. Only an emergency may skip them.")
    phone = parse_phone(raw_phone) if raw_phone else None
    if raw_phone and phone is None:
        raise InvalidIntake(
            f"case_draft.phone {raw_phone!r} is not a valid phone number: a mobile has 11 digits, a landline needs "
            "its area code (e.g. 0371-65432100)"
        )

    raw_type = _text(draft.get("dispute_type"))
    dispute_type = normalize_dispute_value(raw_type) if raw_type else (state.dispute_type if state else None)
    if raw_type and dispute_type is None:
        raise InvalidIntake(f"case_draft.dispute_type must be one of {', '.join(DISPUTE_TYPES)}; got {raw_type!r}")

    description = _text(filing.description) or _text(draft.get("summary")) or (state.summary if state else None)
    if not description:
        raise InvalidIntake("description (or case_draft.summary) is required: say in a sentence what happened")

    requested = filing.requested or ("emergency" if emergency else None)
    if requested is None and state is not None and state.requested:
        requested = state.requested
    return CaseIntake(
        description=description,
        channel=CHANNEL,
        requested=requested or "report",
        dispute_type=dispute_type or "other",
        risk_level=risk,
        risk_cues=cues,
        resident_name=name,
        phone=phone,
        village_id=_text(draft.get("village_id")) or filing.village_id,
        village_name=_text(draft.get("village")),
        counterparty=_text(draft.get("counterparty")),
        amount=_text(draft.get("amount")),
        incident_date=_text(draft.get("incident_date")),
        contact_relation=_text(draft.get("contact_relation")) or "self",
        affected_person=_text(draft.get("affected_person")),
        village_registered=False
        if _text(draft.get("village")) and not (draft.get("village_id") or filing.village_id)
        else None,
        conversation_id=f"{CHANNEL}:{filing.call_id}",
        idempotency_key=idempotency_key(filing.call_id),
        citations=tuple(hit.to_dict() for hit in filing.suggestions),
        transcript=tuple({"speaker": line.speaker, "text": line.text} for line in filing.transcript)[
            -MAX_TRANSCRIPT_LINES:
        ],
        filed_by=filing.agent,
    )
