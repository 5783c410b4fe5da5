"""The FastAPI gateway: ``create_app`` wires routers, errors and the lifespan, nothing else."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api import background, errors
from api.limits import BodySizeLimit, PerIPRateLimit, SecurityHeaders, SlidingWindowLimiter
from api.rasa_client import RasaClient
from api.routes import assist, auth, cases, chat, health, my_data, pages, receipts, search, staff, villages, wechat
from api.routes import notify as notify_routes
from api.state import AppState
from cunfa import logs
from cunfa.settings import Settings, get_settings
from knowledge import KnowledgeBase

WEB_DIR = Path(__file__).resolve().parent / "web"


def create_app(
    settings: Settings | None = None,
    *,
    knowledge: KnowledgeBase | None = None,
    http_client: httpx.AsyncClient | None = None,
    run_background: bool = True,
) -> FastAPI:
    """Build the app; tests pass their own settings, index and HTTP transport."""
    settings = settings or get_settings()
    logs.configure(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = http_client or httpx.AsyncClient(timeout=settings.rasa_timeout_s)
        state = AppState(
            settings=settings,
            http=client,
            rasa=RasaClient(client, settings.rasa_base_urls, settings.rasa_token),
            knowledge=knowledge,
            knowledge_error=None if knowledge else "loading",
            user_limiter=SlidingWindowLimiter(settings.rate_limit_per_user, 60.0),
        )
        app.state.cunfa = state
        state.start_loading_knowledge()
        duties = asyncio.create_task(background.run_forever(state)) if run_background else None
        try:
            yield
        finally:
            if duties is not None:
                duties.cancel()
            wechat = getattr(app.state, "wechat_channel", None)
            if wechat is not None:
                # Answers still on their way to WeChat residents get a moment to be sent.
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(wechat.drain(), 10)
            if http_client is None:
                await client.aclose()

    app = FastAPI(
        title="村法助手 Cunfa API",
        version="0.1.0",
        description="Gateway to the Cunfa legal-aid assistant: chat, knowledge search and health.",
        lifespan=lifespan,
    )
    errors.install(app)
    for module in (health, chat, search, villages, auth, staff, cases, my_data, receipts, assist, wechat, pages):
        app.include_router(module.router)
    app.include_router(notify_routes.router)  # /v1/admin/notify-channels
    # Pages load their scripts and styles from here only: no CDN, and a CSP of 'self'.
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    # The last added runs first: headers go on every answer, 429 and 413 included.
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(PerIPRateLimit, limiter=SlidingWindowLimiter(settings.rate_limit_per_ip, 60.0))
    app.add_middleware(SecurityHeaders)
    return app
