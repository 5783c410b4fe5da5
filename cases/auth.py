"""Staff passwords and access tokens.

Passwords are hashed with scrypt (memory-hard, in the standard library) and a per-user salt;
tokens are short-lived HS256 JWTs (PyJWT), so a stolen token stops working within the hour
and a stolen database does not give away anyone's password.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import jwt

from cases.errors import CaseError

ROLES = ("admin", "lawyer", "mediator", "grid_worker", "hotline")
TOKEN_TTL = timedelta(minutes=30)
MIN_PASSWORD = 8
_N, _R, _P = 2**14, 8, 1


class AuthError(CaseError):
    """Wrong credentials, or a token that is forged, expired or for a disabled account."""


@dataclass(frozen=True)
class Claims:
    username: str
    role: str
    expires_at: datetime


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password must have at least {MIN_PASSWORD} characters")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return "$".join(["scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)])


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        candidate = hashlib.scrypt(
            password.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p), dklen=len(_unb64(digest))
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(candidate, _unb64(digest))


def issue_token(
    username: str, role: str, secret: str, *, ttl: timedelta = TOKEN_TTL, now: datetime | None = None
) -> str:
    issued = now or datetime.now(timezone.utc)
    payload = {"sub": username, "role": role, "iat": issued, "exp": issued + ttl}
    return jwt.encode(payload, secret, algorithm="HS256")


def read_token(token: str, secret: str) -> Claims:
    try:
        payload = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["exp", "sub"]})
    except jwt.PyJWTError as exc:
        raise AuthError(f"invalid token: {exc}") from exc
    if payload.get("role") not in ROLES:
        raise AuthError("invalid token: unknown role")
    return Claims(payload["sub"], payload["role"], datetime.fromtimestamp(payload["exp"], timezone.utc))


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
