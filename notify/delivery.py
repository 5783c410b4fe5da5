"""Which channels a queued notification goes to, and the sending loop the API's background duty runs.

Routing: the enabled channels whose scope is the case's village, its township (as the rosters record
it) or the county, and whose role is the case's handler role (``cases.routing``) or "*". Only staff
topics go to channels; ``CUNFA_NOTIFY_WEBHOOK_URL``, when set, still gets every message exactly as
before (resident codes included: it is what delivers them).

Retries are the outbox's (``cases.outbox``: backoff from 30 s doubling to 1 h, 10 attempts). Each
channel's final answer for a message is recorded (``NotifyDelivery``), so an attempt after a rate
limit sends only to the channels still owed the message. A message is done when every channel sent
it or refused it for good; refused by all of them, it is marked failed at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import httpx
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from cases import outbox
from cases.models import NotifyChannel, NotifyDelivery
from cunfa.settings import Settings
from notify.channels import get_channel
from notify.masking import mask_target
from notify.message import STAFF_TOPICS, Notice, notice_for, sample_notice
from notify.senders import (
    TIMEOUT_S,
    DingTalkSender,
    Outcome,
    Result,
    Sender,
    WebhookSender,
    WeComSender,
    wechat_sender,
)

logger = logging.getLogger(__name__)

LEGACY_KEY = "legacy_webhook"


class RetryLater(Exception):
    """Some channels are still owed the message (rate-limited, down, unreachable): the outbox retries it."""


class NoChannel(Exception):
    """No enabled channel matches the message (yet): retried, so a channel added meanwhile still gets it."""


@dataclass
class Senders:
    """One sender per channel kind, sharing one HTTP client for a round."""

    wecom: Sender
    dingtalk: Sender
    webhook: WebhookSender
    wechat_template: Sender

    @classmethod
    def from_settings(cls, settings: Settings, http: httpx.Client) -> Senders:
        fields = tuple(f.strip() for f in settings.notify_wechat_template_fields.split(",") if f.strip())
        return cls(
            wecom=WeComSender(http),
            dingtalk=DingTalkSender(http),
            webhook=WebhookSender(http),
            wechat_template=wechat_sender(
                settings.wechat_app_id, settings.wechat_app_secret, settings.notify_wechat_template_id, fields
            ),
        )

    def for_kind(self, kind: str) -> Sender:
        return {
            "wecom": self.wecom, "dingtalk": self.dingtalk, "webhook": self.webhook,
            "wechat_template": self.wechat_template,
        }[kind]  # fmt: skip


@dataclass(frozen=True)
class Target:
    key: str  # "channel:<id>" or LEGACY_KEY
    kind: str
    target: str
    secret: str | None

    @property
    def label(self) -> str:
        """How the target is named in logs and in the outbox's last_error: never its credentials."""
        return f"{self.key} ({self.kind} {mask_target(self.kind, self.target)})"


def matching_channels(session: Session, notice: Notice) -> list[NotifyChannel]:
    """Enabled channels for the notice's village, its township and the county, for its role or "*"."""
    places = [NotifyChannel.scope_kind == "county"]
    if notice.village_id:
        places.append(and_(NotifyChannel.scope_kind == "village", NotifyChannel.scope_id == notice.village_id))
    if notice.township:
        places.append(and_(NotifyChannel.scope_kind == "township", NotifyChannel.scope_id == notice.township))
    roles = ["*", *([notice.handler_role] if notice.handler_role else [])]
    return list(
        session.scalars(
            select(NotifyChannel)
            .where(NotifyChannel.enabled == 1, NotifyChannel.role.in_(roles), or_(*places))
            .order_by(NotifyChannel.id)
        )
    )


