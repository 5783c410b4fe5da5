"""Residents see and ask to delete their data; staff hold or erase it (个人信息保护法第四十五、四十七条).

Residents prove who they are with the case number, the last 4 digits of the phone and a one-time
code sent through the channel the case came from; every step is rate-limited per client address like
the status lookup, and a wrong number, wrong digits and a wrong code all answer the same 404.
"""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, HTTPException, Request
from sqlalchemy.orm import Session

from api.deps import StateDep
from api.limits import SlidingWindowLimiter
from api.schemas.common import ErrorResponse
from api.schemas.my_data import (
    CodeRequest,
    CodeSent,
    DeletionQueue,
    DeletionRequested,
    LegalHoldRequest,
    VerifiedRequest,
)
from api.security import StaffDep, require, signing_key
from cases import audit, rights
from cases.models import Case
from triage.safety import too_many

router = APIRouter(tags=["personal data"])
ERRORS = {404: {"model": ErrorResponse}, 409: {"model": ErrorResponse}, 429: {"model": ErrorResponse}}
#: Codes and tries per client address: 10 per 10 minutes, as for the status lookup.
RESIDENT_LIMIT = SlidingWindowLimiter(limit=10, window_s=600)


def _limited(request: Request) -> None:
    client = request.client.host if request.client else "unknown"
    if not RESIDENT_LIMIT.allow(client):
        raise HTTPException(429, too_many("tries", RESIDENT_LIMIT.window_s))


def _now() -> datetime:
    return datetime.now(timezone.utc)


@router.post("/v1/my-data/code", response_model=CodeSent, status_code=202, responses=ERRORS)
def send_code(body: CodeRequest, request: Request, state: StateDep) -> CodeSent:
    """Send a 6-digit code, valid 10 minutes, to the WeChat account or phone the case came from."""
    _limited(request)
    with state.case_store().session() as session:
        via = rights.send_code(
            session, number=body.case_id, phone_last4=body.phone_last4, purpose=body.purpose,
            secret=signing_key(state.settings), now=_now(),
        )  # fmt: skip
        session.commit()
    return CodeSent(sent_via=via)


def _verified(session: Session, body: VerifiedRequest, purpose: str, state: StateDep) -> Case:
    """The case, once number, digits and code check out; a wrong try is committed (counted) before the 404."""
    try:
        return rights.verify(
            session, number=body.case_id, phone_last4=body.phone_last4, code=body.code, purpose=purpose,
            secret=signing_key(state.settings), now=_now(),
        )  # fmt: skip
    finally:
        session.commit()


@router.post("/v1/my-data", responses=ERRORS)
def see_my_data(body: VerifiedRequest, request: Request, state: StateDep) -> dict:
    """Everything the case holds about the resident, unmasked (it is theirs); the code is used up."""
    _limited(request)
    with state.case_store().session() as session:
        copy = rights.give_copy(session, _verified(session, body, "view", state))
        session.commit()
    return copy


@router.post("/v1/my-data/deletion", response_model=DeletionRequested, status_code=202, responses=ERRORS)
def ask_deletion(body: VerifiedRequest, request: Request, state: StateDep) -> DeletionRequested:
    """Ask for the case's personal data to be deleted; staff act on it, and say why when the law keeps it."""
    _limited(request)
    with state.case_store().session() as session:
        held = rights.request_deletion(session, _verified(session, body, "delete", state), _now())
        session.commit()
    return DeletionRequested(case_id=body.case_id, held=held)


@router.get("/v1/deletion-requests", response_model=DeletionQueue, dependencies=[require("admin")])
def deletion_queue(state: StateDep, staff: StaffDep) -> DeletionQueue:
    """Deletion requests still holding personal data, with what keeps each one (for the console)."""
    with state.case_store().session() as session:
        pending = rights.deletion_requests(session)
        audit.record(session, actor=staff.username, action="read_deletion_requests", count=len(pending))
        session.commit()
        return DeletionQueue(
            requests=[
                {"case_id": c.number, "requested_at": c.context["deletion_requested_at"], "status": c.status,
                 "held": rights.hold_reason(c)}
                for c in pending
            ]
        )  # fmt: skip


@router.post("/v1/cases/{number}/legal-hold", responses=ERRORS, dependencies=[require("admin", "mediator", "lawyer")])
def legal_hold(number: str, body: LegalHoldRequest, state: StateDep, staff: StaffDep) -> dict:
    """Keep a case's data despite a deletion request (a court deadline, a complaint), or lift the hold."""
    with state.case_store().session() as session:
        case = session.query(Case).filter_by(number=number).one_or_none()
        if case is None or not (staff.is_admin or case.assignee == staff.username):
            raise HTTPException(404, f"no case {number!r} of yours")
        rights.set_legal_hold(session, number, body.reason, actor=staff.username, now=_now())
        session.commit()
    return {"case_id": number, "legal_hold": body.reason or None}


@router.post("/v1/cases/{number}/erase", responses=ERRORS, dependencies=[require("admin")])
def erase(number: str, state: StateDep, staff: StaffDep) -> dict:
    """Delete the resident's data from the case and their conversation; 409 with the reason under a legal hold."""
    with state.case_store().session() as session:
        if session.query(Case).filter_by(number=number).one_or_none() is None:
            raise HTTPException(404, f"no case {number!r}")
        try:
            rights.erase(session, number, actor=staff.username, now=_now())
        finally:
            session.commit()  # a refusal is audited too
    return {"case_id": number, "erased": True}
