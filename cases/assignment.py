"""Least-loaded assignment with a conflict check.

Candidates are the people posted to the case's village for its handler role; when the village
has none (or all are in conflict), the township committee; then the county centre's roster (posted
with township ``COUNTY``), which also takes every case whose village the system does not know.
Among them, the one with the fewest open cases gets it. Nobody is assigned who is the counterparty,
is related to them on record, or acts for them in another open case; an admin can override that
only with a written reason, which goes on the case history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cases import outbox
from cases.errors import ConflictOfInterest, NoHandlerAvailable
from cases.models import Case, CaseEvent, Relation, RosterEntry, User
from cases.workflow import OPEN_STATUSES

MIN_REASON = 4
#: The township name the county centre's roster is posted under (``cunfa users post --township county``).
COUNTY = "county"


@dataclass(frozen=True)
class Assignment:
    username: str
    level: str  # village | township | county | manual | override
    skipped: tuple[str, ...]  # usernames passed over because of a conflict


def conflicts(session: Session, user: User, case: Case) -> list[str]:
    """Why ``user`` must not handle ``case`` (empty when there is no conflict)."""
    other = (case.counterparty or "").strip()
    if not other or other == "不清楚":
        return []
    reasons = []
    if user.display_name and user.display_name in other or user.username in other:
        reasons.append("is the counterparty")
    for relation in session.scalars(select(Relation).where(Relation.user_id == user.id)):
        if relation.person and (relation.person in other or other in relation.person):
            reasons.append(f"{relation.kind} of {relation.person} on record")
    represented = session.scalars(
        select(Case.resident_name).where(
            Case.assignee == user.username,
            Case.id != case.id,
            Case.status.in_([s.value for s in OPEN_STATUSES]),
            Case.resident_name.is_not(None),
        )
    ).all()
    acting = any(name and name in other for name in represented)
    if acting:
        reasons.append("acts for the counterparty in another open case")
    return reasons


def _load(session: Session, username: str) -> int:
    open_statuses = [s.value for s in OPEN_STATUSES]
    return int(
        session.scalar(
            select(func.count()).select_from(Case).where(Case.assignee == username, Case.status.in_(open_statuses))
        )
        or 0
    )


def _township_of(session: Session, village_id: str | None) -> str | None:
    if not village_id:
        return None
    return session.scalar(
        select(RosterEntry.township).where(RosterEntry.village_id == village_id, RosterEntry.township.is_not(None))
    )


def candidates(session: Session, case: Case, *, township_only: bool = False) -> list[tuple[str, list[User]]]:
    """Roster levels to try, in order: the village's own people, then the township committee."""
    levels = []
    if case.village_id and not township_only:
        village = session.scalars(
            select(User)
            .join(RosterEntry, RosterEntry.user_id == User.id)
            .where(
                RosterEntry.village_id == case.village_id,
                RosterEntry.handler_role == case.handler_role,
                User.active == 1,
            )
        ).all()
        levels.append(("village", list(village)))
    township = _township_of(session, case.village_id)
    if township:
        committee = session.scalars(
            select(User)
            .join(RosterEntry, RosterEntry.user_id == User.id)
            .where(
                RosterEntry.township == township,
                RosterEntry.village_id.is_(None),
                RosterEntry.handler_role == case.handler_role,
                User.active == 1,
            )
        ).all()
        levels.append(("township", list(committee)))
    county = session.scalars(
        select(User)
        .join(RosterEntry, RosterEntry.user_id == User.id)
        .where(
            RosterEntry.township == COUNTY,
            RosterEntry.village_id.is_(None),
            RosterEntry.handler_role == case.handler_role,
            User.active == 1,
        )
    ).all()
    levels.append(("county", list(county)))
    return levels


def assign(
    session: Session,
    case: Case,
    *,
    actor: str,
    username: str | None = None,
    override_reason: str | None = None,
    township_only: bool = False,
    now: datetime | None = None,
) -> Assignment:
    """Assign ``case`` (caller commits). With ``username`` an admin picks the person."""
    when = now or datetime.now(timezone.utc)
    skipped: list[str] = []
    result: Assignment | None
    if username is not None:
        user = session.scalar(select(User).where(User.username == username, User.active == 1))
        if user is None:
            raise NoHandlerAvailable(f"no active user {username!r}")
        reasons = conflicts(session, user, case)
        if reasons and (not override_reason or len(override_reason.strip()) < MIN_REASON):
            raise ConflictOfInterest(f"{username} {'; '.join(reasons)}; an override needs a written reason")
        result = Assignment(username, "override" if reasons else "manual", ())
        detail = {"assignee": username, "level": result.level, "conflicts": reasons, "reason": override_reason}
    else:
        result = None
        for level, people in candidates(session, case, township_only=township_only):
            eligible = []
            for person in people:
                if conflicts(session, person, case):
                    skipped.append(person.username)
                else:
                    eligible.append(person)
            if eligible:
                chosen = min(eligible, key=lambda u: (_load(session, u.username), u.username))
                result = Assignment(chosen.username, level, tuple(skipped))
                break
        if result is None:
            raise NoHandlerAvailable(
                f"nobody on the {case.village_id or 'unknown'} village, township or county roster can take a "
                f"{case.handler_role} case" + (f" (in conflict: {', '.join(skipped)})" if skipped else "")
            )
        detail = {"assignee": result.username, "level": result.level, "skipped_for_conflict": list(skipped)}
    case.assignee = result.username
    case.updated_at = when
    session.add(CaseEvent(case_id=case.id, at=when, actor=actor, kind="assigned", detail=detail))
    outbox.enqueue(
        session,
        topic="case_assigned",
        recipient=result.username,
        payload={"case_id": case.number, "handler_role": case.handler_role,
                 "first_contact_due_at": case.first_contact_due_at.isoformat()},
    )  # fmt: skip
    return result
