"""Admin: where staff notifications go (WeCom, DingTalk, WeChat template, signed webhook), per scope and role.

Targets come back masked and secrets never come back at all; every change is audited (``notify.channels``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Response

from api.deps import StateDep
from api.schemas.common import ErrorResponse
from api.schemas.notify import NewNotifyChannel, NotifyChannelList, NotifyChannelOut, NotifyTestResult
from api.security import StaffDep, require
from cases import audit
from notify.channels import ChannelError, ChannelNotFound, add_channel, channel_view, list_channels, remove_channel
from notify.delivery import send_test

router = APIRouter(prefix="/v1/admin/notify-channels", tags=["admin"])
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse},
    403: {"model": ErrorResponse},
    422: {"model": ErrorResponse},
}
ONE_ERRORS: dict[int | str, dict[str, Any]] = {**ERRORS, 404: {"model": ErrorResponse}}


@router.get("", response_model=NotifyChannelList, responses=ERRORS, dependencies=[require("admin")])
def notify_channels(state: StateDep) -> NotifyChannelList:
    """Every channel, enabled or not: scope, role, kind, name and the target masked."""
    with state.case_store().session() as session:
        return NotifyChannelList(channels=[NotifyChannelOut(**channel_view(c)) for c in list_channels(session)])


@router.post("", status_code=201, response_model=NotifyChannelOut, responses=ERRORS, dependencies=[require("admin")])
def create_notify_channel(body: NewNotifyChannel, state: StateDep, staff: StaffDep) -> NotifyChannelOut:
    """Add a channel; refused (422) when it could never deliver: a robot URL without its key, a webhook
    without a signing secret of 16+ characters, a secret for a kind that has none."""
    with state.case_store().session() as session:
        try:
            channel = add_channel(
                session, scope=body.scope, role=body.role, kind=body.kind, target=body.target, secret=body.secret,
                name=body.name, enabled=body.enabled, actor=staff.username,
            )  # fmt: skip
        except ChannelError as exc:
            raise HTTPException(422, str(exc)) from exc
        session.commit()
        return NotifyChannelOut(**channel_view(channel))


#: A row id: a number the database can hold (a larger one would be a 500, not a 404 or 422).
ChannelId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.delete("/{channel_id}", status_code=204, responses=ONE_ERRORS, dependencies=[require("admin")])
def delete_notify_channel(channel_id: ChannelId, state: StateDep, staff: StaffDep) -> Response:
    with state.case_store().session() as session:
        try:
            remove_channel(session, channel_id, actor=staff.username)
        except ChannelNotFound as exc:
            raise HTTPException(404, str(exc)) from exc
        session.commit()
    return Response(status_code=204)


@router.post(
    "/{channel_id}/test", response_model=NotifyTestResult, responses=ONE_ERRORS, dependencies=[require("admin")]
)
def test_notify_channel(channel_id: ChannelId, state: StateDep, staff: StaffDep) -> NotifyTestResult:
    """Send a clearly marked test message through the channel now, and say what the provider answered."""
    with state.case_store().session() as session:
        try:
            result = send_test(session, state.settings, channel_id)
        except ChannelNotFound as exc:
            raise HTTPException(404, str(exc)) from exc
        audit.record(
            session, actor=staff.username, action="notify_channel_tested", channel_id=channel_id,
            outcome=result.outcome.value, code=result.code,
        )  # fmt: skip
        session.commit()
    return NotifyTestResult(id=channel_id, outcome=result.outcome.value, code=result.code, detail=result.detail)
