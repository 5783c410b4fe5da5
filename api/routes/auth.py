from __future__ import annotations

from fastapi import APIRouter, HTTPException

from api.deps import StateDep
from api.schemas.cases import LoginRequest, TokenResponse
from api.schemas.common import ErrorResponse
from api.security import signing_key
from cases import audit
from cases.auth import TOKEN_TTL, issue_token
from cases.staff import authenticate

router = APIRouter(prefix="/v1/auth", tags=["staff"])


@router.post("/token", response_model=TokenResponse, responses={401: {"model": ErrorResponse}})
def login(body: LoginRequest, state: StateDep) -> TokenResponse:
    """Exchange a staff username and password for a bearer token valid for 30 minutes."""
    with state.case_store().session() as session:
        user = authenticate(session, body.username, body.password)
        audit.record(session, actor=body.username, action="login" if user else "login_failed")
        session.commit()
        if user is None:
            raise HTTPException(401, "wrong username or password")
        token = issue_token(user.username, user.role, signing_key(state.settings))
        return TokenResponse(access_token=token, expires_in=int(TOKEN_TTL.total_seconds()), role=user.role)
