"""What protects the gateway from floods and oversized input, and pages from being framed.

Three pure ASGI middlewares (no ``BaseHTTPMiddleware``: it buffers streaming responses and
breaks background tasks) and the sliding-window limiter the routes use for per-user limits.
Limits are per process: behind several gateways each enforces its own share, which is enough
to stop one client from starving the hotline; a shared limit would need Redis in the hot path.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from triage.safety import too_many

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class SlidingWindowLimiter:
    """At most ``limit`` events per key in any ``window_s`` seconds.

    Keys are bounded (least recently used are dropped) so that a flood of spoofed user ids
    cannot grow memory without end.
    """

    def __init__(self, limit: int, window_s: float, max_keys: int = 100_000) -> None:
        self.limit, self.window_s, self.max_keys = limit, window_s, max_keys
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        return self.retry_after(key) == 0

    def retry_after(self, key: str) -> int:
        """0 and the event counted when allowed; else the seconds until it would be."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                hits = self._hits[key] = deque()
                if len(self._hits) > self.max_keys:
                    self._hits.popitem(last=False)
            else:
                self._hits.move_to_end(key)
            while hits and now - hits[0] > self.window_s:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(1, int(self.window_s - (now - hits[0])) + 1)
            hits.append(now)
            return 0


async def send_error(send: Send, status: int, code: str, message: str, headers: list[tuple[bytes, bytes]] = ()) -> None:
    """The one error shape of ``api.errors``, for answers given before routing."""
    body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodySizeLimit:
    """413 for a request body over ``max_bytes``, whether or not it declares its length.

    The body is read (up to the limit) before the app sees it, so a route never gets a
    truncated body and a slow sender of an endless chunked body is cut off at the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await send_error(send, 413, "payload_too_large", f"request body over {self.max_bytes} bytes")
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await send_error(send, 413, "payload_too_large", f"request body over {self.max_bytes} bytes")
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


#: Paths a client may call without limit: probes, and static files already cached by browsers.
UNLIMITED_PREFIXES = ("/healthz", "/readyz", "/static/")
#: WeChat's servers call /wechat for every follower from a few IPs; it is limited per openid instead.
PER_USER_ONLY_PREFIXES = ("/wechat",)


#: Staff tools, where a whole call centre may share one NAT address and the assist page
#: re-posts on every transcript line: limited per bearer token instead of per address. A
#: made-up token only earns its own bucket and a 401.
PER_TOKEN_PREFIXES = ("/v1/assist", "/v1/cases", "/v1/users", "/v1/rosters", "/v1/relations", "/v1/stats",
                      "/v1/overdue", "/v1/auth")  # fmt: skip


def _client_key(scope: Scope) -> str:
    path: str = scope.get("path", "")
    if path.startswith(PER_TOKEN_PREFIXES) and not path.endswith("/status"):
        for name, value in scope.get("headers") or []:
            if name == b"authorization" and value[:7].lower() == b"bearer ":
                return "token:" + hashlib.sha256(value[7:].strip()).hexdigest()[:24]
    client = scope.get("client")
    return "ip:" + (client[0] if client else "unknown")


class PerIPRateLimit:
    """429 once one client address (or, on staff tools, one staff token) exceeds its share per minute."""

    def __init__(self, app: ASGIApp, limiter: SlidingWindowLimiter) -> None:
        self.app, self.limiter = app, limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(UNLIMITED_PREFIXES + PER_USER_ONLY_PREFIXES):
            await self.app(scope, receive, send)
            return
        wait = self.limiter.retry_after(_client_key(scope))
        if wait:
            await send_error(
                send,
                429,
                "rate_limited",
                too_many("requests from this address", wait),
                [(b"retry-after", str(wait).encode())],
            )
            return
        await self.app(scope, receive, send)


#: Pages load scripts, styles and data from this origin only; nothing may frame them.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
#: FastAPI's interactive docs load Swagger UI / ReDoc from jsDelivr; they are for developers only.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "worker-src 'self' blob:; frame-ancestors 'none'"
)
COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), geolocation=(), payment=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """Headers every response gets; a CSP on HTML; no caching of API answers (they hold personal data)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                extra = [h for h in COMMON_HEADERS if h[0] not in present]
                content_type = dict(headers).get(b"content-type", b"")
                if content_type.startswith(b"text/html") and b"content-security-policy" not in present:
                    csp = DOCS_CSP if path in ("/docs", "/redoc") else PAGE_CSP
                    extra.append((b"content-security-policy", csp.encode()))
                if path.startswith(("/v1/", "/receipts")) and b"cache-control" not in present:
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = headers + extra
            await send(message)

        await self.app(scope, receive, with_headers)