def targets_for(session: Session, settings: Settings, notice: Notice) -> list[Target]:
    targets = []
    if notice.topic in STAFF_TOPICS:
        targets = [Target(f"channel:{c.id}", c.kind, c.target, c.secret) for c in matching_channels(session, notice)]
    if settings.notify_webhook_url:
        targets.append(Target(LEGACY_KEY, "webhook", settings.notify_webhook_url, settings.notify_webhook_secret))
    return targets


class Dispatcher:
    """The outbox's sender: one message to every channel still owed it."""

    def __init__(self, session: Session, settings: Settings, senders: Senders) -> None:
        self.session, self.settings, self.senders = session, settings, senders

    def _send(self, target: Target, notice: Notice, message: dict[str, Any]) -> Result:
        if target.key == LEGACY_KEY:
            return self.senders.webhook.send_legacy(message, target.target, target.secret)
        return self.senders.for_kind(target.kind).send(notice, target.target, target.secret)

    def __call__(self, message: dict[str, Any]) -> str | None:
        notice = notice_for(self.session, message, console_url=self.settings.notify_console_url)
        targets = targets_for(self.session, self.settings, notice)
        if not targets:
            raise NoChannel(
                f"no enabled channel for {notice.topic} (village {notice.village_id or '-'}, township "
                f"{notice.township or '-'}, county; role {notice.handler_role or '-'})"
            )
        answered = dict(
            self.session.execute(
                select(NotifyDelivery.channel_key, NotifyDelivery.status).where(
                    NotifyDelivery.message_id == message["id"]
                )
            ).all()
        )
        sent = sum(1 for t in targets if answered.get(t.key) == "sent")
        refused = [t.label for t in targets if answered.get(t.key) == "failed"]
        pending = []
        for target in (t for t in targets if t.key not in answered):
            result = self._send(target, notice, message)
            logger.info("notification %s to %s: %s", message["id"], target.label, result)
            if result.outcome is Outcome.retry:
                pending.append(f"{target.label}: {result}")
                continue
            self.session.add(
                NotifyDelivery(
                    message_id=message["id"], channel_key=target.key, status=result.outcome.value, code=result.code,
                    at=datetime.now(timezone.utc),
                )
            )  # fmt: skip
            if result.outcome is Outcome.sent:
                sent += 1
            else:
                refused.append(f"{target.label}: {result}")
                logger.error("notification %s refused for good by %s: %s", message["id"], target.label, result)
        if pending:
            raise RetryLater("; ".join(pending))
        if refused and not sent:
            raise outbox.GiveUp("refused for good by every channel: " + "; ".join(refused))
        return ("sent; refused for good by " + "; ".join(refused)) if refused else None


def active(session: Session, settings: Settings) -> bool:
    """Whether there is anywhere to deliver to; until there is, messages wait in the outbox as they always did."""
    if settings.notify_webhook_url:
        return True
    return session.scalar(select(NotifyChannel.id).where(NotifyChannel.enabled == 1).limit(1)) is not None


def deliver_due(
    session: Session, settings: Settings, *, now: datetime | None = None, senders: Senders | None = None
) -> dict[str, int] | None:
    """One round: every due message to its channels; None when no channel or webhook is configured."""
    if not active(session, settings):
        return None
    with httpx.Client(timeout=TIMEOUT_S) as http:
        dispatcher = Dispatcher(session, settings, senders or Senders.from_settings(settings, http))
        return outbox.deliver_due(session, dispatcher, now=now)


def send_test(session: Session, settings: Settings, channel_id: int, *, senders: Senders | None = None) -> Result:
    """Send a clearly marked test message through one channel, now (enabled or not); nothing is queued."""
    channel = get_channel(session, channel_id)
    notice = sample_notice(console_url=settings.notify_console_url)
    with httpx.Client(timeout=TIMEOUT_S) as http:
        chosen = (senders or Senders.from_settings(settings, http)).for_kind(channel.kind)
        result = chosen.send(notice, channel.target, channel.secret)
    logger.info("test message to channel %s (%s): %s", channel.id, mask_target(channel.kind, channel.target), result)
    return result
