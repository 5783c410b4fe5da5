"""One sender per channel kind: a notice becomes the provider's request, the answer becomes a ``Result``.

Every sender answers the same three ways: sent; retry later (rate limits, the provider busy, the
network down: the outbox tries again with backoff); failed for good (a wrong key, a removed robot, a
staff member who unfollowed the account: retrying cannot help), with the provider's code. Senders never
raise for a delivery problem, and never put a secret or a full target into a result or a log line.

Provider formats (as documented by each, and replayed by tests/notify):

* WeCom group robot: ``POST <https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…>`` with
  ``{"msgtype": "markdown", "markdown": {"content": …}}``; ``{"errcode": 0}`` is success, 45009 the
  rate limit (20 messages a minute per robot), 93000 an invalid key.
* DingTalk custom robot: ``POST <https://oapi.dingtalk.com/robot/send?access_token=…>`` with
  ``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}``; with a signing secret, ``timestamp``
  (ms) and ``sign`` = urlencode(base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}"))) go in the query.
  errcode 0 is success, 130101 "sending too fast", 310000 a wrong signature, keyword or IP.
* WeChat official account template message, through wechatpy (which fetches and refreshes the
  access token): 45009 is the API quota, 43004 (recipient does not follow the account), 40003 (bad
  openid), 40037 (bad template id) are for good.
* Our generic webhook: our JSON, ``X-Cunfa-Timestamp`` and ``X-Cunfa-Signature: sha256=<hex HMAC-SHA256
  of the raw body with the channel's secret>`` (docs/notifications.md).
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
import requests
from requests.adapters import HTTPAdapter
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from notify.masking import mask_target, scrub
from notify.message import Notice

logger = logging.getLogger(__name__)

TIMEOUT_S = 5.0
WECOM_MAX_BYTES = 4096
#: HTTP statuses worth retrying: the provider (or a proxy before it) is busy or down.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})

WECOM_RETRY = frozenset({-1, 45009})  # system busy, rate limit
DINGTALK_RETRY = frozenset({-1, 130101})  # system busy, sending too fast
WECHAT_RETRY = frozenset({-1, 45009, 45011})  # system busy, API quota, API minute quota


class Outcome(str, enum.Enum):
    sent = "sent"
    retry = "retry"
    failed = "failed"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    code: str | None = None  # the provider's errcode, or "http_<status>", or the network error's name
    detail: str = ""  # masked: never a secret or a full target

    @property
    def done(self) -> bool:
        return self.outcome is not Outcome.retry

    def __str__(self) -> str:
        code = f" [{self.code}]" if self.code else ""
        return f"{self.outcome.value}{code}" + (f": {self.detail}" if self.detail else "")


SENT = Result(Outcome.sent)


class Sender(Protocol):
    def send(self, notice: Notice, target: str, secret: str | None) -> Result:
        """Deliver one notice to one target."""


def _network_error(exc: Exception, target: str, secret: str | None) -> Result:
    # Only the exception's name and its masked text: requests and httpx put the URL, query and all, into it.
    return Result(Outcome.retry, type(exc).__name__, scrub(str(exc), target, secret)[:200])


def _http_status(response: httpx.Response) -> Result | None:
    """None when the status is 200; otherwise retry for busy/down statuses, failed for the rest."""
    if response.status_code == 200:
        return None
    outcome = Outcome.retry if response.status_code in RETRY_STATUSES else Outcome.failed
    return Result(outcome, f"http_{response.status_code}", "the provider answered with an HTTP error")


def _errcode_result(response: httpx.Response, retry_codes: frozenset[int], target: str, secret: str | None) -> Result:
    """Group robots answer HTTP 200 with ``{"errcode": …, "errmsg": …}``; the errmsg is kept scrubbed."""
    failed = _http_status(response)
    if failed is not None:
        return failed
    try:
        answer = response.json()
        code = int(answer.get("errcode"))
    except (ValueError, TypeError, AttributeError):
        return Result(Outcome.retry, "bad_answer", "the provider's answer was not the expected JSON")
    if code == 0:
        return SENT
    outcome = Outcome.retry if code in retry_codes else Outcome.failed
    return Result(outcome, str(code), scrub(str(answer.get("errmsg") or ""), target, secret)[:200])


class WeComSender:
    """企业微信群机器人 (group robot) webhook, markdown message."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    @staticmethod
    def body(notice: Notice) -> dict[str, Any]:
        content = notice.wecom_markdown()
        encoded = content.encode("utf-8")
        if len(encoded) > WECOM_MAX_BYTES:
            content = encoded[: WECOM_MAX_BYTES - 3].decode("utf-8", "ignore") + "…"
        return {"msgtype": "markdown", "markdown": {"content": content}}

    def send(self, notice: Notice, target: str, secret: str | None) -> Result:
        try:
            response = self.http.post(target, json=self.body(notice), timeout=TIMEOUT_S)
        except httpx.HTTPError as exc:
            return _network_error(exc, target, secret)
        return _errcode_result(response, WECOM_RETRY, target, secret)


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """base64(HMAC-SHA256(secret, "<timestamp>\\n<secret>")), before URL encoding (httpx encodes the query)."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


class DingTalkSender:
    """钉钉自定义机器人, markdown message, signed when the robot has a signing secret (加签)."""

    def __init__(self, http: httpx.Client, clock: Any = time.time) -> None:
        self.http = http
        self.clock = clock

    @staticmethod
    def body(notice: Notice) -> dict[str, Any]:
        title, text = notice.dingtalk_markdown()
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}

    def send(self, notice: Notice, target: str, secret: str | None) -> Result:
        params: dict[str, str] = {}
        if secret:
            timestamp = int(self.clock() * 1000)
            params = {"timestamp": str(timestamp), "sign": dingtalk_sign(secret, timestamp)}
        try:
            url = httpx.URL(target).copy_merge_params(params)
        except httpx.InvalidURL:
            return Result(Outcome.failed, "invalid_url", "the robot URL is not a URL")
        try:
            response = self.http.post(url, json=self.body(notice), timeout=TIMEOUT_S)
        except httpx.HTTPError as exc:
            return _network_error(exc, target, secret)
        return _errcode_result(response, DINGTALK_RETRY, target, secret)


def webhook_signature(secret: str, body: bytes) -> str:
    """The ``X-Cunfa-Signature`` value: ``sha256=`` and the hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class WebhookSender:
    """Our own JSON, signed with the channel's secret; any 2xx is success.

    ``legacy`` is ``CUNFA_NOTIFY_WEBHOOK_URL`` as it always worked: the outbox message itself as the body,
    signed only when ``CUNFA_NOTIFY_WEBHOOK_SECRET`` is set, and every failure retried.
    """

    def __init__(self, http: httpx.Client, clock: Any = time.time) -> None:
        self.http = http
        self.clock = clock

    def post(
        self, target: str, secret: str | None, body: dict[str, Any], *, delivery_id: str, retry_all: bool = False
    ) -> Result:
        raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "X-Cunfa-Delivery": delivery_id}
        if secret:
            headers["X-Cunfa-Timestamp"] = str(body.get("timestamp") or int(self.clock()))
            headers["X-Cunfa-Signature"] = webhook_signature(secret, raw)
        try:
            response = self.http.post(target, content=raw, headers=headers, timeout=TIMEOUT_S)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            return _network_error(exc, target, secret)
        if 200 <= response.status_code < 300:
            return SENT
        retry = retry_all or response.status_code in RETRY_STATUSES
        return Result(Outcome.retry if retry else Outcome.failed, f"http_{response.status_code}", "webhook refused")

    def send(self, notice: Notice, target: str, secret: str | None) -> Result:
        timestamp = int(self.clock())
        # The same on every retry of a message, so a receiver can drop a duplicate (delivery is at least once).
        delivery_id = str(notice.message_id) if notice.message_id is not None else f"test-{timestamp}"
        body = {**notice.webhook_body(), "timestamp": timestamp, "delivery_id": delivery_id}
        return self.post(target, secret, body, delivery_id=delivery_id)

    def send_legacy(self, message: dict[str, Any], target: str, secret: str | None) -> Result:
        timestamp = int(self.clock())
        body = dict(message)
        if secret:
            body["timestamp"] = timestamp  # the signed body carries the time, so a replay shows
        return self.post(target, secret, body, delivery_id=str(message.get("id")), retry_all=True)


