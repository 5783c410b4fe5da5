"""Admin views and changes of staff accounts (``/v1/staff/users``); never a password hash."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class PostOut(BaseModel):
    """A roster post: the village or township the person serves, and in which handler role."""

    handler_role: str
    village_id: str | None = None
    township: str | None = None


class StaffAccountOut(BaseModel):
    username: str
    display_name: str
    role: str
    disabled: bool
    disabled_at: datetime | None = None
    disabled_by: str | None = None
    locked_until: datetime | None = Field(None, description="Set while logins are locked after failed attempts")
    failed_logins: int = Field(..., description="Failed logins in the current throttle window")
    last_login_at: datetime | None = None
    password_changed_at: datetime | None = Field(None, description="Time of the last admin password reset")
    created_at: datetime
    posts: list[PostOut]


class StaffListResponse(BaseModel):
    users: list[StaffAccountOut]


class PasswordResetRequest(BaseModel):
    # The length rule (at least 10 characters) is the domain's, so the CLI and the API say the same thing.
    password: str = Field(..., min_length=1, max_length=256, description="The new password (at least 10 characters)")


class AccountChangeResponse(BaseModel):
    username: str
    disabled: bool
    sessions_ended: bool = Field(..., description="True when the account's existing tokens stopped working")
