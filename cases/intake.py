"""The facts a case is filed from, and what the resident is told back.

Plain dataclasses, so the action server and the API build them without touching the ORM.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cases.errors import InvalidIntake
from triage import DISPUTE_TYPES

RISK_LEVELS = ("none", "low", "medium", "high", "emergency")
REQUESTS = ("lawyer", "mediation", "report", "legal_aid", "emergency")
CONTACT_RELATIONS = (
    "self", "father", "mother", "son", "daughter", "husband", "wife", "brother", "sister",
    "other_relative", "neighbor", "other",
)  # fmt: skip
CHANNELS = ("kiosk", "web", "hotline", "wechat", "console")
MAX_DESCRIPTION = 2000


@dataclass(frozen=True)
class CaseIntake:
    """What the bot (or a grid worker, or a hotline agent) collected.

    ``idempotency_key`` makes filing safe to retry: the action server may be called twice for
    one confirmation (Rasa retries on timeout), and the resident must get one case, not two.
    """

    description: str
    channel: str
    requested: str = "report"
    dispute_type: str = "other"
    risk_level: str = "none"
    risk_cues: tuple[str, ...] = ()
    resident_name: str | None = None
    phone: str | None = None
    village_id: str | None = None
    village_name: str | None = None
    village_code: str | None = None
    counterparty: str | None = None
    amount: str | None = None
    incident_date: str | None = None
    conversation_id: str | None = None
    idempotency_key: str | None = None
    citations: tuple[dict[str, Any], ...] = ()
    transcript: tuple[dict[str, str], ...] = ()
    filed_by: str = "bot"
    legal_aid_eligible: bool | None = None
    #: The contact's relation to the affected person ("self" when they are the same person).
    contact_relation: str = "self"
    affected_person: str | None = None
    #: False when the village was named but is not one the system knows (routed to the county roster).
    village_registered: bool | None = None
    #: The resident's consent to the personal-information notice (``cases.consent.Consent.to_dict()``).
    consent: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if not self.description or not self.description.strip():
            raise InvalidIntake("description must not be empty")
        if len(self.description) > MAX_DESCRIPTION:
            raise InvalidIntake(f"description is {len(self.description)} characters; at most {MAX_DESCRIPTION}")
        if self.dispute_type not in DISPUTE_TYPES:
            raise InvalidIntake(f"dispute_type must be one of {', '.join(DISPUTE_TYPES)}; got {self.dispute_type!r}")
        if self.risk_level not in RISK_LEVELS:
            raise InvalidIntake(f"risk_level must be one of {', '.join(RISK_LEVELS)}; got {self.risk_level!r}")
        if self.requested not in REQUESTS:
            raise InvalidIntake(f"requested must be one of {', '.join(REQUESTS)}; got {self.requested!r}")
        if self.channel not in CHANNELS:
            raise InvalidIntake(f"channel must be one of {', '.join(CHANNELS)}; got {self.channel!r}")
        if self.contact_relation not in CONTACT_RELATIONS:
            raise InvalidIntake(
                f"contact_relation must be one of {', '.join(CONTACT_RELATIONS)}; got {self.contact_relation!r}"
            )
        # Only an emergency may be filed without a way to call the resident back: the police
        # and the duty officer act on it at once, and a form would only delay them.
        if self.requested != "emergency" and self.risk_level != "emergency" and not self.phone:
            raise InvalidIntake("phone is required so that somebody can call the resident back")


#: What an emergency case says happened when the resident only pressed the help button.
EMERGENCY_PLACEHOLDER = "（紧急求助）"


def emergency_intake(
    said: str,
    *,
    channel: str,
    conversation_id: str,
    idempotency_key: str,
    risk_cues: Sequence[str] = (),
    filed_by: str = "bot",
    placeholder: str = EMERGENCY_PLACEHOLDER,
    resident_name: str | None = None,
    phone: str | None = None,
    village_id: str | None = None,
    village_name: str | None = None,
    dispute_type: str = "other",
    counterparty: str | None = None,
    transcript: Sequence[dict[str, str]] = (),
    consent: dict[str, Any] | None = None,
) -> CaseIntake:
    """The urgent case a cry for help is filed as, whichever door it came in by.

    The chat's emergency action, the gateway's degraded mode and the hotline assist file it the
    moment danger is heard, before anyone has asked a name: so it is requested and rated
    ``emergency`` (the duty officer gets it, and no phone is needed), and it says what the resident
    said, or ``placeholder`` when they only pressed a button. The idempotency key is the caller's,
    because each door knows its own retry: one message, one call, or the same words within a minute.
    """
    stripped = said.strip()
    description = said if stripped and not stripped.startswith("/") else placeholder
    return CaseIntake(
        description=description[:MAX_DESCRIPTION],
        channel=channel,
        requested="emergency",
        dispute_type=dispute_type,
        risk_level="emergency",
        risk_cues=tuple(risk_cues),
        resident_name=resident_name,
        phone=phone,
        village_id=village_id,
        village_name=village_name,
        counterparty=counterparty,
        conversation_id=conversation_id,
        idempotency_key=idempotency_key,
        transcript=tuple(transcript),
        filed_by=filed_by,
        consent=consent,
    )


@dataclass(frozen=True)
class CaseReceipt:
    """What the resident is told once the case is committed (受理回执)."""

    number: str
    status: str
    handler_role: str
    dispute_type: str
    risk_level: str
    created_at: datetime
    first_contact_due_at: datetime
    contact_promise: str
    facts: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.number,
            "status": self.status,
            "handler_role": self.handler_role,
            "dispute_type": self.dispute_type,
            "risk_level": self.risk_level,
            "created_at": self.created_at.isoformat(),
            "first_contact_due_at": self.first_contact_due_at.isoformat(),
            "contact_promise": self.contact_promise,
        }


@dataclass(frozen=True)
class ResidentStatus:
    """All a resident learns from a status lookup: no names, no description, no notes."""

    number: str
    status: str
    status_label: str
    handler_role: str
    updated_at: datetime
