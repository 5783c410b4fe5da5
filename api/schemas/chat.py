from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, validator

from api.schemas.common import HitOut
from api.text_input import clean_text
from triage.dispute_types import DISPUTE_TYPE_LABELS

Channel = Literal["kiosk", "web", "hotline", "wechat"]
RiskLevel = Literal["none", "low", "medium", "high", "emergency"]
#: Hard cap; anything up to it is accepted and cut to ``max_message_chars`` with a notice.
MAX_TEXT = 20_000


class ChatRequest(BaseModel):
    user_id: str = Field(..., min_length=1, max_length=128, description="Stable id of the resident on the channel")
    text: str = Field(..., max_length=MAX_TEXT, description="What the resident typed or said")
    village_id: str | None = Field(None, max_length=64, description="Resident's village, when known")
    channel: Channel = "web"
    topic: str | None = Field(
        None,
        description=(
            "The kind of matter (a dispute type, e.g. support_elderly) when the resident asked through a topic "
            "button such as the kiosk's: the answer then comes without asking which matter it is"
        ),
    )

    @validator("topic")
    def _known_topic(cls, value: str | None) -> str | None:
        if value is not None and value not in DISPUTE_TYPE_LABELS:
            raise ValueError(f"unknown topic; one of: {', '.join(DISPUTE_TYPE_LABELS)}")
        return value

    @validator("text")
    def _clean_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text must not be empty")
        cleaned = clean_text(value)
        if not cleaned.strip():
            raise ValueError("text holds only control characters")
        return cleaned

    @validator("user_id")
    def _user_id_printable(cls, value: str) -> str:
        if not value.strip() or not value.isprintable():
            raise ValueError("user_id must be printable and not blank")
        return value


class Button(BaseModel):
    title: str
    payload: str


class Reply(BaseModel):
    text: str
    citations: list[HitOut] = []
    buttons: list[Button] = []
    brief: str | None = Field(
        None, description="The same reply shortened for small screens and voice (summary and article names only)"
    )


class Intent(BaseModel):
    name: str
    confidence: float


class CaseRef(BaseModel):
    """The case filed in this conversation (by the intake form or an emergency)."""

    case_id: str = Field(..., description="Human-readable case number, e.g. 2026-QSW-000123")
    status: str
    handler_role: str = Field(..., description="mediator, lawyer, legal_aid or emergency")
    dispute_type: str
    risk_level: RiskLevel | None = None
    created_at: str | None = None
    first_contact_due_at: str | None = Field(None, description="When the handler must have called (SLA)")
    contact_promise: str | None = Field(None, description="What the resident was told about who calls and when")


class ChatResponse(BaseModel):
    replies: list[Reply]
    intent: Intent
    risk_level: RiskLevel = "none"
    case: CaseRef | None = None
    matter: str | None = Field(
        None, description="The conversation's current legal matter (a guide id such as wage_arrears), if any"
    )
    degraded: bool = Field(False, description="True when the dialogue engine was down and the gateway answered alone")

    class Config:
        schema_extra: dict[str, Any] = {
            "example": {
                "replies": [{"text": "您好！我是村法助手…", "citations": [], "buttons": []}],
                "intent": {"name": "greet", "confidence": 0.99},
                "risk_level": "none",
                "case": None,
            }
        }
