"""What the official account answers to one verified message, within WeChat's 5 seconds.

WeChat waits 5 s for the passive reply, then retries, then shows the resident "该公众号暂时无法提供服务".
So the turn runs under a budget (``wechat_reply_budget_s``, counted from when the callback arrived):
when the assistant is slower, the resident gets a short holding reply at once and the real answer
follows as a customer-service message when the turn finishes. Whatever happens, the callback is
answered: with text when there is something to say, else with ``success``, which WeChat shows as
nothing at all.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from api.conversation import answer_turn, sender_id
from api.schemas.chat import MAX_TEXT, ChatRequest
from api.state import AppState
from api.wechat import wording
from api.wechat.callback import Callback, Inbound
from api.wechat.customer_service import CustomerServiceError, CustomerServiceSender
from api.wechat.dedup import Claim, DeliveryLog
from api.wechat.options import StoredOptions
from api.wechat.render import MAX_TEXT_BYTES, Option, chosen_option, render_body, split_text
from cases import CaseError
from cunfa.settings import Settings
from triage import assess_risk
from triage.safety import emergency_lines, is_self_harm, too_fast

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """``reply`` is the passive reply (None: answer ``success``); ``later`` follows as customer-service messages."""

    reply: str | None
    later: list[str] = field(default_factory=list)


class WeChatChannel:
    """One per app: the callback's keys, the options shown to each resident, and turns still running."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.callback = Callback(
            settings.wechat_token,
            settings.wechat_app_id,
            settings.wechat_encoding_aes_key,
            settings.wechat_max_clock_skew_s,
        )
        self.options = StoredOptions()
        self.deliveries = DeliveryLog()
        self._pending: set[asyncio.Task] = set()

    async def respond(
        self, state: AppState, inbound: Inbound, sender: CustomerServiceSender | None, started: float
    ) -> Outcome:
        """The answer to a verified message; ``started`` is the event-loop time the callback arrived."""
        try:
            claim = await self._claim(state, inbound.key)
            if claim is not None and not claim.first:
                logger.info("wechat: repeat delivery %s answered from the first one", inbound.key)
                return Outcome(claim.reply or None)
            outcome = await self._answer(state, inbound, sender, started)
            if claim is not None and outcome.reply:
                await self._record(state, inbound.key, outcome.reply)
            return outcome
        except Exception:  # WeChat must get an answer; "success" shows the resident no error
            logger.exception("wechat: no answer for %s", inbound.key)
            return Outcome(None)

    async def send(self, sender: CustomerServiceSender | None, openid: str, texts: list[str]) -> None:
        """Customer-service messages in order; stops at the first failure (later parts would make no sense alone)."""
        if not texts:
            return
        if sender is None:
            logger.warning("wechat: %d message(s) for a resident dropped: no customer-service sender", len(texts))
            return
        for text in texts:
            try:
                await sender.send_text(openid, text)
            except CustomerServiceError as exc:
                logger.error("wechat: customer-service message not delivered: %s", exc)
                return

    async def drain(self) -> None:
        """Wait for answers still on their way; for a graceful shutdown (the app lifespan can await it)."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    async def _claim(self, state: AppState, key: str) -> Claim | None:
        """None when the delivery log is unreachable: answering twice beats not answering at all."""
        try:
            return await asyncio.to_thread(lambda: self.deliveries.claim(state.case_store(), key))
        except (CaseError, SQLAlchemyError) as exc:
            logger.error("wechat: delivery log unavailable, %s processed without the repeat check: %s", key, exc)
            return None

    async def _record(self, state: AppState, key: str, reply: str) -> None:
        try:
            await asyncio.to_thread(lambda: self.deliveries.record_reply(state.case_store(), key, reply))
        except (CaseError, SQLAlchemyError) as exc:
            logger.error("wechat: reply to %s not recorded (a repeat will get 'success'): %s", key, exc)

    async def _answer(
        self, state: AppState, inbound: Inbound, sender: CustomerServiceSender | None, started: float
    ) -> Outcome:
        message = inbound.message
        if inbound.kind == "event":
            if inbound.event == "subscribe":
                return Outcome(wording.WELCOME)
            if inbound.event == "unsubscribe":
                await self._options(state, self.options.forget, inbound.openid)
            # Menu clicks, location reports, template receipts…: not something the resident said.
            return Outcome(None)
        if inbound.kind == "text":
            text = message.content or ""
        elif inbound.kind == "voice":
            text = message.recognition or ""
            if not text.strip():
                return Outcome(wording.VOICE_NOT_RECOGNISED)
        else:
            return Outcome(wording.ONLY_TEXT_VOICE)
        if not text.strip():
            return Outcome(wording.EMPTY_TEXT)
        return await self._turn(state, inbound.openid, text, sender, started)

    async def _turn(
        self, state: AppState, openid: str, text: str, sender: CustomerServiceSender | None, started: float
    ) -> Outcome:
        option = chosen_option(text, await self._options(state, self.options.recall, openid) or [])
        if option is not None:
            text = option.payload
        try:
            # Beyond MAX_TEXT the request would be refused; answer_turn cuts further, with a notice.
            request = ChatRequest(user_id=openid, text=text[:MAX_TEXT], channel="wechat")
        except ValidationError as exc:
            logger.warning("wechat: message not usable as a turn: %s", exc)
            return Outcome(wording.EMPTY_TEXT)
        # Per resident, as /v1/chat: all of WeChat arrives from a few IPs. A cry for help is never throttled.
        assessment = assess_risk(request.text)
        danger = assessment.level == "emergency"
        wait = state.user_limiter.retry_after(sender_id(request))
        if wait and not danger:
            return Outcome(too_fast(wait))

        loop = asyncio.get_running_loop()
        turn = asyncio.create_task(answer_turn(state, request))
        remaining = max(0.0, self.settings.wechat_reply_budget_s - (loop.time() - started))
        try:
            body = await asyncio.wait_for(asyncio.shield(turn), remaining)
        except asyncio.TimeoutError:
            self._keep(asyncio.create_task(self._follow_up(state, turn, openid, sender)))
            logger.info("wechat: turn for %s slower than %.1f s, holding reply sent", openid, remaining)
            holding = wording.HOLDING if sender is not None else wording.HOLDING_NO_FOLLOW_UP
            # Someone in danger must not wait for the assistant to learn that 110 exists.
            if danger:
                lines = emergency_lines(self.settings.emergency_contacts, self_harm=is_self_harm(assessment.labels))
                return Outcome("\n".join([*lines, holding]))
            return Outcome(holding)
        chunks = await self._chunks(state, openid, body)
        if not chunks:
            return Outcome(None)
        if len(chunks) > 1 and sender is None:
            return Outcome(_cut_short(chunks[0]))
        return Outcome(chunks[0], chunks[1:])

    async def _follow_up(
        self, state: AppState, turn: asyncio.Task, openid: str, sender: CustomerServiceSender | None
    ) -> None:
        try:
            body = await turn
        except Exception:  # logged; the resident already has the holding reply
            logger.exception("wechat: slow turn for %s failed; nothing to send", openid)
            return
        await self.send(sender, openid, await self._chunks(state, openid, body))

    async def _chunks(self, state: AppState, openid: str, body: dict[str, Any]) -> list[str]:
        rendered = render_body(body)
        await self._options(state, self.options.remember, openid, rendered.options)
        return split_text(rendered.text, MAX_TEXT_BYTES)

    async def _options(
        self, state: AppState, method: Callable[..., list[Option] | None], openid: str, *args: list[Option]
    ) -> list[Option] | None:
        """One ``StoredOptions`` method, off the event loop; an unreachable database loses only the options.

        Without the shown options a typed "1" goes to the assistant as text, which is what
        happens after they expire: the resident is asked again, nothing is filed wrongly.
        """
        try:
            return await asyncio.to_thread(method, state.case_store(), openid, *args)
        except (CaseError, SQLAlchemyError) as exc:
            logger.error("wechat: %s of a resident's options failed: %s", method.__name__, exc)
            return None

    def _keep(self, task: asyncio.Task) -> None:
        # The loop holds tasks only weakly: without this reference a pending answer could be collected.
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)


def _cut_short(text: str) -> str:
    room = MAX_TEXT_BYTES - len(wording.CUT_SHORT.encode("utf-8"))
    return split_text(text, room)[0] + wording.CUT_SHORT
