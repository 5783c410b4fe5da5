"""Which kind of person a case goes to, and how soon they must make first contact.

The mapping follows how village disputes are actually worked: relationship disputes
(neighbours, homesteads, family, elderly support, land, inheritance) go to a people's mediator
first, because mediation keeps the families talking; money and liability disputes (wages,
debts, injuries, traffic, consumer and property management) need a lawyer's view of evidence and
deadlines. Danger overrides everything.
"""

from __future__ import annotations

from datetime import timedelta

from triage.safety import promise_to_call

HANDLER_ROLES = ("mediator", "lawyer", "legal_aid", "emergency")

LAWYER_TYPES = frozenset({"wage_arrears", "debt", "personal_injury", "traffic_accident", "consumer", "property_mgmt"})

FIRST_CONTACT_SLA = timedelta(hours=24)
EMERGENCY_SLA = timedelta(minutes=15)
#: First contact by risk level (triage.risk_levels): orange the same morning or afternoon, yellow the same day.
RISK_SLA = {"emergency": EMERGENCY_SLA, "high": timedelta(hours=2), "medium": timedelta(hours=12)}


def handler_role_for(
    dispute_type: str | None, risk_level: str, requested: str | None = None, legal_aid_eligible: bool | None = None
) -> str:
    """Pick the handler role.

    Args:
        dispute_type: one of the fixed dispute types, or None when unknown.
        risk_level: ``none`` … ``emergency``.
        requested: what the resident asked for (``lawyer``, ``mediation``, ``legal_aid``,
            ``report``); an explicit request wins over the dispute type, because a resident who
            asked for a lawyer and gets a mediator has not been listened to.
        legal_aid_eligible: the pre-check for legal aid (economic hardship). A resident who asked
            for legal aid but is not eligible goes to the village legal adviser, whose
            consultation is free too; unknown (None) goes to the legal-aid centre to check.
    """
    if risk_level == "emergency" or requested == "emergency":
        return "emergency"
    if requested == "legal_aid":
        return "lawyer" if legal_aid_eligible is False else "legal_aid"
    if requested == "lawyer":
        return "lawyer"
    if requested == "mediation":
        return "mediator"
    if dispute_type in LAWYER_TYPES:
        return "lawyer"
    return "mediator"


def sla_for(handler_role: str, risk_level: str = "none") -> timedelta:
    """Time allowed until first contact: the shorter of the role's and the risk level's."""
    if handler_role == "emergency":
        return EMERGENCY_SLA
    return min(FIRST_CONTACT_SLA, RISK_SLA.get(risk_level, FIRST_CONTACT_SLA))


def notification_topic(handler_role: str, risk_level: str) -> str:
    """What a new case is announced as: red and orange cases go out under their own topic."""
    if handler_role == "emergency" or risk_level == "emergency":
        return "emergency_case"
    return "high_risk_case" if risk_level == "high" else "case_received"


def contact_promise(handler_role: str, risk_level: str = "none") -> str:
    """What the resident is told about who will call and by when (plain words)."""
    return promise_to_call(handler_role, sla_for(handler_role, risk_level))
