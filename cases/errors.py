"""Exceptions of the case store and of the staff who handle cases.

``CaseError`` is the root; only ``api/errors.py`` maps these to HTTP status codes, and actions
turn them into an honest reply (never a silent success).
"""

from __future__ import annotations


class CaseError(Exception):
    """Anything the case store refuses or cannot do."""


class CaseNotFound(CaseError):
    """No case has that number (or the caller may not know that it exists)."""


class NotPermitted(CaseError):
    """The staff member may see the case but not change it (only its assignee or an admin may)."""


class IllegalTransition(CaseError):
    """The lifecycle does not allow this status change."""


class InvalidIntake(CaseError, ValueError):
    """A case cannot be filed from these facts; the message names the field."""


class InvalidNote(CaseError, ValueError):
    """A note with nothing in it would put an empty line on the case history."""


class UnknownVillage(CaseError):
    """A case can be linked only to a registered village."""


class NoHandlerAvailable(CaseError):
    """Nobody on the village or township roster can take the case."""


class ConflictOfInterest(CaseError):
    """The chosen person is in conflict with the counterparty; an override needs a reason."""


class StoreUnavailable(CaseError):
    """The database could not be reached even after retrying; the case was NOT stored."""
