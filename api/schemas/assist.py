"""Request and response models of the hotline agent assist API (``docs/assist.md``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.schemas.common import HitOut

CALL_ID = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
VILLAGE_ID = r"^[a-z0-9][a-z0-9_-]{0,63}$"
RiskLevel = Literal["none", "low", "medium", "high", "emergency"]


class TranscriptLine(BaseModel):
    speaker: Literal["caller", "agent"] = Field(..., description="Who said it: the caller (resident) or the agent")
    text: str = Field(..., max_length=2000, description="What was said; an empty line is ignored")


class AssistRequest(BaseModel):
    call_id: str = Field(..., regex=CALL_ID, description="The hotline's id for this call (letters, digits, ._:-)")
    village_id: str | None = Field(None, regex=VILLAGE_ID, description="The caller's village, when the line knows it")
    transcript: list[TranscriptLine] = Field(
        ..., min_items=1, max_items=200, description="The whole call so far, oldest line first; re-send it as it grows"
    )


Relation = Literal[
    "father", "mother", "son", "daughter", "husband", "wife", "brother", "sister", "other_relative", "neighbor", "other"
]


class CaseDraft(BaseModel):
    """What is known so far; a field is present only once it is known. The agent edits it before filing."""

    name: str | None = Field(None, max_length=64, description="The caller's name or how to address them")
    phone: str | None = Field(None, max_length=32, description="Call-back number (11-digit mobile or 0371-65432100)")
    village: str | None = Field(None, max_length=64, description="Village name as the caller said it")
    village_id: str | None = Field(None, regex=VILLAGE_ID, description="Known village the name matched")
    dispute_type: str | None = Field(None, max_length=32, description="One of the fixed dispute types, or its label")
    counterparty: str | None = Field(None, max_length=200, description="The other side, e.g. 隔壁老李, 包工头张三")
    summary: str | None = Field(None, max_length=2000, description="What the caller told, in their words")
    amount: str | None = Field(None, max_length=64, description="Sum in dispute, e.g. 25000元")
    incident_date: str | None = Field(None, max_length=64, description="When it happened, e.g. 2025年腊月")
    contact_relation: Relation | None = Field(
        None, description="The caller's relation to the person affected, when they call for someone else"
    )
    affected_person: str | None = Field(
        None, max_length=64, description="Who the matter happened to, if not the caller"
    )


class HandoffOut(BaseModel):
    handler_role: Literal["mediator", "lawyer", "legal_aid", "emergency"]
    reason: str = Field(..., description="Why, in words the agent can say or note")


class EmergencyCaseOut(BaseModel):
    case_id: str
    handler_role: str
    first_contact_due_at: str
    contact_promise: str


class AssistResponse(BaseModel):
    call_id: str
    suggestions: list[HitOut] = Field(..., description="Cited sources for what the caller just said, best first")
    suggestion_ids: list[str] = Field(..., description="Stable id per suggestion, for /v1/assist/feedback")
    reply_drafts: list[str] = Field(..., description="1–3 things the agent can read out, most urgent first")
    draft_ids: list[str] = Field(..., description="Stable id per draft (emergency, answer:…, handoff:…, …)")
    dispute_type: str | None
    dispute_type_label: str | None
    risk_level: RiskLevel = Field(..., description="Highest level any caller line reached; never lowered")
    risk_cues: list[str] = Field(..., description="level:label of each danger cue heard")
    case_draft: CaseDraft
    handoff: HandoffOut | None = Field(..., description="Who should take the case on, when a person is needed")
    emergency_case: EmergencyCaseOut | None = Field(
        None,
        description="The urgent case filed the moment the call reached `emergency` (once per call); the agent's "
        "later POST /v1/assist/case completes this same case",
    )
    latency_ms: float = Field(..., description="Server time spent on this request")


class FeedbackRequest(BaseModel):
    call_id: str = Field(..., regex=CALL_ID)
    kind: Literal["suggestion_used", "draft_used"]
    ref: str = Field(..., min_length=1, max_length=200, description="A suggestion_id or draft_id shown in this call")


class FeedbackResponse(BaseModel):
    call_id: str
    kind: str
    ref: str
    duplicate: bool = Field(..., description="True when this use was already recorded (counted once)")


class FileCaseFromCallRequest(BaseModel):
    call_id: str = Field(..., regex=CALL_ID)
    case_draft: CaseDraft
    description: str | None = Field(None, max_length=2000, description="Overrides case_draft.summary")
    requested: Literal["lawyer", "mediation", "legal_aid", "report", "emergency"] | None = Field(
        None, description="What the caller asked for; by default what they said on the call"
    )
    village_id: str | None = Field(None, regex=VILLAGE_ID)


class CaseFiledResponse(BaseModel):
    call_id: str
    case_id: str
    status: str
    handler_role: str
    dispute_type: str
    risk_level: str
    created_at: str
    first_contact_due_at: str
    contact_promise: str


class UsageBlock(BaseModel):
    shown: int
    used: int
    used_shown_ratio: float | None


class UsageResponse(BaseModel):
    since: str | None
    counts: dict[str, int] = Field(..., description="Events per kind: shown, suggestion_used, draft_used, case_filed")
    calls: int
    calls_with_case: int
    used_shown_ratio: float | None = Field(..., description="Distinct items used / distinct items shown, per call")
    suggestions: UsageBlock
    drafts: UsageBlock
    drafts_by_kind: dict[str, UsageBlock]
