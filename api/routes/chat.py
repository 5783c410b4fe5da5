from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.conversation import chat_turn
from api.deps import RasaDep
from api.schemas.chat import ChatRequest, ChatResponse
from api.schemas.common import ErrorResponse

router = APIRouter(prefix="/v1", tags=["chat"])


@router.post(
    "/chat",
    response_model=ChatResponse,
    responses={422: {"model": ErrorResponse}, 503: {"model": ErrorResponse}},
    summary="One turn of a resident's conversation",
)
async def chat(request: ChatRequest, rasa: RasaDep) -> JSONResponse:
    """Send what the resident said to the assistant and get its replies.

    Replies to legal questions carry `citations` (statute articles, village rules or FAQ entries,
    with their exact text). `intent` is what the assistant understood; `risk_level` is raised to
    `emergency` when the conversation signals danger.
    """
    # Validated against ChatResponse inside chat_turn; sent as built so that each citation keeps
    # exactly the keys of its source (no null faq_id on a statute).
    return JSONResponse(await chat_turn(rasa, request))
