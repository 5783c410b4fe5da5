"""Residents asking to see or delete what a case holds about them (docs/privacy.md)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

CASE_ID = r"^\d{4}-[A-Z]{2,4}-\d{6,}$"


class CodeRequest(BaseModel):
    case_id: str = Field(..., regex=CASE_ID, description="The number on the receipt")
    phone_last4: str = Field(..., regex=r"^\d{4}$", description="Last 4 digits of the phone given at filing")
    purpose: Literal["view", "delete"]


class CodeSent(BaseModel):
    sent_via: Literal["wechat", "sms"] = Field(..., description="Where the 6-digit code went (valid 10 minutes)")


class VerifiedRequest(BaseModel):
    case_id: str = Field(..., regex=CASE_ID)
    phone_last4: str = Field(..., regex=r"^\d{4}$")
    code: str = Field(..., regex=r"^\d{6}$", description="The one-time code received")


class DeletionRequested(BaseModel):
    case_id: str
    status: Literal["requested"] = "requested"
    held: str | None = Field(None, description="Why it cannot be deleted yet (an open case, a legal hold)")


class LegalHoldRequest(BaseModel):
    reason: str | None = Field(None, max_length=300, description="Why the data must be kept; null lifts the hold")


class DeletionQueue(BaseModel):
    requests: list[dict[str, Any]]
