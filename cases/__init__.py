"""The case store: what the bot hands to a person, kept so that nothing confirmed is ever lost.

Shared by the action server (which files cases from the intake form and from emergencies) and
the API (staff and resident views). Importable without Rasa; of our packages it imports only ``triage``.
"""

from cases.errors import CaseError, CaseNotFound, IllegalTransition, InvalidIntake, StoreUnavailable
from cases.intake import CaseIntake, CaseReceipt, ResidentStatus
from cases.routing import handler_role_for, sla_for
from cases.store import CaseStore, open_store
from cases.workflow import STATUS_LABELS, Status

__all__ = [
    "STATUS_LABELS",
    "CaseError",
    "CaseIntake",
    "CaseNotFound",
    "CaseReceipt",
    "CaseStore",
    "IllegalTransition",
    "InvalidIntake",
    "ResidentStatus",
    "Status",
    "StoreUnavailable",
    "handler_role_for",
    "open_store",
    "sla_for",
]
