"""Staff accounts, rosters and relations on record: the people cases are handed to.

Accounts are disabled and enabled, have their password reset and their login lockout lifted by an
admin (``cunfa users …`` or ``/v1/staff/users/…``); each of those changes writes its audit row in
the caller's transaction, so the change and its record commit together. Disabling an account or
resetting its password bumps its ``token_version``, which ends every session it had at once.

Logins are throttled per username, in the database so that every gateway process agrees:
``LOGIN_MAX_FAILURES`` failures within ``LOGIN_WINDOW`` lock the username for ``LOCKOUT``. Usernames
that do not exist are counted and locked exactly like real ones, so neither the answer nor its
timing tells who has an account. A lockout stops new logins only; sessions already open go on.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import case, delete, func, literal, null, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cases import audit
from cases.auth import DUMMY_HASH, ROLES, hash_password, needs_rehash, rehash_password, verify_password
from cases.errors import CaseError, CaseNotFound
from cases.models import LoginThrottle, Relation, RosterEntry, User
from cases.routing import HANDLER_ROLES
from triage.safety import too_many

_USERNAME = re.compile(r"[A-Za-z0-9_.-]{3,64}")

#: Failed logins per username within ``LOGIN_WINDOW`` that lock it for ``LOCKOUT``.
LOGIN_MAX_FAILURES = 5
LOGIN_WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
#: The shortest password an admin may set in a reset.
MIN_RESET_PASSWORD = 10
MAX_PASSWORD = 256


class StaffError(CaseError, ValueError):
    """An account or roster change that cannot be made; the message says why."""


class UnknownUser(CaseNotFound):
    """No staff account has that username (answered as a 404 to admins)."""


class LoginLocked(CaseError):
    """Too many failed logins for this username lately; no login is tried until ``until``."""

    def __init__(self, until: datetime, now: datetime) -> None:
        self.until = until
        self.retry_after_s = max(1, math.ceil((until - now).total_seconds()))
        minutes = max(1, math.ceil(self.retry_after_s / 60))
        super().__init__(too_many("failed logins for this username", minutes * 60) + "; an admin can unlock it")


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
    """The active account with this username and password, or None.

    A hash made with older scrypt parameters is replaced by one at today's (rehash on login); the
    caller's commit stores it.
    """
    user = session.scalar(select(User).where(User.username == username))
    # Verify against a dummy hash for unknown users, so timing does not reveal who exists.
    stored = user.password_hash if user is not None else DUMMY_HASH
    ok = verify_password(password, stored)
    if not ok or user is None or not user.active:
        return None
    if needs_rehash(stored):
        user.password_hash = rehash_password(password)
    return user


def log_in(session: Session, username: str, password: str, *, now: datetime | None = None) -> User | None:
    """``authenticate`` under the per-username throttle; the caller commits (failures count only then).

    Raises ``LoginLocked`` without checking the password while the username is locked. A failure
    (wrong password, unknown or disabled account) is counted; a success clears the count and
    records the time of the login.
    """
    now = now or datetime.now(timezone.utc)
    locked_until = session.scalar(select(LoginThrottle.locked_until).where(LoginThrottle.username == username))
    if locked_until is not None and locked_until > now:
        raise LoginLocked(locked_until, now)
    user = authenticate(session, username, password)  # the slow part, before anything is written
    if user is None:
        _count_failure(session, username, now)
        return None
    session.execute(delete(LoginThrottle).where(LoginThrottle.username == username))
    user.last_login_at = now
    return user


def _count_failure(session: Session, username: str, now: datetime) -> None:
    """One more failure for ``username``, atomically, whichever gateway process counts it."""
    table = LoginThrottle
    cutoff = now - LOGIN_WINDOW
    # Rows whose window and lockout have both run out say nothing any more (usernames nobody tries now).
    session.execute(
        delete(table).where(
            table.window_started_at < cutoff,
            or_(table.locked_until.is_(None), table.locked_until <= now),
            table.username != username,
        )
    )
    stale = table.window_started_at < cutoff
    counts = {
        "failures": case((stale, 1), else_=table.failures + 1),
        "window_started_at": case((stale, literal(now, table.window_started_at.type)), else_=table.window_started_at),
        "locked_until": case((stale, null()), else_=table.locked_until),
    }
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert(table).values(username=username, failures=1, window_started_at=now, locked_until=None)
        session.execute(stmt.on_conflict_do_update(index_elements=[table.username], set_=counts))
    elif not session.execute(update(table).where(table.username == username).values(**counts)).rowcount:
        session.add(LoginThrottle(username=username, failures=1, window_started_at=now))
        session.flush()
    session.execute(
        update(table)
        .where(
            table.username == username,
            table.failures >= LOGIN_MAX_FAILURES,
            or_(table.locked_until.is_(None), table.locked_until <= now),
        )
        .values(locked_until=now + LOCKOUT)
    )


# --- what admins do to accounts (CLI and API): each change with its audit row -----------------------------


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise UnknownUser(f"no user {username!r}")
    return user


def disable_user(session: Session, username: str, *, actor: str, now: datetime | None = None) -> User:
    """Disable an account: no login, and its open sessions end at once (a new ``token_version``)."""
    user = find_user(session, username)
    if not user.active:
        return user  # already disabled: nothing changes, nothing to record
    if username == actor:
        raise StaffError("you cannot disable your own account")
    if user.role == "admin":
        admins = session.scalar(select(func.count()).select_from(User).where(User.role == "admin", User.active == 1))
        if (admins or 0) <= 1:
            raise StaffError(f"{username!r} is the last active admin; enable or add another admin first")
    user.active = 0
    user.disabled_at = now or datetime.now(timezone.utc)
    user.disabled_by = actor
    user.token_version = User.token_version + 1
    audit.record(session, actor=actor, action="disable_user", user=username)
    session.flush()
    return user


def enable_user(session: Session, username: str, *, actor: str) -> User:
    """Enable a disabled account; the sessions it had before stay ended (log in again)."""
    user = find_user(session, username)
    if user.active:
        return user
    user.active = 1
    user.disabled_at = None
    user.disabled_by = None
    audit.record(session, actor=actor, action="enable_user", user=username)
    session.flush()
    return user


def reset_password(session: Session, username: str, password: str, *, actor: str, now: datetime | None = None) -> User:
    """Set a new password: the old one and every session opened with it stop working, a lockout is lifted."""
    if len(password) < MIN_RESET_PASSWORD:
        raise StaffError(f"the new password must have at least {MIN_RESET_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise StaffError(f"the new password must have at most {MAX_PASSWORD} characters")
    user = find_user(session, username)
    user.password_hash = hash_password(password)
    user.password_changed_at = now or datetime.now(timezone.utc)
    user.token_version = User.token_version + 1
    session.execute(delete(LoginThrottle).where(LoginThrottle.username == username))
    audit.record(session, actor=actor, action="reset_password", user=username)
    session.flush()
    return user


def unlock_user(session: Session, username: str, *, actor: str) -> bool:
    """Lift a login lockout and forget the failures counted; True when the username was locked."""
    find_user(session, username)
    now = datetime.now(timezone.utc)
    locked_until = session.scalar(select(LoginThrottle.locked_until).where(LoginThrottle.username == username))
    was_locked = locked_until is not None and locked_until > now
    session.execute(delete(LoginThrottle).where(LoginThrottle.username == username))
    audit.record(session, actor=actor, action="unlock_user", user=username, was_locked=was_locked)
    return was_locked


@dataclass(frozen=True)
class StaffAccount:
    """One account as admins see it in the staff list; never its password hash."""

    username: str
    display_name: str
    role: str
    disabled: bool
    disabled_at: datetime | None
    disabled_by: str | None
    locked_until: datetime | None
    failed_logins: int
    last_login_at: datetime | None
    password_changed_at: datetime | None
    created_at: datetime
    posts: list[dict[str, str | None]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role,
            "disabled": self.disabled,
            "disabled_at": iso(self.disabled_at),
            "disabled_by": self.disabled_by,
            "locked_until": iso(self.locked_until),
            "failed_logins": self.failed_logins,
            "last_login_at": iso(self.last_login_at),
            "password_changed_at": iso(self.password_changed_at),
            "created_at": iso(self.created_at),
            "posts": [dict(post) for post in self.posts],
        }


def list_staff(session: Session, *, now: datetime | None = None) -> list[StaffAccount]:
    """Every account by username, with its posts (rosters), whether it is disabled or locked, and its last login."""
    now = now or datetime.now(timezone.utc)
    users = list(session.scalars(select(User).order_by(User.username)))
    posts: dict[int, list[dict[str, str | None]]] = {}
    for entry in session.scalars(select(RosterEntry).order_by(RosterEntry.id)):
        posts.setdefault(entry.user_id, []).append(
            {"handler_role": entry.handler_role, "village_id": entry.village_id, "township": entry.township}
        )
    cutoff = now - LOGIN_WINDOW
    accounts_throttle = select(LoginThrottle).join(User, User.username == LoginThrottle.username)
    throttle = {row.username: row for row in session.scalars(accounts_throttle)}
    accounts = []
    for user in users:
        row = throttle.get(user.username)
        locked = row.locked_until if row is not None and row.locked_until and row.locked_until > now else None
        failures = row.failures if row is not None and (locked or row.window_started_at >= cutoff) else 0
        accounts.append(
            StaffAccount(
                username=user.username,
                display_name=user.display_name,
                role=user.role,
                disabled=not user.active,
                disabled_at=user.disabled_at,
                disabled_by=user.disabled_by,
                locked_until=locked,
                failed_logins=failures,
                last_login_at=user.last_login_at,
                password_changed_at=user.password_changed_at,
                created_at=user.created_at,
                posts=posts.get(user.id, []),
            )
        )
    return accounts


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
