from __future__ import annotations

from fastapi import APIRouter

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
async def chat(request: ChatRequest, rasa: RasaDep) -> ChatResponse:
    """Send what the resident said to the assistant and get its replies.

    Replies to legal questions carry `citations` (statute articles, village rules or FAQ entries,
    with their exact text). `intent` is what the assistant understood; `risk_level` is raised to
    `emergency` when the conversation signals danger.
    """
    return await chat_turn(rasa, request)
