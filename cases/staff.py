"""Staff accounts, rosters and relations on record: the people cases are handed to."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cases.auth import ROLES, hash_password, verify_password
from cases.errors import CaseError
from cases.models import Relation, RosterEntry, User
from cases.routing import HANDLER_ROLES

_USERNAME = re.compile(r"[A-Za-z0-9_.-]{3,64}")


class StaffError(CaseError, ValueError):
    """An account or roster change that cannot be made; the message says why."""


def add_user(
    session: Session, *, username: str, role: str, password: str, display_name: str = "", phone: str | None = None
) -> User:
    if not _USERNAME.fullmatch(username):
        raise StaffError("username must be 3–64 letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}; got {role!r}")
    try:
        password_hash = hash_password(password)
    except ValueError as exc:
        raise StaffError(str(exc)) from exc
    user = User(
        username=username,
        role=role,
        display_name=display_name or username,
        password_hash=password_hash,
        phone=phone,
        active=1,
        created_at=datetime.now(timezone.utc),
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise StaffError(f"user {username!r} already exists") from exc
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username))
    # Verify against a dummy hash for unknown users, so timing does not reveal who exists.
    stored = user.password_hash if user is not None else _DUMMY_HASH
    ok = verify_password(password, stored)
    return user if ok and user is not None and user.active else None


def add_roster_entry(
    session: Session, *, user: User, handler_role: str, village_id: str | None = None, township: str | None = None
) -> RosterEntry:
    """Post a person to a village (一村一法律顾问, village mediators) or a township committee."""
    if handler_role not in HANDLER_ROLES:
        raise StaffError(f"handler_role must be one of {', '.join(HANDLER_ROLES)}; got {handler_role!r}")
    if not village_id and not township:
        raise StaffError("a roster entry needs a village_id or a township")
    entry = RosterEntry(user_id=user.id, handler_role=handler_role, village_id=village_id, township=township)
    session.add(entry)
    session.flush()
    return entry


def add_relation(session: Session, *, user: User, person: str, kind: str = "relative") -> Relation:
    if not person.strip():
        raise StaffError("person must not be empty")
    relation = Relation(user_id=user.id, person=person.strip(), kind=kind)
    session.add(relation)
    session.flush()
    return relation


_DUMMY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
