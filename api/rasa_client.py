"""The gateway's only way to reach Rasa: its HTTP API (the `cunfa` channel's webhook, status).

The ``httpx.AsyncClient`` is injected so tests can substitute ``httpx.MockTransport`` for
offline checks of the mapping, while end-to-end tests use the real server.
"""

from __future__ import annotations

import itertools
from typing import Any

import httpx


class RasaUnavailable(Exception):
    """Rasa did not answer, or answered with an error."""


class RasaClient:
    """Spreads requests over one or more Rasa servers that share a tracker store and lock store.

    Consecutive requests go to the next server in turn, so the turns of one conversation land
    on different servers; the shared stores keep them consistent. A server that refuses the
    connection is skipped for that request (nothing reached it, so retrying elsewhere cannot
    run a turn twice); any other failure is reported, never retried.
    """

    def __init__(self, client: httpx.AsyncClient, base_urls: str | list[str], token: str = "") -> None:
        self._client = client
        urls = base_urls.split(",") if isinstance(base_urls, str) else base_urls
        self._bases = [u.strip().rstrip("/") for u in urls if u.strip()]
        if not self._bases:
            raise ValueError("at least one Rasa base URL is needed")
        self._turn = itertools.count()
        self._params = {"token": token} if token else {}

    @property
    def base_urls(self) -> list[str]:
        return list(self._bases)

    async def send_turn(self, sender: str, text: str, metadata: dict[str, Any]) -> dict[str, Any]:
        """One resident turn through the ``cunfa`` channel (rasa_components/channel.py).

        Returns ``{"messages": [...], "tracker": {"latest_message": ..., "slots": ...}}``: the
        bot's messages and the turn's outcome, in one request.
        """
        body = {"sender": sender, "message": text, "metadata": metadata}
        answer = await self._request("POST", "/webhooks/cunfa/webhook", json=body, params=self._params)
        if not isinstance(answer, dict) or not isinstance(answer.get("messages"), list):
            raise RasaUnavailable("Rasa's cunfa channel answered without a message list")
        return answer

    async def status(self, base: str | None = None) -> dict[str, Any]:
        """Status of ``base``, or of whichever server is next."""
        return await self._request("GET", "/status", params=self._params, base=base)

    async def _request(self, method: str, path: str, base: str | None = None, **kwargs: Any) -> Any:
        if base is not None:
            candidates = [base]
        else:
            first = next(self._turn) % len(self._bases)
            candidates = self._bases[first:] + self._bases[:first]
        for i, base_url in enumerate(candidates):
            try:
                response = await self._client.request(method, base_url + path, **kwargs)
                break
            except httpx.ConnectError as exc:
                if i + 1 == len(candidates):
                    raise RasaUnavailable(f"no Rasa server answered at {', '.join(candidates)}: {exc!r}") from exc
            except httpx.HTTPError as exc:
                raise RasaUnavailable(f"Rasa at {base_url} did not answer: {exc!r}") from exc
        if response.status_code >= 400:
            detail = response.text[:200]
            raise RasaUnavailable(f"Rasa at {base_url} answered {response.status_code} for {path}: {detail}")
        try:
            return response.json()
        except ValueError as exc:
            raise RasaUnavailable(f"Rasa answered non-JSON for {path}") from exc
