"""The official account's server URL: ``GET /wechat`` proves we hold the token, ``POST /wechat`` gets messages.

Disabled (404) until ``CUNFA_WECHAT_TOKEN`` is set. A callback that is not provably from WeChat
gets 403; one that cannot be read safely gets 400; in both cases nothing is processed. Everything
else is answered within WeChat's 5 seconds, with ``success`` when there is nothing to say.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.background import BackgroundTask
from wechatpy import create_reply

from api.deps import StateDep
from api.schemas.common import ErrorResponse
from api.wechat import Malformed, Rejected, WeChatChannel
from api.wechat.callback import MAX_BODY_BYTES, Misconfigured
from api.wechat.customer_service import resolve_sender

router = APIRouter(tags=["wechat"])
logger = logging.getLogger(__name__)

MAX_ECHOSTR_CHARS = 512
_REFUSALS = {400: {"model": ErrorResponse}, 403: {"model": ErrorResponse}, 404: {"model": ErrorResponse}}


def get_channel(request: Request, state: StateDep) -> WeChatChannel:
    if not state.settings.wechat_token:
        raise HTTPException(404, "the WeChat channel is not configured (CUNFA_WECHAT_TOKEN is empty)")
    channel = getattr(request.app.state, "wechat_channel", None)
    if channel is None:
        try:
            channel = WeChatChannel(state.settings)
        except Misconfigured as exc:
            logger.error("wechat: %s", exc)
            raise HTTPException(503, f"the WeChat channel is misconfigured: {exc}") from None
        request.app.state.wechat_channel = channel
    return channel


ChannelDep = Annotated[WeChatChannel, Depends(get_channel)]


@router.get("/wechat", response_class=PlainTextResponse, responses=_REFUSALS, summary="WeChat server URL check")
async def verify_url(request: Request, channel: ChannelDep) -> PlainTextResponse:
    """WeChat's URL check when the server address is saved: echo `echostr` if the signature is ours.

    The same in plain and safe mode (for an official account WeChat signs the check with the token
    and sends `echostr` in the clear).
    """
    params = request.query_params
    try:
        channel.callback.verify(params)
    except Rejected as exc:
        logger.warning("wechat: URL check refused: %s", exc.message)
        raise HTTPException(exc.status, exc.message) from None
    echostr = params.get("echostr", "")
    if not echostr or len(echostr) > MAX_ECHOSTR_CHARS:
        raise HTTPException(400, "echostr is required (at most 512 characters)")
    return PlainTextResponse(echostr)


@router.post("/wechat", responses=_REFUSALS, summary="Messages and events from WeChat")
async def receive(request: Request, channel: ChannelDep, state: StateDep) -> Response:
    """One message or event, answered with a passive reply (XML, encrypted in safe mode) or `success`."""
    started = asyncio.get_running_loop().time()
    params = request.query_params
    try:
        channel.callback.verify(params)
        body = await read_body(request, MAX_BODY_BYTES)
        inbound = channel.callback.open(body, params)
    except Rejected as exc:
        logger.warning("wechat: callback refused (%d): %s", exc.status, exc.message)
        raise HTTPException(exc.status, exc.message) from None

    sender = resolve_sender(request.app.state, state.settings)
    outcome = await channel.respond(state, inbound, sender, started)
    # Parts that do not fit one message go out only after the passive reply, so they arrive in order.
    background = BackgroundTask(channel.send, sender, inbound.openid, outcome.later) if outcome.later else None
    if not outcome.reply:
        return PlainTextResponse("success", background=background)
    reply = create_reply(outcome.reply, inbound.message, render=True)
    return Response(channel.callback.seal(reply, params), media_type="application/xml", background=background)


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it passes ``limit`` bytes (never read whole into memory first)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise Malformed(f"body larger than {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise Malformed(f"body larger than {limit} bytes")
    return bytes(body)
