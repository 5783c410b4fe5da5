"""Who is calling: staff tokens, roles, and the signing key.

Lawyers and mediators see and change only their own cases; grid workers file cases on a
resident's behalf; admins manage everything. The role check happens here, once, as
dependencies; the routes only say which roles they accept.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Header, HTTPException
from sqlalchemy import select

from api.deps import StateDep
from cases.auth import AuthError, read_token
from cases.models import User
from cunfa.settings import Settings


@dataclass(frozen=True)
class Staff:
    username: str
    role: str
    display_name: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def signing_key(settings: Settings) -> str:
    """The configured key, or one created once per data directory (0600) and reused."""
    if settings.secret_key:
        return settings.secret_key
    path: Path = settings.data_dir / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        except FileExistsError:
            pass  # another process won the race; read theirs
    return path.read_text().strip()


def current_staff(state: StateDep, authorization: Annotated[str | None, Header()] = None) -> Staff:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise HTTPException(401, "staff login required: send Authorization: Bearer <token>")
    try:
        claims = read_token(authorization[7:].strip(), signing_key(state.settings))
    except AuthError as exc:
        raise HTTPException(401, str(exc)) from exc
    # One indexed lookup per request: a disabled account, a reset password (a new token_version) or a
    # changed role ends the token at once, in every gateway process.
    with state.case_store().session() as session:
        account = session.execute(
            select(User.role, User.display_name, User.active, User.token_version).where(
                User.username == claims.username
            )
        ).first()
    if account is None or not account.active or account.role != claims.role or account.token_version != claims.version:
        raise HTTPException(401, "session ended (account disabled, password reset or role changed); log in again")
    return Staff(claims.username, account.role, account.display_name)


StaffDep = Annotated[Staff, Depends(current_staff)]


def require(*roles: str):  # a FastAPI dependency factory
    def check(staff: StaffDep) -> Staff:
        if staff.role not in roles:
            raise HTTPException(403, f"role {staff.role} may not do this (needs {', '.join(roles)})")
        return staff

    return Depends(check)
