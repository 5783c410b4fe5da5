"""WeChat's side of the callback, played with wechatpy's own crypto, and a Rasa that can be slow or down.

Signatures are computed here the way WeChat computes them (SHA-1 of the sorted token, timestamp
and nonce), independently of the code under test; safe-mode bodies are encrypted and replies
decrypted with ``wechatpy.crypto.WeChatCrypto``, exactly what the WeChat server does.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
from typing import Any

import httpx
import xmltodict
from fastapi.testclient import TestClient
from wechatpy.crypto import WeChatCrypto

TOKEN = "cunfa-test-token"
APP_ID = "wx0123456789abcdef"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
OPENID = "oA1b2C3d4E5f6G7h8I9j0kLmNoPq"
ACCOUNT = "gh_0123456789ab"

TRACKER = {
    "latest_message": {"intent": {"name": "ask_legal_question", "confidence": 0.93}},
    "slots": {"risk_level": "none", "case": None},
}


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def text_xml(content: str, msg_id: int, *, openid: str = OPENID, created: int | None = None) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{created or int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )


def voice_xml(recognition: str | None, msg_id: int) -> str:
    heard = f"<Recognition><![CDATA[{recognition}]]></Recognition>" if recognition is not None else ""
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{OPENID}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[voice]]></MsgType>"
        f"<MediaId><![CDATA[media-1]]></MediaId><Format><![CDATA[amr]]></Format>{heard}<MsgId>{msg_id}</MsgId></xml>"
    )


def event_xml(event: str, created: int, *, key: str = "") -> str:
    event_key = f"<EventKey><![CDATA[{key}]]></EventKey>" if key else ""
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{OPENID}]]></FromUserName>"
        f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event>{event_key}</xml>"
    )


def image_xml(msg_id: int) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{OPENID}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[image]]></MsgType>"
        f"<PicUrl><![CDATA[http://example.invalid/p.jpg]]></PicUrl><MediaId><![CDATA[m]]></MediaId>"
        f"<MsgId>{msg_id}</MsgId></xml>"
    )


class WeChatServer:
    """Sends callbacks as WeChat does (plain or safe mode) and reads the passive replies back."""

    def __init__(self, client: TestClient, *, safe: bool = False, token: str = TOKEN) -> None:
        self.client = client
        self.token = token
        self.crypto = WeChatCrypto(token, AES_KEY, APP_ID) if safe else None
        self._nonce = 1000

    def query(self, *, timestamp: int | None = None, **extra: str) -> dict[str, str]:
        self._nonce += 1
        ts, nonce = str(timestamp or int(time.time())), str(self._nonce)
        return {"signature": sign(self.token, ts, nonce), "timestamp": ts, "nonce": nonce, **extra}

    def verify_url(self, echostr: str = "8723461234", **query: Any) -> httpx.Response:
        return self.client.get("/wechat", params={**self.query(**query), "echostr": echostr})

    def post(self, xml: str | bytes, *, timestamp: int | None = None, params: dict | None = None) -> httpx.Response:
        query = params or self.query(timestamp=timestamp, openid=OPENID)
        body: str | bytes = xml
        if self.crypto is not None and params is None:
            body = self.crypto.encrypt_message(xml, query["nonce"], query["timestamp"])
            query |= {"encrypt_type": "aes", "msg_signature": xmltodict.parse(body)["xml"]["MsgSignature"]}
        return self.client.post("/wechat", params=query, content=body, headers={"content-type": "text/xml"})

    def reply(self, response: httpx.Response) -> dict[str, Any]:
        """The passive reply as a dict; in safe mode decrypted (and its signature checked) by wechatpy."""
        assert response.status_code == 200, response.text
        xml = response.text
        if self.crypto is not None:
            outer = xmltodict.parse(xml)["xml"]
            xml = self.crypto.decrypt_message(xml, outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"])
        return xmltodict.parse(xml)["xml"]


class FakeRasa:
    """Rasa's HTTP API as an httpx MockTransport handler: records what it was sent, may be slow or down."""

    def __init__(self, messages: list[dict] | None = None, *, delay_s: float = 0.0, down: bool = False) -> None:
        self.messages = messages if messages is not None else [{"text": "这是助手的回答。"}]
        self.delay_s = delay_s
        self.down = down
        self.sent: list[dict] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("refused", request=request)
        if request.url.path == "/webhooks/cunfa/webhook":
            self.sent.append(json.loads(request.content))
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
            return httpx.Response(200, json={"messages": self.messages, "tracker": TRACKER})
        return httpx.Response(404)

    @property
    def texts(self) -> list[str]:
        return [body["message"] for body in self.sent]


class RecordingSender:
    """Stands in for the customer-service API in tests: keeps what would have been sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self._arrived = threading.Condition()

    async def send_text(self, openid: str, text: str) -> None:
        with self._arrived:
            self.sent.append((openid, text))
            self._arrived.notify_all()

    def wait_for(self, count: int, timeout_s: float = 10.0) -> list[tuple[str, str]]:
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.sent) >= count, timeout=timeout_s)
        return list(self.sent)
