"""The staff case API and the resident status lookup.

Lawyers and mediators see and change only the cases assigned to them; grid workers see the
cases they filed; admins see all. Personal data is shown in full only to the assignee and
admins, and every read of a case and every change is written to the audit log in the same
transaction as the read or change. The rules and the transactions are ``cases.handling``'s; these routes parse, call and
render, and ``api/errors.py`` turns the case errors into status codes.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, Request

from api.deps import StateDep
from api.limits import SlidingWindowLimiter
from api.schemas.cases import (
    AssignRequest,
    CaseListResponse,
    FileCaseRequest,
    LinkVillageRequest,
    NoteRequest,
    ResidentStatusResponse,
    TransitionRequest,
)
from api.schemas.common import ErrorResponse
from api.security import StaffDep, require
from cases import CaseIntake, handling
from knowledge.villages import VillageStore
from triage.safety import too_many

router = APIRouter(prefix="/v1/cases", tags=["cases"])
ERRORS = {401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}, 404: {"model": ErrorResponse}}


@router.get("", response_model=CaseListResponse, responses=ERRORS)
def my_cases(
    state: StateDep,
    staff: StaffDep,
    status: str | None = None,
    phone: str | None = Query(
        None, min_length=7, max_length=32, description="Only the cases filed with this phone (matched by keyed hash)"
    ),
) -> CaseListResponse:
    """My queue, soonest SLA deadline first (admins: every case); ``phone`` finds a caller's cases.

    Phones are stored encrypted; the lookup compares keyed hashes, so the clear number is never in a
    query, an index or the database.
    """
    return CaseListResponse(cases=handling.list_cases(state.case_store(), staff, status=status, phone=phone))


@router.post("", status_code=201, responses=ERRORS, dependencies=[require("grid_worker", "admin")])
def file_case(body: FileCaseRequest, state: StateDep, staff: StaffDep) -> dict:
    """File a case on a resident's behalf (grid workers, admins).

    The risk level is at least what the risk engine reads in the description, whatever the level
    field says (``cases.handling.file_case``)."""
    intake = CaseIntake(
        description=body.description,
        channel="console",
        requested=body.requested,
        dispute_type=body.dispute_type,
        risk_level=body.risk_level,
        resident_name=body.resident_name,
        phone=body.phone,
        village_id=body.village_id,
        village_name=body.village_name,
        counterparty=body.counterparty,
    )
    return handling.file_case(state.case_store(), staff, intake).to_dict()


@router.get("/{number}", responses=ERRORS)
def read_case(number: str, state: StateDep, staff: StaffDep) -> dict:
    """One case with its history and the conversation that led to it."""
    return handling.read_case(state.case_store(), staff, number)


@router.post("/{number}/transitions", responses=ERRORS)
def transition(number: str, body: TransitionRequest, state: StateDep, staff: StaffDep) -> dict:
    """Move the case along 受理 → 研判 → 交办 → 化解 → 回访 → 评价 (assignee or admin)."""
    return handling.transition(
        state.case_store(),
        staff,
        number,
        body.to,
        note=body.note,
        satisfaction=body.satisfaction,
        comment=body.comment,
    )


@router.post("/{number}/notes", status_code=201, responses=ERRORS)
def add_note(number: str, body: NoteRequest, state: StateDep, staff: StaffDep) -> dict:
    found = handling.add_note(state.case_store(), staff, number, body.text)
    return {"case_id": found, "noted": True}


@router.post("/{number}/assign", responses=ERRORS, dependencies=[require("admin")])
def assign_case(number: str, body: AssignRequest, state: StateDep, staff: StaffDep) -> dict:
    """Assign to the least-loaded person on the roster, or to a named one (conflicts need a reason)."""
    found, result = handling.assign(
        state.case_store(), staff, number, username=body.username, override_reason=body.override_reason
    )
    return {"case_id": found, "assignee": result.username, "level": result.level, "skipped": list(result.skipped)}


@router.post("/{number}/village", responses=ERRORS)
def link_village(number: str, body: LinkVillageRequest, state: StateDep, staff: StaffDep) -> dict:
    """Link a case filed under a village the system did not know ("柳河村") to the registered village it is.

    For the case's assignee or an admin; the change is on the case history and in the audit log."""
    villages = VillageStore(state.settings.villages_dir)
    case = handling.link_village(state.case_store(), staff, number, body.village_id, registered=villages.get)
    return {"case_id": case.number, "village_id": case.village_id, "village_name": case.village_name}


#: Guesses at the 4 digits stop quickly: 10 lookups per client address per 10 minutes.
STATUS_LIMIT = SlidingWindowLimiter(limit=10, window_s=600)


@router.get(
    "/{number}/status",
    response_model=ResidentStatusResponse,
    responses={404: {"model": ErrorResponse}, 429: {"model": ErrorResponse}},
)
def resident_status(
    number: str,
    request: Request,
    state: StateDep,
    phone_last4: str = Query(..., pattern=r"^\d{4}$", description="Last 4 digits of the phone given at filing"),
) -> ResidentStatusResponse:
    """For residents: the status of a case, given its number and the last 4 digits of the phone.

    Nothing else about the case is returned; a wrong number and wrong digits look the same.
    At most 10 lookups per client address per 10 minutes.
    """
    client = request.client.host if request.client else "unknown"
    if not STATUS_LIMIT.allow(client):
        raise HTTPException(429, too_many("lookups", STATUS_LIMIT.window_s))
    found = state.case_store().resident_status(number, phone_last4)
    if found is None:
        raise HTTPException(404, "no case with that number and phone")
    return ResidentStatusResponse(
        case_id=found.number,
        status=found.status,
        status_label=found.status_label,
        handler_role=found.handler_role,
        updated_at=found.updated_at.isoformat(),
    )
