"""Answers that miss WeChat's 5-second window go out as customer-service messages (客服消息).

The channel only knows the ``CustomerServiceSender`` protocol, so tests run offline with a
recording sender; the real one is wechatpy's ``WeChatClient``, which fetches the access token,
keeps it until it expires and refreshes it when WeChat says it is invalid.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any, Protocol, runtime_checkable

import requests
from requests.adapters import HTTPAdapter
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from cunfa.settings import Settings

logger = logging.getLogger(__name__)


class CustomerServiceError(Exception):
    """WeChat refused the message or could not be reached; the text was NOT delivered."""


@runtime_checkable
class CustomerServiceSender(Protocol):
    async def send_text(self, openid: str, text: str) -> None:
        """Deliver one text (at most 2048 bytes) to the resident, or raise ``CustomerServiceError``."""


class WeChatClientSender:
    """``client.message.send_text`` off the event loop, one call at a time.

    Serialised because wechatpy's client shares one ``requests.Session`` and one token cache: two
    threads finding the token expired at once would both fetch a new one, and each fetch
    invalidates the token the other just got.
    """

    def __init__(self, app_id: str, app_secret: str, *, timeout_s: float = 10.0, client: Any = None) -> None:
        if client is None:
            client = WeChatClient(app_id, app_secret, timeout=timeout_s)
            # wechatpy fetches the access token without a timeout; a hung fetch would hold the lock forever.
            client._http.mount("https://", _TimeoutAdapter(timeout_s))
        self.client = client
        self._lock = threading.Lock()

    async def send_text(self, openid: str, text: str) -> None:
        await asyncio.to_thread(self._send, openid, text)

    def _send(self, openid: str, text: str) -> None:
        with self._lock:
            try:
                self.client.message.send_text(openid, text)
            except WeChatClientException as exc:
                raise CustomerServiceError(f"WeChat refused the customer-service message: {exc}") from exc
            except requests.RequestException as exc:
                raise CustomerServiceError(f"WeChat API unreachable: {exc!r}") from exc


class _TimeoutAdapter(HTTPAdapter):
    def __init__(self, timeout_s: float) -> None:
        super().__init__()
        self.timeout_s = timeout_s

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout_s
        return super().send(request, **kwargs)


def sender_from_settings(settings: Settings) -> CustomerServiceSender | None:
    """The real sender, or None when the account has no AppID/AppSecret configured."""
    if settings.wechat_app_id and settings.wechat_app_secret:
        return WeChatClientSender(settings.wechat_app_id, settings.wechat_app_secret)
    return None


def resolve_sender(app_state: Any, settings: Settings) -> CustomerServiceSender | None:
    """``app.state.wechat_sender`` when set (tests put a recording sender there), else the real one, made once."""
    sender = getattr(app_state, "wechat_sender", None)
    if sender is None and not getattr(app_state, "wechat_sender_resolved", False):
        sender = sender_from_settings(settings)
        app_state.wechat_sender = sender
        app_state.wechat_sender_resolved = True
        if sender is None:
            logger.warning(
                "wechat: no CUNFA_WECHAT_APP_ID/CUNFA_WECHAT_APP_SECRET, so answers slower than %.1f s "
                "and long answers cannot be sent as customer-service messages",
                settings.wechat_reply_budget_s,
            )
    return sender
