"""What a staff notification says, built from an outbox message and the case it names.

Only what staff need to act is said: case number, what happened, dispute type, risk level, village
(and township), handler role and the first-contact deadline, plus a one-line Chinese summary. No
resident's name, phone, story or counterparty ever goes into a notification: group chats are read on
phones in public, and providers keep messages. The case itself is opened in the console.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.assignment import COUNTY
from cases.models import Case, RosterEntry
from triage.dispute_types import DISPUTE_TYPE_LABELS
from triage.risk_levels import LEVELS

#: Topics of cases/ that are for staff. ``resident_code`` is a resident's own one-time code: it only ever
#: goes to the plain webhook (``CUNFA_NOTIFY_WEBHOOK_URL``), never to a staff group.
STAFF_TOPICS = frozenset(
    {"case_received", "high_risk_case", "emergency_case", "case_assigned", "risk_raised", "case_overdue",
     "deletion_request", "test"}
)  # fmt: skip

TOPIC_LABELS = {
    "case_received": "新案件",
    "high_risk_case": "高风险案件",
    "emergency_case": "紧急求助",
    "case_assigned": "案件已分派",
    "risk_raised": "风险等级上调",
    "case_overdue": "超时未联系，已升级",
    "deletion_request": "申请删除个人信息",
    "test": "测试消息",
}

ROLE_LABELS = {
    "mediator": "人民调解员",
    "lawyer": "村法律顾问（律师）",
    "legal_aid": "法律援助中心",
    "emergency": "值班人员",
}

BEIJING = timezone(timedelta(hours=8))
PRODUCT = "村法助手"
_UNSAFE = re.compile(r"[\s<>\[\]()*`#~|\\\"']+")


def _clean(value: Any, limit: int = 32) -> str | None:
    """A value shown in a markdown message: no line breaks, no markup, bounded."""
    if value is None:
        return None
    text = _UNSAFE.sub("", str(value))[:limit]
    return text or None


def _time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return None


def township_of(session: Session, village_id: str | None) -> str | None:
    """The township a village belongs to, as the rosters record it (a village post names its township)."""
    if not village_id:
        return None
    return session.scalar(
        select(RosterEntry.township)
        .where(
            RosterEntry.village_id == village_id,
            RosterEntry.township.is_not(None),
            RosterEntry.township != COUNTY,
        )
        .limit(1)
    )


@dataclass(frozen=True)
class Notice:
    """One notification, rendered per provider by the senders."""

    topic: str
    case_number: str | None = None
    handler_role: str | None = None
    risk_level: str | None = None
    previous_risk_level: str | None = None
    dispute_type: str | None = None
    village_id: str | None = None
    village_name: str | None = None
    township: str | None = None
    due_at: datetime | None = None
    assignee: str | None = None
    message_id: int | None = None
    console_url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_test(self) -> bool:
        return self.topic == "test"

    @property
    def topic_label(self) -> str:
        return TOPIC_LABELS.get(self.topic, self.topic)

    @property
    def title(self) -> str:
        number = f" {self.case_number}" if self.case_number else ""
        return f"{PRODUCT}：{self.topic_label}{number}"

    @property
    def risk_label(self) -> str | None:
        info = LEVELS.get(self.risk_level or "")
        return info.label if info else None

    @property
    def role_label(self) -> str | None:
        return ROLE_LABELS.get(self.handler_role or "", self.handler_role)

    @property
    def type_label(self) -> str | None:
        return DISPUTE_TYPE_LABELS.get(self.dispute_type or "")

    @property
    def place(self) -> str | None:
        village = _clean(self.village_name) or _clean(self.village_id)
        township = _clean(self.township)
        if village and township:
            return f"{village}（{township}）"
        return village or (f"{township}" if township else None)

    @property
    def due_label(self) -> str | None:
        if self.due_at is None:
            return None
        return self.due_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")

    @property
    def summary(self) -> str:
        """One Chinese sentence for the group: what to do, by when; never a resident's data."""
        place = self.place or "未登记村"
        kind = f"{self.type_label}纠纷" if self.type_label and self.dispute_type != "other" else "纠纷"
        due = f"请在{self.due_label}（北京时间）前首次联系当事人。" if self.due_label else ""
        role = self.role_label or "工作人员"
        if self.topic == "test":
            return "这是一条测试消息：收到即说明本渠道配置正确，无需处理。"
        if self.topic == "emergency_case":
            return f"{place}有紧急求助（{kind}），请{role}立即处理。{due}"
        if self.topic == "high_risk_case":
            return f"{place}有一件{self.risk_label or '高风险'}的{kind}，由{role}办理。{due}"
        if self.topic == "case_assigned":
            who = f"{_clean(self.assignee)}（{role}）" if self.assignee else role
            return f"{place}的{kind}已分派给{who}。{due}"
        if self.topic == "risk_raised":
            before = LEVELS[self.previous_risk_level].label if self.previous_risk_level in LEVELS else "原等级"
            return f"{place}的{kind}风险由{before}升为{self.risk_label or '更高等级'}。{due}"
        if self.topic == "case_overdue":
            deadline = self.due_label or "已到期"
            return f"{place}的{kind}已过首次联系期限（{deadline}）仍未联系，已升级到乡镇，请尽快处理。"
        if self.topic == "deletion_request":
            return f"{place}一件案件的当事人申请删除个人信息，请办案人员在控制台核实处理。"
        return f"{place}有一件{kind}待{role}受理。{due}"

    def facts(self) -> list[tuple[str, str]]:
        """(label, value) lines every provider shows, in this order; unknown values are left out."""
        lines = [
            ("案件编号", self.case_number),
            ("村", self.place),
            ("纠纷类型", self.type_label),
            ("风险等级", self.risk_label),
            ("办理", self.role_label),
            ("首次联系期限", f"{self.due_label}（北京时间）" if self.due_label else None),
        ]
        return [(label, value) for label, value in lines if value]

    # --- per provider ------------------------------------------------------------------------------

    def wecom_markdown(self) -> str:
        """WeCom robot markdown (at most 4096 bytes; font colours info, comment and warning only)."""
        lines = [f"**{PRODUCT}｜{self.topic_label}**"]
        for label, value in self.facts():
            if label == "风险等级" and self.risk_level in ("high", "emergency"):
                value = f'<font color="warning">{value}</font>'
            elif label == "案件编号":
                value = f'<font color="info">{value}</font>'
            lines.append(f"> {label}：{value}")
        lines += ["", self.summary]
        if self.console_url:
            lines.append(f"[打开{PRODUCT}控制台]({self.console_url})")
        return "\n".join(lines)

    def dingtalk_markdown(self) -> tuple[str, str]:
        """(title, text) for a DingTalk robot; the title shows in the chat list, and names the product, so a
        robot whose security setting is the keyword "村法助手" accepts every message."""
        lines = [f"#### {PRODUCT}｜{self.topic_label}"]
        lines += [f"- {label}：{value}" for label, value in self.facts()]
        lines.append(self.summary)
        if self.console_url:
            lines.append(f"[打开{PRODUCT}控制台]({self.console_url})")
        return self.title, "\n\n".join(lines)

    def template_values(self) -> list[str]:
        """Title, case number, matter, deadline, note (the summary): the five values a template message carries."""
        matter = "，".join(v for v in (self.topic_label, self.type_label, self.risk_label) if v)
        return [self.title, self.case_number or "—", matter, self.due_label or "—", self.summary]

    def webhook_body(self) -> dict[str, Any]:
        """Our own JSON (docs/notifications.md); the sender adds ``timestamp`` and ``delivery_id``."""
        return {
            "version": 1,
            "event": self.topic,
            "test": self.is_test,
            "message_id": self.message_id,
            "case": {
                "number": self.case_number,
                "handler_role": self.handler_role,
                "risk_level": self.risk_level,
                "previous_risk_level": self.previous_risk_level,
                "dispute_type": self.dispute_type,
                "village_id": self.village_id,
                "village_name": self.village_name,
                "township": self.township,
                "first_contact_due_at": self.due_at.isoformat() if self.due_at else None,
                "assignee": self.assignee,
            },
            "title": self.title,
            "summary": self.summary,
            "console_url": self.console_url or None,
        }


