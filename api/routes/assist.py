"""Hotline agent assist: live suggestions and a case draft from the call transcript, and filing it.

For hotline agents and admins only. The page (``/console/assist``) re-sends the growing transcript;
``assist.AssistService`` reads only what changed. Every result that shows something new is recorded
(``shown``), and so is every suggestion or draft the agent used, so ``/v1/assist/usage`` can say how
useful the assistant is. Contract and examples: ``docs/assist.md``.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta, timezone

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from api.deps import StateDep
from api.errors import error_response
from api.schemas.assist import (
    AssistRequest,
    AssistResponse,
    CaseFiledResponse,
    FeedbackRequest,
    FeedbackResponse,
    FileCaseFromCallRequest,
    UsageResponse,
)
from api.schemas.common import ErrorResponse
from api.security import StaffDep, require
from assist import AssistService, CallState, Filing, Line, build_intake, emergency_intake, events
from cases import CaseError, audit

router = APIRouter(prefix="/v1/assist", tags=["assist"])
AGENTS = require("hotline", "admin")
ERRORS = {401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}, 422: {"model": ErrorResponse}}
_NULLABLE = ("dispute_type", "dispute_type_label", "handoff", "emergency_case")
logger = logging.getLogger(__name__)
_service_lock = threading.Lock()


def _service(request: Request, state: StateDep) -> AssistService:
    """One service per app, created on first use (the lifespan belongs to ``api.main``)."""
    service = getattr(request.app.state, "assist_service", None)
    if service is None:
        with _service_lock:
            service = getattr(request.app.state, "assist_service", None)
            if service is None:
                service = AssistService(
                    emergency_contacts=state.settings.emergency_contacts,
                    closed_case_days=state.settings.retention_closed_case_days,
                )
                request.app.state.assist_service = service
    return service


@router.post(
    "",
    response_model=AssistResponse,
    responses={**ERRORS, 503: {"model": ErrorResponse}},
    dependencies=[AGENTS],
    summary="Suggestions, reply drafts and a case draft for the call so far",
)
def assist_call(body: AssistRequest, request: Request, state: StateDep, staff: StaffDep) -> JSONResponse:
    """Send the whole transcript each time; only new or changed lines are read again.

    Risk never goes down during a call, and an emergency puts the safety script first in
    `reply_drafts` and files an urgent case at once (`emergency_case`; once per call, completed by the
    agent's own filing later). While the knowledge index is still loading, `suggestions` is empty and
    everything else works. A result that shows new suggestions or drafts is recorded as a `shown` event.
    """
    started = time.perf_counter()
    service = _service(request, state)
    lines = [Line(line.speaker, line.text) for line in body.transcript]
    result = service.assist(body.call_id, lines, advisor=state.advisor(), village_id=body.village_id)
    data = result.to_dict()
    if result.state.risk_level == "emergency":
        data["emergency_case"] = _file_emergency(state, staff.username, body.call_id, result.state, lines)
    if service.remember_shown(result):
        with state.case_store().session() as session:
            events.record(
                session,
                call_id=body.call_id,
                agent=staff.username,
                kind="shown",
                detail={
                    "suggestion_ids": data["suggestion_ids"],
                    "draft_ids": data["draft_ids"],
                    "risk_level": data["risk_level"],
                    "risk_cues": data["risk_cues"],
                    "dispute_type": data["dispute_type"],
                },
            )
            session.commit()
    data["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
    out = AssistResponse.parse_obj(data).dict(exclude_none=True)  # hits keep only their own optional keys
    for key in _NULLABLE:
        out.setdefault(key, None)
    return JSONResponse(out)


def _file_emergency(state: StateDep, agent: str, call_id: str, call: CallState, lines: list[Line]) -> dict | None:
    """File (or find: the key is the call's) the urgent case; an outage must not hide the safety script."""
    try:
        receipt = state.case_store().create(emergency_intake(call_id, agent, call, lines))
    except CaseError:
        logger.exception("assist: the emergency case for call %s could not be filed", call_id)
        return None
    return {
        "case_id": receipt.number,
        "handler_role": receipt.handler_role,
        "first_contact_due_at": receipt.first_contact_due_at.isoformat(),
        "contact_promise": receipt.contact_promise,
    }


@router.post(
    "/feedback",
    status_code=201,
    response_model=FeedbackResponse,
    responses={**ERRORS, 404: {"model": ErrorResponse}},
    dependencies=[AGENTS],
    summary="Record that the agent used a suggestion or a reply draft",
)
def feedback(body: FeedbackRequest, state: StateDep, staff: StaffDep) -> FeedbackResponse | JSONResponse:
    """`ref` must be a `suggestion_id` (for `suggestion_used`) or a `draft_id` (for `draft_used`) that
    this call showed. Using the same item twice is recorded once."""
    what = "suggestion" if body.kind == "suggestion_used" else "draft"
    with state.case_store().session() as session:
        shown = events.shown_items(session, body.call_id)
        if shown is None:
            raise HTTPException(404, f"call {body.call_id} has not shown any suggestions yet")
        if body.ref not in shown[what]:
            message = f"{what} {body.ref!r} was not shown in call {body.call_id}; send one of its {what}_ids"
            return error_response(422, "unknown_ref", message)
        duplicate = events.exists(session, body.call_id, body.kind, body.ref)
        if not duplicate:
            events.record(session, call_id=body.call_id, agent=staff.username, kind=body.kind, ref=body.ref)
            session.commit()
    return FeedbackResponse(call_id=body.call_id, kind=body.kind, ref=body.ref, duplicate=duplicate)


@router.post(
    "/case",
    status_code=201,
    response_model=CaseFiledResponse,
    responses={**ERRORS, 503: {"model": ErrorResponse}},
    dependencies=[AGENTS],
    summary="File the call's case from the agent's edited draft (once per call)",
)
def file_case(body: FileCaseFromCallRequest, request: Request, state: StateDep, staff: StaffDep) -> CaseFiledResponse:
    """Files through the case store with channel `hotline` and the agent as `filed_by`. A second
    request for the same `call_id` (double click, retry) returns the same case. Name and phone are
    required except in an emergency; the risk level is the highest the call reached."""
    store = state.case_store()
    snapshot = _service(request, state).snapshot(body.call_id)
    call_state, transcript, hits = snapshot if snapshot else (None, [], [])
    with store.session() as session:
        risk, cues = events.recorded_risk(session, body.call_id)
    intake = build_intake(
        Filing(
            call_id=body.call_id,
            agent=staff.username,
            draft=body.case_draft.dict(exclude_none=True),
            description=body.description,
            requested=body.requested,
            village_id=body.village_id,
            state=call_state,
            transcript=transcript,
            suggestions=hits,
            recorded_risk=risk,
            recorded_cues=cues,
        )
    )
    receipt = store.create(intake)
    # The call may already have its case (filed the moment it turned into an emergency): complete it.
    store.fill_in(receipt.number, intake, actor=staff.username)
    with store.session() as session:
        if not events.exists(session, body.call_id, "case_filed"):
            events.record(session, call_id=body.call_id, agent=staff.username, kind="case_filed", ref=receipt.number)
            audit.record(
                session, actor=staff.username, action="file_case", case_number=receipt.number, channel="hotline"
            )
            session.commit()
    return CaseFiledResponse(call_id=body.call_id, **receipt.to_dict())


@router.get(
    "/usage",
    response_model=UsageResponse,
    responses=ERRORS,
    dependencies=[require("admin")],
    summary="How often agents used what the assistant showed",
)
def usage(
    state: StateDep,
    days: int | None = Query(None, ge=1, le=3660, description="Only the last N days; all time when empty"),
) -> UsageResponse:
    """Counts per event kind, and used/shown ratios over distinct items per call: overall, for
    suggestions, for drafts, and for each kind of draft (answer, handoff, emergency, …)."""
    since = datetime.now(timezone.utc) - timedelta(days=days) if days else None
    with state.case_store().session() as session:
        return UsageResponse(**events.usage(session, since=since))
