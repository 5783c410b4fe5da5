"""The staff case API and the resident status lookup.

Lawyers and mediators see and change only the cases assigned to them; grid workers see the
cases they filed; admins see all. Personal data is shown in full only to the assignee and
admins, and every read of a case and every change is written to the audit log.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

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
from api.security import Staff, StaffDep, require
from cases import CaseIntake, audit
from cases.assignment import assign
from cases.crypto import keyring
from cases.models import Case, phone_lookup_key
from cases.views import case_detail, case_summary
from cases.workflow import Status
from knowledge.villages import VillageStore
from triage import assess_risk, max_level

router = APIRouter(prefix="/v1/cases", tags=["cases"])
ERRORS = {401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}, 404: {"model": ErrorResponse}}


def _visible(case: Case, staff: Staff) -> bool:
    if staff.is_admin:
        return True
    if staff.role == "grid_worker":
        return case.filed_by == staff.username
    return case.assignee == staff.username


def _load(session: Session, number: str, staff: Staff) -> Case:
    case = session.scalar(select(Case).where(Case.number == number.strip().upper()))
    # Someone else's case answers exactly like a missing one: its existence is not revealed.
    if case is None or not _visible(case, staff):
        raise HTTPException(404, f"no case {number} for you")
    return case


def _reveal(case: Case, staff: Staff) -> bool:
    return staff.is_admin or case.assignee == staff.username


def _workable(state: StateDep, number: str, staff: Staff) -> str:
    """The case number, if ``staff`` may change the case (its assignee, or an admin)."""
    with state.case_store().session() as session:
        found = _load(session, number, staff)
        if not _reveal(found, staff):
            raise HTTPException(403, "only the assignee or an admin may change this case")
        return found.number


def _audit(state: StateDep, staff: Staff, action: str, number: str, **detail: object) -> None:
    with state.case_store().session() as session:
        audit.record(session, actor=staff.username, action=action, case_number=number, **detail)
        session.commit()


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
    with state.case_store().session() as session:
        query = select(Case).order_by(Case.first_contact_due_at, Case.id)
        if phone is not None:
            key = phone_lookup_key(phone)
            query = query.where(Case.phone_hash.in_(keyring().lookup_hashes(key) if key else []))
        if staff.role == "grid_worker":
            query = query.where(Case.filed_by == staff.username)
        elif not staff.is_admin:
            query = query.where(Case.assignee == staff.username)
        if status:
            query = query.where(Case.status == status)
        cases = session.scalars(query.limit(500)).all()
        audit.record(session, actor=staff.username, action="list_cases", count=len(cases), by_phone=phone is not None)
        session.commit()
        return CaseListResponse(cases=[case_summary(c, reveal=_reveal(c, staff)) for c in cases])


@router.post("", status_code=201, responses=ERRORS, dependencies=[require("grid_worker", "admin")])
def file_case(body: FileCaseRequest, state: StateDep, staff: StaffDep) -> dict:
    """File a case on a resident's behalf (grid workers, admins).

    The risk level is the higher of what the worker chose and what the risk engine reads in the
    description, the same engine every channel uses: a grid worker who writes down "他说今晚要砍死
    我" files an emergency even if the level field was left at its default."""
    assessment = assess_risk(body.description)
    risk = max_level(body.risk_level, assessment.level)
    receipt = state.case_store().create(
        CaseIntake(
            description=body.description,
            channel="console",
            requested=body.requested,
            dispute_type=body.dispute_type,
            risk_level=risk,
            risk_cues=assessment.labels,
            resident_name=body.resident_name,
            phone=body.phone,
            village_id=body.village_id,
            village_name=body.village_name,
            counterparty=body.counterparty,
            filed_by=staff.username,
        )
    )
    _audit(state, staff, "file_case", receipt.number)
    return receipt.to_dict()


@router.get("/{number}", responses=ERRORS)
def read_case(number: str, state: StateDep, staff: StaffDep) -> dict:
    """One case with its history and the conversation that led to it."""
    with state.case_store().session() as session:
        found = _load(session, number, staff)
        reveal = _reveal(found, staff)
        body = case_detail(found, reveal=reveal)
        audit.record(session, actor=staff.username, action="read_case", case_number=found.number, unmasked=reveal)
        session.commit()
        return body


@router.post("/{number}/transitions", responses=ERRORS)
def transition(number: str, body: TransitionRequest, state: StateDep, staff: StaffDep) -> dict:
    """Move the case along 受理 → 研判 → 交办 → 化解 → 回访 → 评价 (assignee or admin)."""
    store = state.case_store()
    with store.session() as session:
        found = _load(session, number, staff)
        if not _reveal(found, staff):
            raise HTTPException(403, "only the assignee or an admin may change this case")
    updated = store.transition(
        found.number,
        body.to,
        actor=staff.username,
        note=body.note,
        satisfaction=body.satisfaction,
        comment=body.comment,
    )
    with store.session() as session:
        audit.record(session, actor=staff.username, action="transition", case_number=found.number, to=body.to)
        session.commit()
    return case_detail(updated, reveal=True)


@router.post("/{number}/notes", status_code=201, responses=ERRORS)
def add_note(number: str, body: NoteRequest, state: StateDep, staff: StaffDep) -> dict:
    found = _workable(state, number, staff)
    state.case_store().add_note(found, actor=staff.username, text=body.text)
    _audit(state, staff, "add_note", found)
    return {"case_id": found, "noted": True}


@router.post("/{number}/assign", responses=ERRORS, dependencies=[require("admin")])
def assign_case(number: str, body: AssignRequest, state: StateDep, staff: StaffDep) -> dict:
    """Assign to the least-loaded person on the roster, or to a named one (conflicts need a reason)."""
    with state.case_store().session() as session:
        found = _load(session, number, staff)
        result = assign(
            session, found, actor=staff.username, username=body.username, override_reason=body.override_reason
        )
        if found.status == Status.assessed.value:
            found.status = Status.assigned.value
        audit.record(session, actor=staff.username, action="assign", case_number=found.number, assignee=result.username)
        session.commit()
        return {
            "case_id": found.number,
            "assignee": result.username,
            "level": result.level,
            "skipped": list(result.skipped),
        }


@router.post("/{number}/village", responses=ERRORS)
def link_village(number: str, body: LinkVillageRequest, state: StateDep, staff: StaffDep) -> dict:
    """Link a case filed under a village the system did not know ("柳河村") to the registered village it is.

    For the case's assignee or an admin; the change is on the case history and in the audit log."""
    found = _workable(state, number, staff)
    info = VillageStore(state.settings.villages_dir).get(body.village_id)
    if info is None:
        raise HTTPException(404, f"no registered village {body.village_id!r}")
    case = state.case_store().link_village(found, info.village_id, info.name, actor=staff.username)
    _audit(state, staff, "link_village", found, village_id=info.village_id)
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
        raise HTTPException(429, "too many lookups; try again in 10 minutes or call 12348")
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
