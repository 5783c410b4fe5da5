"""Is this callback really from WeChat, and what does it say? All crypto and XML work is wechatpy's.

Order matters: the query-string signature and timestamp are checked first (cheap, no body read),
then the body is bounded and screened with defusedxml *before* wechatpy's own parser (xmltodict on
expat) sees it, because expat expands internal entities and a few hundred bytes of "billion laughs"
would otherwise cost gigabytes. In safe mode the decrypted XML is screened again: it is attacker
input too if the AES key ever leaks. Nothing here touches the database or the assistant, so a
rejected callback has processed nothing.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.messages import BaseMessage
from wechatpy.utils import check_signature

#: WeChat's callbacks are well under 4 KB; 64 KB leaves room for any future field, not for abuse.
MAX_BODY_BYTES = 64 * 1024
MAX_KEY_CHARS = 160
_MAX_PARAM_CHARS = 256


class Rejected(Exception):
    """The callback is refused before anything was processed; ``status`` is the HTTP answer."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Forbidden(Rejected):
    """Not provably from WeChat: missing or wrong signature, or a replayed (stale) timestamp."""

    status = 403


class Malformed(Rejected):
    """From WeChat or not, the body is not a message we can read safely."""

    status = 400


class Misconfigured(Exception):
    """The channel's settings cannot work (e.g. an AES key that is not 43 base64 characters)."""


@dataclass(frozen=True)
class Inbound:
    """One parsed callback with the facts the channel needs, already validated."""

    message: BaseMessage
    openid: str
    kind: str
    event: str
    key: str


class Callback:
    """Verification, decryption and parsing for one official account's callback URL."""

    def __init__(self, token: str, app_id: str, encoding_aes_key: str, max_skew_s: int) -> None:
        if not token:
            raise Misconfigured("CUNFA_WECHAT_TOKEN is empty")
        self.token = token
        self.max_skew_s = max_skew_s
        self.crypto: WeChatCrypto | None = None
        if encoding_aes_key:
            if not app_id:
                raise Misconfigured("safe mode (CUNFA_WECHAT_ENCODING_AES_KEY) needs CUNFA_WECHAT_APP_ID")
            try:
                self.crypto = WeChatCrypto(token, encoding_aes_key, app_id)
            except (AssertionError, ValueError) as exc:  # wechatpy asserts a 32-byte key; bad base64 is ValueError
                raise Misconfigured("CUNFA_WECHAT_ENCODING_AES_KEY must be the console's 43-character key") from exc

    def verify(self, params: Mapping[str, str], now: float | None = None) -> None:
        """Raise ``Forbidden`` unless ``signature`` matches and ``timestamp`` is recent."""
        signature, timestamp, nonce = (params.get(name, "") for name in ("signature", "timestamp", "nonce"))
        if not (signature and timestamp and nonce):
            raise Forbidden("signature, timestamp and nonce are required")
        if any(len(value) > _MAX_PARAM_CHARS for value in (signature, timestamp, nonce)):
            raise Forbidden("signature parameters are too long")
        if not timestamp.isascii() or not timestamp.isdigit():
            raise Forbidden("timestamp must be a number of seconds")
        try:
            check_signature(self.token, signature, timestamp, nonce)
        except InvalidSignatureException:
            raise Forbidden("signature does not match the configured token") from None
        # Checked after the signature: the timestamp is only meaningful once we know WeChat signed it.
        skew = abs((time.time() if now is None else now) - int(timestamp))
        if skew > self.max_skew_s:
            raise Forbidden(f"timestamp is {int(skew)} s from now (more than {self.max_skew_s} s): refused as a replay")

    def open(self, body: bytes, params: Mapping[str, str]) -> Inbound:
        """Screen, decrypt (safe mode) and parse a verified callback's body."""
        if len(body) > MAX_BODY_BYTES:
            raise Malformed(f"body larger than {MAX_BODY_BYTES} bytes")
        root = screen(body)
        text = _decode(body)
        if self.crypto is not None:
            text = self._decrypt(text, params)
            root = screen(text.encode("utf-8"))
        return _inbound(text, root)

    def seal(self, reply_xml: str, params: Mapping[str, str]) -> str:
        """The passive reply as WeChat expects it: encrypted in safe mode, plain otherwise."""
        if self.crypto is None:
            return reply_xml
        return self.crypto.encrypt_message(reply_xml, params.get("nonce", ""), params.get("timestamp", ""))

    def _decrypt(self, text: str, params: Mapping[str, str]) -> str:
        assert self.crypto is not None
        msg_signature = params.get("msg_signature", "")
        if not msg_signature or len(msg_signature) > _MAX_PARAM_CHARS:
            raise Forbidden("safe mode: msg_signature is required")
        try:
            return self.crypto.decrypt_message(text, msg_signature, params["timestamp"], params["nonce"])
        except (InvalidSignatureException, InvalidAppIdException):
            raise Forbidden("safe mode: msg_signature or AppID does not match") from None
        except KeyError:
            raise Malformed("safe mode: the body has no <Encrypt> element") from None
        except Exception as exc:  # base64, padding, length or UTF-8 errors all mean "not decryptable"
            raise Malformed(f"safe mode: <Encrypt> cannot be decrypted ({type(exc).__name__})") from None


def screen(data: bytes) -> Element:
    """Refuse anything but one plain ``<xml>`` document: no DTD, no entities, no external references."""
    try:
        root = defused_fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise Malformed(f"XML with a DTD or entities is refused ({type(exc).__name__})") from None
    except (ParseError, ValueError) as exc:
        raise Malformed(f"body is not well-formed XML ({exc})") from None
    if root.tag != "xml":
        raise Malformed(f"root element must be <xml>, not <{root.tag[:40]}>")
    return root


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("body is not UTF-8") from None


def _inbound(text: str, root: Element) -> Inbound:
    try:
        message = parse_message(text)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        hint = " (is the account in safe mode without CUNFA_WECHAT_ENCODING_AES_KEY?)" if "<Encrypt>" in text else ""
        raise Malformed(f"not a WeChat message: {type(exc).__name__} {exc}{hint}") from None
    openid = message.source
    if not isinstance(openid, str) or not openid.strip() or len(openid) > 128 or not openid.isprintable():
        raise Malformed("FromUserName must be the sender's openid")
    if not isinstance(message.target, str) or not message.target:
        raise Malformed("ToUserName is missing")
    try:
        created = int(message.time or 0)
        msg_id = int(message.id or 0)
    except (TypeError, ValueError):
        raise Malformed("CreateTime and MsgId must be integers") from None
    if created <= 0:
        raise Malformed("CreateTime is missing")
    # From the XML itself: wechatpy maps event types it does not know to UnknownMessage, losing "event".
    kind = (root.findtext("MsgType") or "").strip().lower()
    event = (root.findtext("Event") or "").strip().lower() if kind == "event" else ""
    for name in ("content", "recognition"):
        value = getattr(message, name, None) if hasattr(type(message), name) else None
        if value is not None and not isinstance(value, str):
            raise Malformed(f"{name} must be text")
    if kind != "event" and msg_id > 0:
        key = f"wechat:msg:{msg_id}"
    else:
        # Events carry no MsgId: WeChat's own advice is FromUserName + CreateTime (plus the event name,
        # so two different events in the same second are still two).
        key = f"wechat:evt:{openid}:{created}:{event or kind}"
    if len(key) > MAX_KEY_CHARS:
        key = "wechat:h:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return Inbound(message=message, openid=openid, kind=kind, event=event, key=key)
