"""A local HTTP server that answers like WeCom, DingTalk, the WeChat API and a webhook receiver.

It checks each request the way the provider documents it (a WeCom robot wants ``{"msgtype": "markdown",
"markdown": {"content": …}}`` under 4096 bytes and a known ``key``; a signed DingTalk robot recomputes
``sign`` from ``timestamp`` and its secret and answers 310000 when it does not match; the WeChat API
wants a current access token; a webhook receiver checks ``X-Cunfa-Signature``) and answers with the
provider's documented bodies. Tests queue other answers (45009, 130101, HTTP 500…) per robot, and read
back every request exactly as it arrived.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Providers:
    """What the fake providers know: robot keys and secrets, official accounts, webhook secrets."""

    wecom_keys: set[str] = field(default_factory=set)
    dingtalk_robots: dict[str, str | None] = field(default_factory=dict)  # access_token -> signing secret
    wechat_accounts: dict[str, str] = field(default_factory=dict)  # appid -> appsecret
    wechat_followers: set[str] = field(default_factory=set)  # openids following the account
    webhook_secrets: dict[str, str] = field(default_factory=dict)  # path -> secret
    requests: list[Request] = field(default_factory=list)
    #: Answers to give before the normal one, per robot key / access token / openid / webhook path.
    scripted: dict[str, deque[tuple[int, Any]]] = field(default_factory=lambda: defaultdict(deque))
    tokens: dict[str, str] = field(default_factory=dict)  # access_token -> appid
    base_url: str = ""

    def script(self, key: str, *answers: tuple[int, Any]) -> None:
        self.scripted[key].extend(answers)

    def of(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    # --- the providers ---------------------------------------------------------------------------------

    def answer(self, request: Request) -> tuple[int, Any]:
        self.requests.append(request)
        if request.path == "/cgi-bin/webhook/send":
            return self._wecom(request)
        if request.path == "/robot/send":
            return self._dingtalk(request)
        if request.path == "/cgi-bin/token":
            return self._wechat_token(request)
        if request.path == "/cgi-bin/message/template/send":
            return self._wechat_template(request)
        if request.path in self.webhook_secrets:
            return self._webhook(request)
        return 404, {"error": "no such path"}

    def _scripted(self, key: str) -> tuple[int, Any] | None:
        queue = self.scripted.get(key)
        return queue.popleft() if queue else None

    def _wecom(self, request: Request) -> tuple[int, Any]:
        key = request.query.get("key", "")
        if key not in self.wecom_keys:
            return 200, {"errcode": 93000, "errmsg": "invalid webhook url, hint: [1700000000_1_abc]"}
        body = request.json()
        content = body.get("markdown", {}).get("content") if body.get("msgtype") == "markdown" else None
        if not isinstance(content, str) or not content:
            return 200, {"errcode": 40008, "errmsg": "invalid message type"}
        if len(content.encode("utf-8")) > 4096:
            return 200, {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}
        return self._scripted(key) or (200, {"errcode": 0, "errmsg": "ok"})

    def _dingtalk(self, request: Request) -> tuple[int, Any]:
        token = request.query.get("access_token", "")
        if token not in self.dingtalk_robots:
            return 200, {"errcode": 300001, "errmsg": "token is not exist"}
        secret = self.dingtalk_robots[token]
        if secret:
            timestamp, sign = request.query.get("timestamp", ""), request.query.get("sign", "")
            expected = base64.b64encode(
                hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
            ).decode()
            fresh = timestamp.isdigit() and abs(int(timestamp) - time.time() * 1000) < 3600 * 1000
            if not fresh or not hmac.compare_digest(sign, expected):
                return 200, {"errcode": 310000, "errmsg": "sign not match, more: [https://ding-doc.dingtalk.com/]"}
        body = request.json()
        markdown = body.get("markdown") if body.get("msgtype") == "markdown" else None
        if not isinstance(markdown, dict) or not markdown.get("title") or not markdown.get("text"):
            return 200, {"errcode": 40035, "errmsg": "缺少参数 json"}
        return self._scripted(token) or (200, {"errcode": 0, "errmsg": "ok"})

    def _wechat_token(self, request: Request) -> tuple[int, Any]:
        appid, secret = request.query.get("appid", ""), request.query.get("secret", "")
        if request.query.get("grant_type") != "client_credential" or self.wechat_accounts.get(appid) != secret:
            return 200, {"errcode": 40125, "errmsg": "invalid appsecret"}
        token = secrets.token_hex(16)
        self.tokens[token] = appid
        return 200, {"access_token": token, "expires_in": 7200}

    def _wechat_template(self, request: Request) -> tuple[int, Any]:
        if request.query.get("access_token") not in self.tokens:
            return 200, {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
        body = request.json()
        openid = body.get("touser", "")
        scripted = self._scripted(openid)
        if scripted:
            return scripted
        if openid not in self.wechat_followers:
            return 200, {"errcode": 43004, "errmsg": "require subscribe"}
        if not body.get("template_id") or not isinstance(body.get("data"), dict):
            return 200, {"errcode": 47003, "errmsg": "argument invalid!"}
        return 200, {"errcode": 0, "errmsg": "ok", "msgid": 200228332}

    def _webhook(self, request: Request) -> tuple[int, Any]:
        secret = self.webhook_secrets[request.path]
        if secret:
            expected = "sha256=" + hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(request.headers.get("x-cunfa-signature", ""), expected):
                return 401, {"error": "bad signature"}
        return self._scripted(request.path) or (204, None)


class _Handler(BaseHTTPRequestHandler):
    providers: Providers

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(
            method=self.command,
            path=parts.path,
            query={k: v[0] for k, v in parse_qs(parts.query).items()},
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        status, answer = self.server.providers.answer(request)  # type: ignore[attr-defined]
        raw = b"" if answer is None else json.dumps(answer, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        if raw:
            self.wfile.write(raw)

    do_GET = _handle
    do_POST = _handle

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


def serve() -> tuple[Providers, ThreadingHTTPServer]:
    providers = Providers()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.providers = providers  # type: ignore[attr-defined]
    providers.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return providers, server
