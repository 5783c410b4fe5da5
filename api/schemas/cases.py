from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Status = Literal["received", "assessed", "assigned", "in_progress", "resolved", "unresolved", "follow_up", "closed"]


class LoginRequest(BaseModel):
    username: str = Field(..., min_length=1, max_length=64)
    password: str = Field(..., min_length=1, max_length=256)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(..., description="Seconds until the token expires")
    role: str


class TransitionRequest(BaseModel):
    to: Status
    note: str | None = Field(None, max_length=2000)
    satisfaction: int | None = Field(None, ge=1, le=5, description="Required when closing (回访评价)")
    comment: str | None = Field(None, max_length=2000)


class NoteRequest(BaseModel):
    text: str = Field(..., min_length=1, max_length=4000)


class AssignRequest(BaseModel):
    username: str | None = Field(None, description="Pick this person; empty = least-loaded on the roster")
    override_reason: str | None = Field(None, max_length=1000, description="Required to override a conflict")


class LinkVillageRequest(BaseModel):
    village_id: str = Field(..., min_length=1, max_length=64, regex=r"^[a-z0-9][a-z0-9-]{0,62}$",
                            description="A registered village (GET /v1/villages)")  # fmt: skip


class FileCaseRequest(BaseModel):
    """A grid worker (or admin) files a case on a resident's behalf."""

    resident_name: str = Field(..., min_length=1, max_length=64)
    phone: str = Field(..., min_length=5, max_length=32)
    village_id: str | None = Field(None, max_length=64)
    village_name: str | None = Field(None, max_length=64)
    dispute_type: str = "other"
    description: str = Field(..., min_length=1, max_length=2000)
    counterparty: str | None = Field(None, max_length=200)
    requested: Literal["lawyer", "mediation", "report", "legal_aid"] = "report"
    risk_level: Literal["none", "low", "medium", "high", "emergency"] = "none"


class ResidentStatusResponse(BaseModel):
    case_id: str
    status: str
    status_label: str
    handler_role: str
    updated_at: str


class CaseListResponse(BaseModel):
    cases: list[dict[str, Any]]
