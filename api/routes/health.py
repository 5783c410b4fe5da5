from __future__ import annotations

import asyncio

import httpx
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import StateDep
from api.rasa_client import RasaUnavailable

router = APIRouter(tags=["health"])

KNOWLEDGE_PROBE = {
    "next_action": "action_knowledge_status",
    "sender_id": "readyz",
    "tracker": {"sender_id": "readyz", "slots": {}, "latest_message": {}, "events": [], "paused": False,
                "followup_action": None, "active_loop": {}, "latest_action_name": None},
    "domain": {},
}  # fmt: skip


@router.get("/healthz", summary="Liveness: the API process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: Rasa, the action server and the knowledge index all answer")
async def readyz(state: StateDep) -> JSONResponse:
    """200 only when every dependency answers; 503 with the failing checks otherwise."""

    async def rasa_ok(base: str) -> bool:
        try:
            status = await state.rasa.status(base)
        except RasaUnavailable:
            return False
        return bool(status.get("model_file") or status.get("fingerprint"))

    async def actions_ok(base: str) -> bool:
        # The action server is ready when its own knowledge base is loaded, not merely listening:
        # otherwise the first resident's question would wait for the index to load.
        try:
            response = await state.http.post(f"{base}/webhook", json=KNOWLEDGE_PROBE, timeout=5.0)
            messages = response.json().get("responses", []) if response.status_code == 200 else []
        except (httpx.HTTPError, ValueError):
            return False
        return any((m.get("custom") or {}).get("knowledge_ready") is True for m in messages)

    # Every server of every replica must answer: a half-started group is not ready yet.
    rasa_urls, action_urls = state.rasa.base_urls, state.settings.action_base_urls
    results = await asyncio.gather(*(rasa_ok(u) for u in rasa_urls), *(actions_ok(u) for u in action_urls))
    rasa, actions = all(results[: len(rasa_urls)]), all(results[len(rasa_urls) :])
    checks = {"rasa": rasa, "actions": actions, "knowledge": state.knowledge is not None}
    ready = all(checks.values())
    body = {"status": "ready" if ready else "not_ready", "checks": checks}
    if state.knowledge_error and state.knowledge is None:
        body["knowledge_error"] = state.knowledge_error
    return JSONResponse(status_code=200 if ready else 503, content=body)
