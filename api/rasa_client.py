"""The gateway's only way to reach Rasa: its HTTP API (REST webhook, tracker, status).

The ``httpx.AsyncClient`` is injected so tests can substitute ``httpx.MockTransport`` for
offline checks of the mapping, while end-to-end tests use the real server.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx


class RasaUnavailable(Exception):
    """Rasa did not answer, or answered with an error."""


class RasaClient:
    def __init__(self, client: httpx.AsyncClient, base_url: str, token: str = "") -> None:
        self._client = client
        self._base = base_url.rstrip("/")
        self._params = {"token": token} if token else {}

    async def send_message(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """One resident turn through the REST channel; returns Rasa's bot messages."""
        body = {"sender": sender, "message": text, "metadata": metadata}
        return await self._request("POST", "/webhooks/rest/webhook", json=body)

    async def tracker_state(self, sender: str) -> dict[str, Any]:
        """The conversation's current state (latest intent, slots) without its event history."""
        path = f"/conversations/{quote(sender, safe=':@')}/tracker"
        return await self._request("GET", path, params={**self._params, "include_events": "NONE"})

    async def status(self) -> dict[str, Any]:
        return await self._request("GET", "/status", params=self._params)

    async def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = await self._client.request(method, self._base + path, **kwargs)
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"Rasa at {self._base} did not answer: {exc!r}") from exc
        if response.status_code >= 400:
            raise RasaUnavailable(f"Rasa answered {response.status_code} for {path}: {response.text[:200]}")
        try:
            return response.json()
        except ValueError as exc:
            raise RasaUnavailable(f"Rasa answered non-JSON for {path}") from exc
