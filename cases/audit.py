"""The audit log: every read of personal data and every change, with who and when."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy.orm import Session

from cases.models import AuditEntry


def record(session: Session, *, actor: str, action: str, case_number: str | None = None, **detail: Any) -> None:
    """Add an entry to the caller's transaction, so the log and the change commit together."""
    session.add(
        AuditEntry(at=datetime.now(timezone.utc), actor=actor, action=action, case_number=case_number, detail=detail)
    )
