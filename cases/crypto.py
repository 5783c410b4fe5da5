"""Field-level encryption of residents' personal data at rest (个人信息保护法第五十一条).

Names, phones, the person affected, the other side, stories, transcripts (a case's ``context``) and
what Rasa's tracker store keeps of a conversation are encrypted with Fernet (AES-128-CBC and
HMAC-SHA256, from ``cryptography``) before they reach the database, so a copied database file, a
backup or a stolen disk shows none of them. Phones are also kept as keyed hashes, so staff can
look a case up by phone without the clear number ever being in a query or an index.

Keys come from ``CUNFA_DATA_KEYS`` (comma-separated Fernet keys; the first encrypts, all decrypt),
or a key file made once in the data directory. Rotation: put a new key first, run
``cunfa keys rotate`` (re-encrypts every row and recomputes the phone hashes with the new key),
then drop the old key. Values written before encryption was turned on carry no prefix and are
read as they are, until ``cunfa keys rotate`` encrypts them.

The process configures the keyring once (``configure``) at its entry point: the API, the action
server, Rasa's tracker store, the CLI; nothing is read at import time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy.types import Text, TypeDecorator

PREFIX = "enc1:"


class DataKeyError(RuntimeError):
    """No key configured, or a stored value that none of the keys opens."""


class Keyring:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise DataKeyError("no data encryption key: set CUNFA_DATA_KEYS or let the data directory hold one")
        try:
            self._fernets = [Fernet(key.strip().encode()) for key in keys]
        except (ValueError, TypeError) as exc:
            raise DataKeyError(f"CUNFA_DATA_KEYS holds a key that is not a Fernet key: {exc}") from exc
        self._multi = MultiFernet(self._fernets)
        self._hash_keys = [hashlib.sha256(b"cunfa-lookup:" + key.strip().encode()).digest() for key in keys]

    def encrypt(self, value: str | None) -> str | None:
        if value is None:
            return None
        return PREFIX + self._multi.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, stored: str | None) -> str | None:
        if stored is None or not stored.startswith(PREFIX):
            return stored  # written before encryption was turned on
        try:
            return self._multi.decrypt(stored[len(PREFIX) :].encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise DataKeyError("a stored value opens with none of the configured keys (was a key dropped?)") from exc

    def rotate(self, stored: str | None) -> str | None:
        """The value encrypted with the first key (plain values get encrypted)."""
        if stored is None:
            return None
        if not stored.startswith(PREFIX):
            return self.encrypt(stored)
        return PREFIX + self._multi.rotate(stored[len(PREFIX) :].encode("ascii")).decode("ascii")

    def lookup_hash(self, value: str) -> str:
        """The keyed hash a lookup column stores (made with the first key)."""
        return hmac.new(self._hash_keys[0], value.encode("utf-8"), hashlib.sha256).hexdigest()

    def lookup_hashes(self, value: str) -> list[str]:
        """Every hash a row may hold for ``value``: rows hashed before a rotation still match."""
        return [hmac.new(k, value.encode("utf-8"), hashlib.sha256).hexdigest() for k in self._hash_keys]


_active: Keyring | None = None
_lock = threading.Lock()


def configure(keys: list[str]) -> Keyring:
    """Set this process's keyring (called by each entry point, and again after a rotation)."""
    global _active
    keyring = Keyring(keys)
    with _lock:
        _active = keyring
    return keyring


def configured() -> bool:
    return _active is not None


def keyring() -> Keyring:
    if _active is None:
        raise DataKeyError("the data encryption keyring is not configured in this process (cases.crypto.configure)")
    return _active


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


class EncryptedText(TypeDecorator):
    """A text column stored encrypted; the application sees the clear value."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return keyring().encrypt(None if value is None else str(value))

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        return keyring().decrypt(value)


class EncryptedJSON(TypeDecorator):
    """A JSON document stored encrypted (a case's context: transcript, citations, consent)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        return keyring().encrypt(json.dumps(value, ensure_ascii=False))

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        return json.loads(keyring().decrypt(value) or "null")


#: Case columns held encrypted (``cases.models.Case``); ``rotate_all`` re-encrypts exactly these.
ENCRYPTED_CASE_COLUMNS = (
    "resident_name", "resident_phone", "affected_person", "counterparty", "description", "satisfaction_comment",
    "context",
)  # fmt: skip
