"""Admin views and changes of notification channels (``/v1/admin/notify-channels``); never a secret."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class NewNotifyChannel(BaseModel):
    scope: str = Field(..., max_length=80, description="village:<village id>, township:<name> or county")
    role: Literal["mediator", "lawyer", "legal_aid", "emergency", "*"] = Field(
        ..., description="The handler role whose cases go here; * for every role"
    )
    kind: Literal["wecom", "dingtalk", "wechat_template", "webhook"]
    target: str = Field(
        ..., max_length=2000, description="Robot or webhook URL (with its key), or the staff member's openid"
    )
    secret: str | None = Field(
        None, max_length=500, description="DingTalk signing secret (SEC…) or the webhook's HMAC secret"
    )
    name: str = Field("", max_length=64, description="What admins call it, e.g. 清水镇调解员群")
    enabled: bool = True


class NotifyChannelOut(BaseModel):
    id: int
    scope: str
    role: str
    kind: str
    name: str
    target: str = Field(..., description="Masked: the key, token or openid is never shown in full")
    has_secret: bool
    enabled: bool
    created_at: str
    created_by: str | None = None


class NotifyChannelList(BaseModel):
    channels: list[NotifyChannelOut]


class NotifyTestResult(BaseModel):
    id: int
    outcome: Literal["sent", "retry", "failed"]
    code: str | None = Field(None, description="The provider's errcode or http_<status>, when not sent")
    detail: str = ""
