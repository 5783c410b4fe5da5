from __future__ import annotations

from fastapi import APIRouter, HTTPException

from api.deps import StateDep
from api.schemas.cases import LoginRequest, TokenResponse
from api.schemas.common import ErrorResponse
from api.security import signing_key
from cases import audit
from cases.auth import TOKEN_TTL, issue_token
from cases.staff import LOCKOUT, LOGIN_MAX_FAILURES, LOGIN_WINDOW, LoginLocked, log_in

router = APIRouter(prefix="/v1/auth", tags=["staff"])


LOGIN_DESCRIPTION = (
    "Exchange a staff username and password for a bearer token valid for 30 minutes.\n\n"
    f"Failed logins are counted per username, existing or not: {LOGIN_MAX_FAILURES} within "
    f"{LOGIN_WINDOW.total_seconds() / 60:.0f} minutes lock the username for {LOCKOUT.total_seconds() / 60:.0f} "
    "minutes (429 with `Retry-After`; the password is not checked) or until an admin unlocks it."
)


@router.post(
    "/token",
    response_model=TokenResponse,
    responses={401: {"model": ErrorResponse}, 429: {"model": ErrorResponse}},
    description=LOGIN_DESCRIPTION,
)
def login(body: LoginRequest, state: StateDep) -> TokenResponse:
    with state.case_store().session() as session:
        try:
            user = log_in(session, body.username, body.password)
        except LoginLocked as exc:
            audit.record(session, actor=body.username, action="login_locked")
            session.commit()
            raise HTTPException(429, str(exc), headers={"Retry-After": str(exc.retry_after_s)}) from exc
        audit.record(session, actor=body.username, action="login" if user else "login_failed")
        session.commit()
        if user is None:
            raise HTTPException(401, "wrong username or password")
        token = issue_token(user.username, user.role, signing_key(state.settings), version=user.token_version)
        return TokenResponse(access_token=token, expires_in=int(TOKEN_TTL.total_seconds()), role=user.role)
