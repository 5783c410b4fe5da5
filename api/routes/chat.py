from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.conversation import chat_turn, sender_id
from api.degraded import degraded_reply
from api.deps import RasaDep, StateDep
from api.rasa_client import RasaUnavailable
from api.schemas.chat import ChatRequest, ChatResponse
from api.schemas.common import ErrorResponse

router = APIRouter(prefix="/v1", tags=["chat"])
logger = logging.getLogger(__name__)


@router.post(
    "/chat",
    response_model=ChatResponse,
    responses={422: {"model": ErrorResponse}, 503: {"model": ErrorResponse}},
    summary="One turn of a resident's conversation",
)
async def chat(request: ChatRequest, rasa: RasaDep, state: StateDep) -> JSONResponse:
    """Send what the resident said to the assistant and get its replies.

    Replies to legal questions carry `citations` (statute articles, village rules or FAQ entries,
    with their exact text). `intent` is what the assistant understood; `risk_level` is raised to
    `emergency` when the conversation signals danger. When the dialogue engine is down the
    gateway answers on its own (`degraded: true`): danger words still get 110/120 and an
    emergency case, and legal questions still get cited articles.
    """
    # Validated against ChatResponse inside chat_turn; sent as built so that each citation keeps
    # exactly the keys of its source (no null faq_id on a statute).
    try:
        return JSONResponse(await chat_turn(rasa, request))
    except RasaUnavailable as exc:
        logger.warning("degraded mode: %s", exc)
        body = await asyncio.to_thread(
            degraded_reply,
            request,
            sender_id(request),
            state.knowledge,
            state.case_store(),
            state.settings.emergency_contacts,
        )
        ChatResponse.validate(body)
        return JSONResponse(body)