def notice_for(session: Session, message: dict[str, Any], *, console_url: str = "") -> Notice:
    """The notice for an outbox message (``{"id", "topic", "recipient", **payload}``), completed from its case.

    Only the case's routing columns are read (never a personal field). The village comes from the case
    as it is now, so a case linked to a registered village after filing reaches that village's groups.
    """
    number = message.get("case_id")
    row = None
    if number:
        row = session.execute(
            select(
                Case.handler_role, Case.risk_level, Case.dispute_type, Case.village_id, Case.village_name,
                Case.first_contact_due_at, Case.assignee,
            ).where(Case.number == number)
        ).first()  # fmt: skip
    village_id = (row.village_id if row else None) or message.get("village_id")
    topic = str(message.get("topic") or "")
    assignee = message.get("recipient") if topic == "case_assigned" else message.get("assignee")
    return Notice(
        topic=topic,
        case_number=number,
        handler_role=message.get("handler_role") or (row.handler_role if row else None),
        risk_level=message.get("risk_level") or (row.risk_level if row else None),
        previous_risk_level=message.get("previous_risk_level"),
        dispute_type=row.dispute_type if row else message.get("dispute_type"),
        village_id=village_id,
        village_name=(row.village_name if row else None) or message.get("village_name"),
        township=township_of(session, village_id),
        due_at=_time(message.get("first_contact_due_at") or message.get("due"))
        or (row.first_contact_due_at if row else None),
        assignee=assignee or (row.assignee if row and topic == "case_assigned" else None),
        message_id=message.get("id"),
        console_url=console_url,
    )


def sample_notice(*, console_url: str = "") -> Notice:
    """What ``cunfa notify test`` sends: a clearly marked test with made-up case facts."""
    return Notice(
        topic="test",
        case_number="TEST-000000",
        handler_role="mediator",
        risk_level="low",
        dispute_type="neighbor",
        village_name="测试村",
        due_at=datetime.now(timezone.utc) + timedelta(hours=24),
        console_url=console_url,
    )
