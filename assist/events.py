"""What was shown to hotline agents and what they used, so that the assist's usefulness can be measured.

One ``shown`` row per assist result that showed something new in a call (its suggestion and draft
ids, risk and dispute type), one ``suggestion_used``/``draft_used`` row per item the agent used, one
``case_filed`` row per call that filed a case. Usefulness is the share of distinct items shown in a
call that the agent used in that call; it measures the suggestions, never the agents.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.models import AssistEvent
from triage import max_level

KINDS = ("shown", "suggestion_used", "draft_used", "case_filed")


def record(
    session: Session, *, call_id: str, agent: str, kind: str, ref: str | None = None, detail: dict | None = None
) -> None:
    """Add one event to the caller's transaction."""
    if kind not in KINDS:
        raise ValueError(f"unknown assist event kind {kind!r}")
    now = datetime.now(timezone.utc)
    session.add(AssistEvent(at=now, call_id=call_id, agent=agent, kind=kind, ref=ref, detail=detail or {}))


def _shown_rows(session: Session, call_id: str) -> list[dict[str, Any]]:
    query = select(AssistEvent.detail).where(AssistEvent.call_id == call_id, AssistEvent.kind == "shown")
    return [row or {} for row in session.scalars(query)]


def shown_items(session: Session, call_id: str) -> dict[str, set[str]] | None:
    """Every suggestion and draft id ever shown in the call; None when the call never showed anything."""
    rows = _shown_rows(session, call_id)
    if not rows:
        return None
    items: dict[str, set[str]] = {"suggestion": set(), "draft": set()}
    for detail in rows:
        items["suggestion"].update(detail.get("suggestion_ids") or [])
        items["draft"].update(detail.get("draft_ids") or [])
    return items


def recorded_risk(session: Session, call_id: str) -> tuple[str, list[str]]:
    """The highest risk level any result of the call showed, and all cues: a filed case never gets less."""
    level, cues = "none", {}
    for detail in _shown_rows(session, call_id):
        level = max_level(level, detail.get("risk_level"))
        cues.update(dict.fromkeys(detail.get("risk_cues") or []))
    return level, list(cues)


def exists(session: Session, call_id: str, kind: str, ref: str | None = None) -> bool:
    query = select(AssistEvent.id).where(AssistEvent.call_id == call_id, AssistEvent.kind == kind)
    if ref is not None:
        query = query.where(AssistEvent.ref == ref)
    return session.scalar(query.limit(1)) is not None


def _ratio(used: int, shown: int) -> float | None:
    return round(used / shown, 4) if shown else None


def draft_kind(draft_id: str) -> str:
    """``answer:…`` → ``answer``, ``handoff:lawyer`` → ``handoff``: drafts are compared by kind."""
    return draft_id.split(":", 1)[0]


def usage(session: Session, *, since: datetime | None = None) -> dict[str, Any]:
    """Counts per event kind and used/shown ratios, overall, for suggestions, drafts and each kind of draft."""
    query = select(AssistEvent.call_id, AssistEvent.kind, AssistEvent.ref, AssistEvent.detail)
    if since is not None:
        query = query.where(AssistEvent.at >= since)
    counts: Counter[str] = Counter()
    shown: dict[str, set[tuple[str, str]]] = {"suggestion": set(), "draft": set()}
    used: dict[str, set[tuple[str, str]]] = {"suggestion": set(), "draft": set()}
    calls: set[str] = set()
    filed: set[str] = set()
    for call_id, kind, ref, detail in session.execute(query):
        counts[kind] += 1
        if kind == "shown":
            calls.add(call_id)
            shown["suggestion"].update((call_id, i) for i in (detail or {}).get("suggestion_ids") or [])
            shown["draft"].update((call_id, i) for i in (detail or {}).get("draft_ids") or [])
        elif kind == "suggestion_used" and ref:
            used["suggestion"].add((call_id, ref))
        elif kind == "draft_used" and ref:
            used["draft"].add((call_id, ref))
        elif kind == "case_filed":
            filed.add(call_id)
    by_kind: dict[str, dict[str, int]] = defaultdict(lambda: {"shown": 0, "used": 0})
    for _, draft_id in shown["draft"]:
        by_kind[draft_kind(draft_id)]["shown"] += 1
    for _, draft_id in used["draft"] & shown["draft"]:
        by_kind[draft_kind(draft_id)]["used"] += 1

    def block(what: str) -> dict[str, Any]:
        n_shown, n_used = len(shown[what]), len(used[what] & shown[what])
        return {"shown": n_shown, "used": n_used, "used_shown_ratio": _ratio(n_used, n_shown)}

    total_shown = len(shown["suggestion"]) + len(shown["draft"])
    total_used = len(used["suggestion"] & shown["suggestion"]) + len(used["draft"] & shown["draft"])
    return {
        "since": since.isoformat() if since else None,
        "counts": {kind: counts.get(kind, 0) for kind in KINDS},
        "calls": len(calls),
        "calls_with_case": len(filed),
        "used_shown_ratio": _ratio(total_used, total_shown),
        "suggestions": block("suggestion"),
        "drafts": block("draft"),
        "drafts_by_kind": {
            kind: {**n, "used_shown_ratio": _ratio(n["used"], n["shown"])} for kind, n in sorted(by_kind.items())
        },
    }
