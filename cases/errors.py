"""Exceptions of the case store.

``CaseError`` is the root; only ``api/errors.py`` maps these to HTTP status codes, and actions
turn them into an honest reply (never a silent success).
"""

from __future__ import annotations


class CaseError(Exception):
    """Anything the case store refuses or cannot do."""


class CaseNotFound(CaseError):
    """No case has that number (or the caller may not know that it exists)."""


class IllegalTransition(CaseError):
    """The lifecycle does not allow this status change."""


class InvalidIntake(CaseError, ValueError):
    """A case cannot be filed from these facts; the message names the field."""


class StoreUnavailable(CaseError):
    """The database could not be reached even after retrying; the case was NOT stored."""
