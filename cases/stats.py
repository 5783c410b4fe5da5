"""Numbers for the county centre: counts, resolution rate, time to first contact and to resolution."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.models import Case
from cases.workflow import OPEN_STATUSES

GROUPS = ("village", "dispute_type", "status")
_RESOLVED = {"resolved", "follow_up", "closed"}


def _hours(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 3600


def _summary(cases: list[Case], now: datetime) -> dict[str, Any]:
    finished = [c for c in cases if c.resolved_at is not None]
    resolved = [c for c in finished if c.status in _RESOLVED]
    contact = [h for c in cases if (h := _hours(c.created_at, c.first_contact_at)) is not None]
    resolution = [h for c in finished if (h := _hours(c.created_at, c.resolved_at)) is not None]
    scores = [c.satisfaction for c in cases if c.satisfaction is not None]
    open_values = {s.value for s in OPEN_STATUSES}
    return {
        "cases": len(cases),
        "resolution_rate": round(len(resolved) / len(finished), 3) if finished else None,
        "median_hours_to_first_contact": round(statistics.median(contact), 2) if contact else None,
        "median_hours_to_resolution": round(statistics.median(resolution), 2) if resolution else None,
        "overdue": sum(
            1 for c in cases if c.status in open_values and c.first_contact_at is None and c.first_contact_due_at < now
        ),
        "average_satisfaction": round(sum(scores) / len(scores), 2) if scores else None,
    }


def case_stats(
    session: Session, *, since: datetime, until: datetime, group_by: str = "village", now: datetime | None = None
) -> dict[str, Any]:
    """Statistics over cases created in [since, until), overall and per group.

    Resolution rate = resolved (or past resolution: follow-up, closed) among cases that reached
    an outcome; cases still being worked do not count against it.
    """
    if group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {', '.join(GROUPS)}; got {group_by!r}")
    if since >= until:
        raise ValueError("since must be before until")
    when = now or datetime.now(timezone.utc)
    cases = list(session.scalars(select(Case).where(Case.created_at >= since, Case.created_at < until)))
    groups: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        key = {"village": case.village_id or "unknown", "dispute_type": case.dispute_type, "status": case.status}[
            group_by
        ]
        groups[key].append(case)
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "group_by": group_by,
        "total": _summary(cases, when),
        "groups": {key: _summary(items, when) for key, items in sorted(groups.items())},
    }
