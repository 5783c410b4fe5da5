from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse

from api.conversation import answer_turn, sender_id
from api.deps import StateDep
from api.schemas.chat import ChatRequest, ChatResponse
from api.schemas.common import ErrorResponse
from triage.risk import assess_risk
from triage.safety import too_fast

router = APIRouter(prefix="/v1", tags=["chat"])


@router.post(
    "/chat",
    response_model=ChatResponse,
    responses={422: {"model": ErrorResponse}, 429: {"model": ErrorResponse}, 503: {"model": ErrorResponse}},
    summary="One turn of a resident's conversation",
)
async def chat(request: ChatRequest, state: StateDep) -> JSONResponse:
    """Send what the resident said to the assistant and get its replies.

    Replies to legal questions carry `citations` (statute articles, village rules or FAQ entries,
    with their exact text). `intent` is what the assistant understood; `risk_level` is raised to
    `emergency` when the conversation signals danger. When the dialogue engine is down the
    gateway answers on its own (`degraded: true`): danger words still get 110/120 and an
    emergency case, and legal questions still get cited articles. Text longer than
    `CUNFA_MAX_MESSAGE_CHARS` is cut, and the first reply says so; each resident may send
    `CUNFA_RATE_LIMIT_PER_USER` turns a minute (429 with `Retry-After` beyond).
    """
    wait = state.user_limiter.retry_after(sender_id(request))
    # A cry for help is never throttled: the limit protects the service, not from the resident.
    if wait and assess_risk(request.text).level != "emergency":
        raise HTTPException(429, too_fast(wait), headers={"Retry-After": str(wait)})
    # Sent as built so that each citation keeps exactly the keys of its source (no null faq_id on a statute).
    return JSONResponse(await answer_turn(state, request))