class _TimeoutAdapter(HTTPAdapter):
    """wechatpy fetches the access token without a timeout; every request through it gets one."""

    def __init__(self, timeout_s: float) -> None:
        super().__init__()
        self.timeout_s = timeout_s

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float | None, float | None] | None = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        timeout = self.timeout_s if timeout is None else timeout
        return super().send(request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies)


class _Client(WeChatClient):
    """wechatpy's client, fetching its token from ``API_BASE_URL`` too (wechatpy 1.8 hard-codes that URL)."""

    def fetch_access_token(self) -> Any:
        return self._fetch_access_token(
            url=f"{self.API_BASE_URL}token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )


class WeChatTemplateSender:
    """公众号模板消息 to one staff member's openid, through wechatpy's client.

    One client per account and process keeps the access token between rounds; calls are serialised
    because two threads refreshing the token at once invalidate each other's.
    """

    API_BASE_URL = "https://api.weixin.qq.com/cgi-bin/"

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        template_id: str,
        *,
        fields: tuple[str, ...] = ("first", "keyword1", "keyword2", "keyword3", "remark"),
        api_base_url: str | None = None,
        timeout_s: float = TIMEOUT_S,
    ) -> None:
        self.app_id, self.app_secret, self.template_id = app_id, app_secret, template_id
        self.fields = fields
        self.client = _Client(app_id, app_secret, timeout=timeout_s)
        self.client.API_BASE_URL = api_base_url or self.API_BASE_URL
        for scheme in ("https://", "http://"):
            self.client._http.mount(scheme, _TimeoutAdapter(timeout_s))
        self._lock = threading.Lock()

    def data(self, notice: Notice) -> dict[str, dict[str, str]]:
        """The template's data: ``{field: {"value": …}}``; values cut to what each new-style field allows."""
        data = {}
        for name, value in zip(self.fields, notice.template_values(), strict=False):
            limit = 20 if name.startswith("thing") else 32 if name.startswith("character_string") else 200
            data[name] = {"value": value if len(value) <= limit else value[: limit - 1] + "…"}
        return data

    def send(self, notice: Notice, target: str, secret: str | None) -> Result:
        if not (self.app_id and self.app_secret and self.template_id):
            return Result(
                Outcome.retry,
                "not_configured",
                "CUNFA_WECHAT_APP_ID, CUNFA_WECHAT_APP_SECRET and CUNFA_NOTIFY_WECHAT_TEMPLATE_ID are needed",
            )
        with self._lock:
            try:
                self.client.message.send_template(
                    target, self.template_id, self.data(notice), url=notice.console_url or None
                )
            except WeChatClientException as exc:
                hidden = (target, self.app_secret, secret)
                if exc.errcode is None:  # an HTTP error from the API or the token fetch
                    status = getattr(exc.response, "status_code", None)
                    return Result(Outcome.retry, f"http_{status}", "WeChat API answered with an HTTP error")
                code = int(exc.errcode)
                outcome = Outcome.retry if code in WECHAT_RETRY else Outcome.failed
                return Result(outcome, str(code), scrub(str(exc.errmsg or ""), *hidden)[:200])
            except requests.RequestException as exc:
                return Result(Outcome.retry, type(exc).__name__, "WeChat API unreachable")
        return SENT


_wechat_senders: dict[tuple[str, str, str, tuple[str, ...], str], WeChatTemplateSender] = {}
_wechat_lock = threading.Lock()


def wechat_sender(
    app_id: str, app_secret: str, template_id: str, fields: tuple[str, ...], api_base_url: str | None = None
) -> WeChatTemplateSender:
    """The process's sender for this account (made once, so its access token is reused)."""
    key = (app_id, hashlib.sha256(app_secret.encode()).hexdigest(), template_id, fields, api_base_url or "")
    with _wechat_lock:
        sender = _wechat_senders.get(key)
        if sender is None:
            sender = WeChatTemplateSender(app_id, app_secret, template_id, fields=fields, api_base_url=api_base_url)
            _wechat_senders[key] = sender
        return sender


def describe(kind: str, target: str) -> str:
    """How a channel is named in logs: its kind and masked target."""
    return f"{kind} {mask_target(kind, target)}"
