"""The lifecycle of a case, as county mediation centres run it: 受理 → 研判 → 交办 → 化解 → 回访 → 评价.

Kept as data (a transition table) so the API, the console and the tests all read the same
rules, and an illegal jump (say, closing a case nobody worked on) is refused in one place.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy.orm import Session

from cases.errors import IllegalTransition
from cases.models import Case, CaseEvent


class Status(str, enum.Enum):
    received = "received"
    assessed = "assessed"
    assigned = "assigned"
    in_progress = "in_progress"
    resolved = "resolved"
    unresolved = "unresolved"
    follow_up = "follow_up"
    closed = "closed"


STATUS_LABELS: dict[str, str] = {
    Status.received: "已受理",
    Status.assessed: "已研判",
    Status.assigned: "已交办",
    Status.in_progress: "化解中",
    Status.resolved: "已化解",
    Status.unresolved: "未化解",
    Status.follow_up: "回访中",
    Status.closed: "已办结",
}

#: Allowed next statuses. ``unresolved → in_progress`` lets a mediator try again (or hand it to
#: a lawyer) without closing the case on a resident who still needs help.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.received: frozenset({Status.assessed}),
    Status.assessed: frozenset({Status.assigned}),
    Status.assigned: frozenset({Status.in_progress}),
    Status.in_progress: frozenset({Status.resolved, Status.unresolved}),
    Status.resolved: frozenset({Status.follow_up}),
    Status.unresolved: frozenset({Status.follow_up, Status.in_progress}),
    Status.follow_up: frozenset({Status.closed}),
    Status.closed: frozenset(),
}

#: Statuses in which the case still waits on a person (used for load and SLA).
OPEN_STATUSES = frozenset({Status.received, Status.assessed, Status.assigned, Status.in_progress, Status.unresolved})


def can_transition(current: str, target: str) -> bool:
    try:
        return Status(target) in TRANSITIONS[Status(current)]
    except ValueError:
        return False


def status_label(status: str) -> str:
    try:
        return STATUS_LABELS[Status(status)]
    except ValueError:
        return status


def advance(
    session: Session,
    case: Case,
    target: str,
    *,
    actor: str,
    when: datetime,
    note: str | None = None,
    satisfaction: int | None = None,
    comment: str | None = None,
) -> None:
    """Move ``case`` to ``target`` in the caller's transaction, with its history line (caller commits).

    Closing needs the resident's satisfaction (1–5) from the follow-up visit, because a case
    closed without asking the resident is exactly what the follow-up step exists to prevent.
    """
    if not can_transition(case.status, target):
        raise IllegalTransition(f"case {case.number} cannot go from {case.status} to {target}")
    if target == Status.closed.value:
        if satisfaction is None or not 1 <= satisfaction <= 5:
            raise IllegalTransition(f"closing needs a satisfaction score from 1 to 5; got {satisfaction!r}")
        case.satisfaction, case.satisfaction_comment, case.closed_at = satisfaction, comment, when
    if target in (Status.resolved.value, Status.unresolved.value):
        case.resolved_at = when
    if target == Status.in_progress.value and case.first_contact_at is None:
        case.first_contact_at = when
    previous, case.status, case.updated_at = case.status, target, when
    session.add(
        CaseEvent(
            case_id=case.id, at=when, actor=actor, kind="transition",
            from_status=previous, to_status=target, detail={"note": note} if note else {},
        )
    )  # fmt: skip
