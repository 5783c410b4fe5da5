"""Notification channels on record: add, list (masked), remove; shared by ``cunfa notify`` and the admin API.

A channel serves one scope (a village, a township, or the county) and one handler role, or every
role ("*"): the township's mediators' group, the county duty group for emergencies, a village's legal
adviser's own WeChat. Each change writes its audit row in the caller's transaction; neither the
target nor the secret is ever returned, logged or audited in clear (``channel_view`` masks them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import audit
from cases.assignment import COUNTY
from cases.models import NotifyChannel
from cases.routing import HANDLER_ROLES
from notify.masking import mask_target

SCOPE_KINDS = ("village", "township", "county")
ROLES = (*HANDLER_ROLES, "*")
KINDS = ("wecom", "dingtalk", "wechat_template", "webhook")
#: Kinds whose provider has no signing secret; one given for them is a mistake, refused.
NO_SECRET = frozenset({"wecom", "wechat_template"})
MIN_WEBHOOK_SECRET = 16

_VILLAGE_ID = re.compile(r"[a-z0-9_-]{1,64}")
_OPENID = re.compile(r"[A-Za-z0-9_-]{16,64}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ChannelError(ValueError):
    """A channel that cannot be recorded as given; the message names the field, never the target's value."""


class ChannelNotFound(LookupError):
    """No channel has that id."""


@dataclass(frozen=True)
class Scope:
    kind: str  # village | township | county
    id: str | None  # village id or township name; None for the county

    def __str__(self) -> str:
        return self.kind if self.id is None else f"{self.kind}:{self.id}"


def parse_scope(text: str) -> Scope:
    """``village:<id>``, ``township:<name>`` or ``county``."""
    kind, _, ident = (text or "").strip().partition(":")
    ident = ident.strip()
    if kind == "county" and not ident:
        return Scope("county", None)
    if kind == "village" and _VILLAGE_ID.fullmatch(ident):
        return Scope("village", ident)
    if kind == "township" and ident and len(ident) <= 64 and not _CONTROL.search(ident):
        if ident == COUNTY:
            raise ChannelError("scope: the county is 'county', not a township")
        return Scope("township", ident)
    raise ChannelError(
        "scope must be village:<village id> (lowercase letters, digits, '-', '_'), township:<name> or county"
    )


def _url_query(target: str, what: str) -> dict[str, list[str]]:
    try:
        parts = urlsplit(target)
    except ValueError as exc:
        raise ChannelError(f"target: not a URL ({what})") from exc
    if parts.scheme not in ("https", "http") or not parts.hostname or _CONTROL.search(target) or " " in target:
        raise ChannelError(f"target must be an http(s) URL ({what})")
    return parse_qs(parts.query)


def validate(kind: str, target: str, secret: str | None) -> None:
    """Refuse a channel that could never deliver; messages never repeat the target or the secret."""
    if kind not in KINDS:
        raise ChannelError(f"kind must be one of {', '.join(KINDS)}")
    if not target or len(target) > 2000:
        raise ChannelError("target is required (at most 2000 characters)")
    if secret is not None and (not secret or len(secret) > 500 or _CONTROL.search(secret)):
        raise ChannelError("secret must be 1-500 printable characters")
    if kind in NO_SECRET and secret:
        raise ChannelError(f"{kind} channels take no secret (the robot URL or the account is the credential)")
    if kind == "wecom":
        if not _url_query(target, "the robot's webhook address").get("key"):
            raise ChannelError("target: a WeCom robot address ends in ?key=… (群机器人 → Webhook 地址)")
    elif kind == "dingtalk":
        if not _url_query(target, "the robot's webhook address").get("access_token"):
            raise ChannelError("target: a DingTalk robot address ends in ?access_token=… (自定义机器人 → Webhook)")
    elif kind == "webhook":
        _url_query(target, "the receiving system's address")
        if not secret or len(secret) < MIN_WEBHOOK_SECRET:
            raise ChannelError(f"webhook channels need a signing secret of at least {MIN_WEBHOOK_SECRET} characters")
    elif not _OPENID.fullmatch(target):
        raise ChannelError("target: a wechat_template channel's target is the staff member's openid")


def add_channel(
    session: Session,
    *,
    scope: Scope | str,
    role: str,
    kind: str,
    target: str,
    secret: str | None = None,
    name: str = "",
    enabled: bool = True,
    actor: str,
    now: datetime | None = None,
) -> NotifyChannel:
    """Record a channel (the caller commits); refused with ``ChannelError`` when it could never deliver."""
    scope = parse_scope(scope) if isinstance(scope, str) else scope
    if role not in ROLES:
        raise ChannelError(f"role must be one of {', '.join(ROLES)}")
    target, secret = (target or "").strip(), (secret.strip() if secret is not None else None) or None
    validate(kind, target, secret)
    name = (name or "").strip()
    if len(name) > 64 or _CONTROL.search(name):
        raise ChannelError("name must be at most 64 printable characters")
    channel = NotifyChannel(
        scope_kind=scope.kind, scope_id=scope.id, role=role, kind=kind, name=name, target=target, secret=secret,
        enabled=1 if enabled else 0, created_at=now or datetime.now(timezone.utc), created_by=actor,
    )  # fmt: skip
    session.add(channel)
    session.flush()
    audit.record(
        session, actor=actor, action="notify_channel_added", channel_id=channel.id, scope=str(scope), role=role,
        kind=kind, target=mask_target(kind, target),
    )  # fmt: skip
    return channel


def list_channels(session: Session) -> list[NotifyChannel]:
    return list(session.scalars(select(NotifyChannel).order_by(NotifyChannel.id)))


def get_channel(session: Session, channel_id: int) -> NotifyChannel:
    channel = session.get(NotifyChannel, channel_id)
    if channel is None:
        raise ChannelNotFound(f"no notification channel {channel_id}")
    return channel


def remove_channel(session: Session, channel_id: int, *, actor: str) -> None:
    """Delete a channel (the caller commits); messages already sent through it keep their record."""
    channel = get_channel(session, channel_id)
    audit.record(
        session, actor=actor, action="notify_channel_removed", channel_id=channel.id,
        scope=str(Scope(channel.scope_kind, channel.scope_id)), role=channel.role, kind=channel.kind,
    )  # fmt: skip
    session.delete(channel)


def channel_view(channel: NotifyChannel) -> dict[str, Any]:
    """What may be shown of a channel: everything but the secret, and the target masked."""
    return {
        "id": channel.id,
        "scope": str(Scope(channel.scope_kind, channel.scope_id)),
        "role": channel.role,
        "kind": channel.kind,
        "name": channel.name,
        "target": mask_target(channel.kind, channel.target),
        "has_secret": bool(channel.secret),
        "enabled": bool(channel.enabled),
        "created_at": channel.created_at.isoformat(timespec="seconds"),
        "created_by": channel.created_by,
    }
