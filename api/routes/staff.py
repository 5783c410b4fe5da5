"""Admin: accounts (create, list, disable/enable, password reset, unlock), rosters, statistics and the overdue list."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import StateDep
from api.schemas.common import ErrorResponse
from api.schemas.staff import AccountChangeResponse, PasswordResetRequest, StaffAccountOut, StaffListResponse
from api.security import StaffDep, require
from cases import audit
from cases.models import User
from cases.sla import overdue
from cases.staff import (
    add_relation,
    add_roster_entry,
    add_user,
    disable_user,
    enable_user,
    list_staff,
    reset_password,
    unlock_user,
)
from cases.stats import case_stats
from cases.views import case_summary

router = APIRouter(prefix="/v1", tags=["admin"])
ERRORS = {401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}, 422: {"model": ErrorResponse}}
ACCOUNT_ERRORS: dict[int | str, dict[str, Any]] = {**ERRORS, 404: {"model": ErrorResponse}}


class NewUser(BaseModel):
    username: str = Field(..., min_length=3, max_length=64)
    role: Literal["admin", "lawyer", "mediator", "grid_worker"]
    password: str = Field(..., min_length=8, max_length=256)
    display_name: str = Field("", max_length=64)
    phone: str | None = Field(None, max_length=32)


class NewPost(BaseModel):
    username: str
    handler_role: Literal["mediator", "lawyer", "legal_aid", "emergency"]
    village_id: str | None = Field(None, max_length=64)
    township: str | None = Field(None, max_length=64)


class NewRelation(BaseModel):
    username: str
    person: str = Field(..., min_length=1, max_length=100)
    kind: str = Field("relative", max_length=32)


def _user(session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise HTTPException(404, f"no user {username}")
    return user


@router.post("/users", status_code=201, responses=ERRORS, dependencies=[require("admin")])
def create_user(body: NewUser, state: StateDep, staff: StaffDep) -> dict:
    with state.case_store().session() as session:
        user = add_user(session, username=body.username, role=body.role, password=body.password,
                        display_name=body.display_name, phone=body.phone)  # fmt: skip
        audit.record(session, actor=staff.username, action="create_user", user=body.username, role=body.role)
        session.commit()
        return {"username": user.username, "role": user.role, "display_name": user.display_name}


@router.get("/staff/users", response_model=StaffListResponse, responses=ACCOUNT_ERRORS, dependencies=[require("admin")])
def staff_accounts(state: StateDep, staff: StaffDep) -> StaffListResponse:
    """Every staff account: role, posts (villages and townships served), disabled, locked until, last login."""

    def work(session: Session) -> StaffListResponse:
        accounts = list_staff(session)
        audit.record(session, actor=staff.username, action="list_users", count=len(accounts))
        return StaffListResponse(users=[StaffAccountOut(**account.to_dict()) for account in accounts])

    return state.case_store().transaction(work)


@router.post(
    "/staff/users/{username}/disable",
    response_model=AccountChangeResponse,
    responses=ACCOUNT_ERRORS,
    dependencies=[require("admin")],
)
def disable_account(username: str, state: StateDep, staff: StaffDep) -> AccountChangeResponse:
    """Disable an account: it cannot log in, and every token it holds stops working at once (audited)."""
    return state.case_store().transaction(
        lambda session: _changed(disable_user(session, username, actor=staff.username), sessions_ended=True)
    )


@router.post(
    "/staff/users/{username}/enable",
    response_model=AccountChangeResponse,
    responses=ACCOUNT_ERRORS,
    dependencies=[require("admin")],
)
def enable_account(username: str, state: StateDep, staff: StaffDep) -> AccountChangeResponse:
    """Enable a disabled account (its old tokens stay invalid: the person logs in again; audited)."""
    return state.case_store().transaction(
        lambda session: _changed(enable_user(session, username, actor=staff.username), sessions_ended=False)
    )


@router.post(
    "/staff/users/{username}/password",
    response_model=AccountChangeResponse,
    responses=ACCOUNT_ERRORS,
    dependencies=[require("admin")],
)
def reset_account_password(
    username: str, body: PasswordResetRequest, state: StateDep, staff: StaffDep
) -> AccountChangeResponse:
    """Set a new password (at least 10 characters): the old one and every open session stop working, a
    login lockout is lifted (audited; the password is never logged)."""
    return state.case_store().transaction(
        lambda session: _changed(
            reset_password(session, username, body.password, actor=staff.username), sessions_ended=True
        )
    )


@router.post(
    "/staff/users/{username}/unlock",
    response_model=AccountChangeResponse,
    responses=ACCOUNT_ERRORS,
    dependencies=[require("admin")],
)
def unlock_account(username: str, state: StateDep, staff: StaffDep) -> AccountChangeResponse:
    """Lift a login lockout after failed attempts and forget the failures counted (audited)."""

    def work(session: Session) -> AccountChangeResponse:
        unlock_user(session, username, actor=staff.username)
        return _changed(_user(session, username), sessions_ended=False)

    return state.case_store().transaction(work)


def _changed(user: User, *, sessions_ended: bool) -> AccountChangeResponse:
    return AccountChangeResponse(username=user.username, disabled=not user.active, sessions_ended=sessions_ended)


@router.post("/rosters", status_code=201, responses=ERRORS, dependencies=[require("admin")])
def post_to_roster(body: NewPost, state: StateDep, staff: StaffDep) -> dict:
    """Post a person to a village (一村一法律顾问, village mediators) or a township committee."""
    with state.case_store().session() as session:
        add_roster_entry(session, user=_user(session, body.username), handler_role=body.handler_role,
                         village_id=body.village_id, township=body.township)  # fmt: skip
        audit.record(session, actor=staff.username, action="roster", **body.dict())
        session.commit()
        return body.dict()


@router.post("/relations", status_code=201, responses=ERRORS, dependencies=[require("admin")])
def record_relation(body: NewRelation, state: StateDep, staff: StaffDep) -> dict:
    """Put a relationship on record, so assignment never hands someone a case against kin."""
    with state.case_store().session() as session:
        add_relation(session, user=_user(session, body.username), person=body.person, kind=body.kind)
        audit.record(session, actor=staff.username, action="relation", user=body.username)
        session.commit()
        return body.dict()


@router.get("/stats", responses=ERRORS, dependencies=[require("admin")])
def stats(
    state: StateDep,
    group_by: Literal["village", "dispute_type", "status"] = "village",
    since: Annotated[datetime | None, Query(description="ISO time; default 30 days ago")] = None,
    until: Annotated[datetime | None, Query(description="ISO time; default now")] = None,
) -> dict:
    """Counts, resolution rate, median hours to first contact and to resolution, overdue, satisfaction."""
    now = datetime.now(timezone.utc)
    until = _aware(until) or now + timedelta(seconds=1)
    since = _aware(since) or until - timedelta(days=30)
    with state.case_store().session() as session:
        try:
            return case_stats(session, since=since, until=until, group_by=group_by, now=now)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from exc


@router.get("/overdue", responses=ERRORS, dependencies=[require("admin")])
def overdue_cases(state: StateDep, staff: StaffDep) -> dict:
    """Open cases past their first-contact deadline (they are escalated to the township automatically)."""
    with state.case_store().session() as session:
        cases = overdue(session)
        audit.record(session, actor=staff.username, action="list_overdue", count=len(cases))
        session.commit()
        return {"cases": [case_summary(c, reveal=True) for c in cases]}


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
