"""Staff passwords and access tokens.

Passwords are hashed with scrypt (memory-hard, in the standard library) and a per-user salt, at
the strength OWASP's Password Storage Cheat Sheet recommends (N=2^17, r=8, p=1: 128 MiB and about
half a second per hash). A stored hash carries its own parameters, so hashes written with older,
weaker ones still verify, and ``needs_rehash`` tells the login to store a fresh one.

Tokens are short-lived HS256 JWTs (PyJWT) that carry the account's ``token_version``: disabling an
account or resetting its password bumps the version, and every request compares it with the
database (``api.security``), so the old tokens stop working at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import jwt

from cases.errors import CaseError

ROLES = ("admin", "lawyer", "mediator", "grid_worker", "hotline")
TOKEN_TTL = timedelta(minutes=30)
MIN_PASSWORD = 8
#: scrypt cost of new hashes: OWASP Password Storage Cheat Sheet (N=2^17, r=8, p=1).
_N, _R, _P = 2**17, 8, 1
_SALT_BYTES, _DIGEST_BYTES = 16, 32
#: A stored hash that would need more memory than this is refused rather than computed.
_MAX_MEMORY = 1 << 30
#: Each hash takes 128 MiB for about half a second: at most this many at once, whatever the thread pool's size.
_HASH_SLOTS = threading.BoundedSemaphore(max(1, min(4, os.cpu_count() or 1)))


class AuthError(CaseError):
    """Wrong credentials, or a token that is forged, expired or for a disabled account."""


@dataclass(frozen=True)
class Claims:
    username: str
    role: str
    expires_at: datetime
    #: The account's ``token_version`` when the token was issued (0 for tokens that predate it).
    version: int = 0


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password must have at least {MIN_PASSWORD} characters")
    return rehash_password(password)


def rehash_password(password: str) -> str:
    """A fresh hash at today's parameters, with no length rule: for a password that was just verified."""
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = _scrypt(password, salt, _N, _R, _P, _DIGEST_BYTES)
    return "$".join(["scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)])


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        expected = _unb64(digest)
        if scheme != "scrypt" or not expected:
            return False
        candidate = _scrypt(password, _unb64(salt), int(n), int(r), int(p), len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(candidate, expected)


def needs_rehash(stored: str) -> bool:
    """True when a hash was made with other parameters than today's (it still verifies)."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return True
    try:
        salt, digest = _unb64(parts[4]), _unb64(parts[5])
    except ValueError:
        return True
    return parts[1:4] != [str(_N), str(_R), str(_P)] or len(salt) < _SALT_BYTES or len(digest) != _DIGEST_BYTES


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    if n < 2 or n & (n - 1) or r < 1 or p < 1 or not 16 <= dklen <= 64:
        raise ValueError("bad scrypt parameters")
    # OpenSSL needs 128·r·(N + p + 2) bytes; Python's default limit (32 MiB) is below N=2^17.
    needed = 128 * r * (n + p + 2)
    if needed > _MAX_MEMORY:
        raise ValueError("scrypt parameters above the memory limit")
    with _HASH_SLOTS:
        return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=needed + (1 << 20))


def issue_token(
    username: str,
    role: str,
    secret: str,
    *,
    version: int = 0,
    ttl: timedelta = TOKEN_TTL,
    now: datetime | None = None,
) -> str:
    issued = now or datetime.now(timezone.utc)
    payload = {"sub": username, "role": role, "ver": version, "iat": issued, "exp": issued + ttl}
    return jwt.encode(payload, secret, algorithm="HS256")


def read_token(token: str, secret: str) -> Claims:
    try:
        payload = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["exp", "sub"]})
    except jwt.PyJWTError as exc:
        raise AuthError(f"invalid token: {exc}") from exc
    if payload.get("role") not in ROLES:
        raise AuthError("invalid token: unknown role")
    version = payload.get("ver", 0)
    if type(version) is not int:
        raise AuthError("invalid token: bad version")
    expires = datetime.fromtimestamp(payload["exp"], timezone.utc)
    return Claims(payload["sub"], payload["role"], expires, version)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:  # binascii.Error is a ValueError
        raise ValueError("bad base64") from exc


#: Verified for usernames that do not exist, at today's cost, so the time taken does not tell who exists.
DUMMY_HASH = "$".join(["scrypt", str(_N), str(_R), str(_P), _b64(b"\0" * _SALT_BYTES), _b64(b"\0" * _DIGEST_BYTES)])
