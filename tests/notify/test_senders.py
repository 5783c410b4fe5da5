"""Each sender against a local server that answers as the provider documents (tests/notify/providers.py).

Nothing of ours is replaced: the real senders, the real httpx and wechatpy clients, real HTTP on 127.0.0.1.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from urllib.parse import quote_plus

import httpx
import pytest

from notify.masking import mask_target, scrub
from notify.message import Notice
from notify.senders import (
    DingTalkSender,
    Outcome,
    WebhookSender,
    WeChatTemplateSender,
    WeComSender,
    dingtalk_sign,
    webhook_signature,
)
from tests.notify.providers import Providers

NOTICE = Notice(
    topic="high_risk_case",
    case_number="2026-QSW-000012",
    handler_role="mediator",
    risk_level="high",
    dispute_type="homestead",
    village_id="v-qsw",
    village_name="青石湾村",
    township="青山镇",
    due_at=datetime(2026, 12, 6, 2, 30, tzinfo=timezone.utc),
    message_id=7,
    console_url="https://cunfa.example.org/console",
)
SUMMARY = (
    "青石湾村（青山镇）有一件橙色·高风险的宅基地纠纷，由人民调解员办理。"
    "请在2026-12-06 10:30（北京时间）前首次联系当事人。"
)
FACTS = [
    "案件编号：2026-QSW-000012",
    "村：青石湾村（青山镇）",
    "纠纷类型：宅基地",
    "风险等级：橙色·高风险",
    "办理：人民调解员",
    "首次联系期限：2026-12-06 10:30（北京时间）",
]
WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DING_TOKEN = "98975521a1b23c02cdd1a9a08c69511ddf5fa9d2ae387813d1c5348fb"
DING_SECRET = "SEC19dd84be8c7f3cf71761974f1ed3ef77c1451906ae8ba18acf56103ee"
HOOK_SECRET = "a-webhook-secret-of-32-characters"


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


def wecom_url(providers: Providers, key: str = WECOM_KEY) -> str:
    return f"{providers.base_url}/cgi-bin/webhook/send?key={key}"


def ding_url(providers: Providers, token: str = DING_TOKEN) -> str:
    return f"{providers.base_url}/robot/send?access_token={token}"


def closed_port_url(path: str) -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


class TestWeCom:
    def test_posts_the_documented_markdown_body(self, providers: Providers, http: httpx.Client) -> None:
        providers.wecom_keys.add(WECOM_KEY)
        result = WeComSender(http).send(NOTICE, wecom_url(providers), None)
        assert result.outcome is Outcome.sent and result.code is None
        (request,) = providers.of("/cgi-bin/webhook/send")
        assert request.method == "POST" and request.query == {"key": WECOM_KEY}
        assert request.headers["content-type"].startswith("application/json")
        content = "\n".join(
            [
                "**村法助手｜高风险案件**",
                '> 案件编号：<font color="info">2026-QSW-000012</font>',
                "> 村：青石湾村（青山镇）",
                "> 纠纷类型：宅基地",
                '> 风险等级：<font color="warning">橙色·高风险</font>',
                "> 办理：人民调解员",
                "> 首次联系期限：2026-12-06 10:30（北京时间）",
                "",
                SUMMARY,
                "[打开村法助手控制台](https://cunfa.example.org/console)",
            ]
        )
        assert request.json() == {"msgtype": "markdown", "markdown": {"content": content}}

    def test_rate_limit_is_retried_and_an_invalid_key_is_not(self, providers: Providers, http: httpx.Client) -> None:
        providers.wecom_keys.add(WECOM_KEY)
        providers.script(WECOM_KEY, (200, {"errcode": 45009, "errmsg": "api freq out of limit"}))
        limited = WeComSender(http).send(NOTICE, wecom_url(providers), None)
        assert (limited.outcome, limited.code) == (Outcome.retry, "45009")
        assert WeComSender(http).send(NOTICE, wecom_url(providers), None).outcome is Outcome.sent

        unknown = WeComSender(http).send(NOTICE, wecom_url(providers, "removed-robot-key-0000"), None)
        assert (unknown.outcome, unknown.code) == (Outcome.failed, "93000")
        assert "removed-robot-key-0000" not in str(unknown)

    def test_server_errors_and_an_unreachable_host_are_retried(self, providers: Providers, http: httpx.Client) -> None:
        providers.wecom_keys.add(WECOM_KEY)
        providers.script(WECOM_KEY, (500, {"error": "internal"}), (200, "not json"))
        assert WeComSender(http).send(NOTICE, wecom_url(providers), None).code == "http_500"
        assert WeComSender(http).send(NOTICE, wecom_url(providers), None).outcome is Outcome.retry  # not JSON
        down = WeComSender(http).send(NOTICE, closed_port_url(f"/cgi-bin/webhook/send?key={WECOM_KEY}"), None)
        assert down.outcome is Outcome.retry and down.code == "ConnectError"
        assert WECOM_KEY not in str(down)

    def test_an_overlong_message_is_cut_to_the_documented_4096_bytes(
        self, providers: Providers, http: httpx.Client
    ) -> None:
        providers.wecom_keys.add(WECOM_KEY)
        long = Notice(topic="case_received", village_name="长" * 2000, console_url="https://x.example/" + "a" * 5000)
        assert WeComSender(http).send(long, wecom_url(providers), None).outcome is Outcome.sent
        content = providers.of("/cgi-bin/webhook/send")[0].json()["markdown"]["content"]
        assert len(content.encode("utf-8")) <= 4096


class TestDingTalk:
    def test_signed_robot_gets_timestamp_and_the_documented_signature(
        self, providers: Providers, http: httpx.Client
    ) -> None:
        providers.dingtalk_robots[DING_TOKEN] = DING_SECRET
        before = int(time.time() * 1000)
        result = DingTalkSender(http).send(NOTICE, ding_url(providers), DING_SECRET)
        assert result.outcome is Outcome.sent
        (request,) = providers.of("/robot/send")
        timestamp = int(request.query["timestamp"])
        assert before <= timestamp <= int(time.time() * 1000)
        # Recomputed here from the documentation, not with our helper.
        string_to_sign = f"{timestamp}\n{DING_SECRET}".encode()
        digest = hmac.new(DING_SECRET.encode(), string_to_sign, hashlib.sha256).digest()
        assert request.query["sign"] == base64.b64encode(digest).decode()
        assert request.query["access_token"] == DING_TOKEN
        text = "\n\n".join(
            ["#### 村法助手｜高风险案件", *(f"- {fact}" for fact in FACTS), SUMMARY,
             "[打开村法助手控制台](https://cunfa.example.org/console)"]
        )  # fmt: skip
        assert request.json() == {
            "msgtype": "markdown",
            "markdown": {"title": "村法助手：高风险案件 2026-QSW-000012", "text": text},
        }

    def test_the_sign_is_url_encoded_once_on_the_wire(self) -> None:
        requests_seen: list[httpx.Request] = []

        def record(request: httpx.Request) -> httpx.Response:
            requests_seen.append(request)
            return httpx.Response(200, json={"errcode": 0, "errmsg": "ok"})

        with httpx.Client(transport=httpx.MockTransport(record)) as client:  # the provider's side, not ours
            DingTalkSender(client, clock=lambda: 1700000000.123).send(
                NOTICE, "https://oapi.dingtalk.com/robot/send?access_token=T", DING_SECRET
            )
        sign = dingtalk_sign(DING_SECRET, 1700000000123)
        raw_query = requests_seen[0].url.query.decode()
        assert f"sign={quote_plus(sign)}" in raw_query and "timestamp=1700000000123" in raw_query

    def test_unsigned_robot_gets_no_signature(self, providers: Providers, http: httpx.Client) -> None:
        providers.dingtalk_robots[DING_TOKEN] = None
        assert DingTalkSender(http).send(NOTICE, ding_url(providers), None).outcome is Outcome.sent
        assert set(providers.of("/robot/send")[0].query) == {"access_token"}

    def test_wrong_secret_fails_for_good_and_too_fast_is_retried(
        self, providers: Providers, http: httpx.Client
    ) -> None:
        providers.dingtalk_robots[DING_TOKEN] = DING_SECRET
        wrong = DingTalkSender(http).send(NOTICE, ding_url(providers), "SECnot-the-robots-secret")
        assert (wrong.outcome, wrong.code) == (Outcome.failed, "310000")
        assert "SECnot" not in str(wrong) and DING_TOKEN not in str(wrong)

        providers.script(DING_TOKEN, (200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}))
        fast = DingTalkSender(http).send(NOTICE, ding_url(providers), DING_SECRET)
        assert (fast.outcome, fast.code) == (Outcome.retry, "130101")
        providers.script(DING_TOKEN, (502, None))
        assert DingTalkSender(http).send(NOTICE, ding_url(providers), DING_SECRET).code == "http_502"
        assert DingTalkSender(http).send(NOTICE, ding_url(providers), DING_SECRET).outcome is Outcome.sent

    def test_a_stale_timestamp_is_refused_by_the_robot(self, providers: Providers, http: httpx.Client) -> None:
        providers.dingtalk_robots[DING_TOKEN] = DING_SECRET
        hour_ago = time.time() - 3700
        stale = DingTalkSender(http, clock=lambda: hour_ago).send(NOTICE, ding_url(providers), DING_SECRET)
        assert stale.code == "310000"


class TestWeChatTemplate:
    APPID, APPSECRET, TEMPLATE = "wx1234567890abcdef", "0123456789abcdef0123456789abcdef", "tpl-case-reminder"
    OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"

    def sender(self, providers: Providers, **kwargs: object) -> WeChatTemplateSender:
        providers.wechat_accounts[self.APPID] = self.APPSECRET
        providers.wechat_followers.add(self.OPENID)
        return WeChatTemplateSender(
            self.APPID, self.APPSECRET, self.TEMPLATE, api_base_url=f"{providers.base_url}/cgi-bin/",
            **kwargs,  # type: ignore[arg-type]
        )  # fmt: skip

    def test_fetches_a_token_once_and_sends_the_template(self, providers: Providers) -> None:
        sender = self.sender(providers)
        assert sender.send(NOTICE, self.OPENID, None).outcome is Outcome.sent
        assert sender.send(NOTICE, self.OPENID, None).outcome is Outcome.sent
        (token_request,) = providers.of("/cgi-bin/token")  # kept between sends
        assert token_request.method == "GET"
        assert token_request.query == {"grant_type": "client_credential", "appid": self.APPID, "secret": self.APPSECRET}
        first, second = providers.of("/cgi-bin/message/template/send")
        assert first.query["access_token"] == second.query["access_token"] in providers.tokens
        assert first.json() == {
            "touser": self.OPENID,
            "template_id": self.TEMPLATE,
            "url": "https://cunfa.example.org/console",
            "data": {
                "first": {"value": "村法助手：高风险案件 2026-QSW-000012"},
                "keyword1": {"value": "2026-QSW-000012"},
                "keyword2": {"value": "高风险案件，宅基地，橙色·高风险"},
                "keyword3": {"value": "2026-12-06 10:30"},
                "remark": {"value": SUMMARY},
            },
        }

    def test_new_style_fields_are_cut_to_their_limits(self, providers: Providers) -> None:
        sender = self.sender(providers, fields=("thing1", "character_string2", "thing3", "time4", "thing5"))
        assert sender.send(NOTICE, self.OPENID, None).outcome is Outcome.sent
        data = providers.of("/cgi-bin/message/template/send")[0].json()["data"]
        assert list(data) == ["thing1", "character_string2", "thing3", "time4", "thing5"]
        assert all(len(data[name]["value"]) <= 20 for name in ("thing1", "thing3", "thing5"))
        assert data["thing5"]["value"].endswith("…")

    def test_an_expired_token_is_fetched_again(self, providers: Providers) -> None:
        sender = self.sender(providers)
        assert sender.send(NOTICE, self.OPENID, None).outcome is Outcome.sent
        providers.tokens.clear()  # WeChat invalidated it (another server fetched a new one)
        assert sender.send(NOTICE, self.OPENID, None).outcome is Outcome.sent
        assert len(providers.of("/cgi-bin/token")) == 2

    def test_recipient_errors_are_for_good_and_the_quota_is_retried(self, providers: Providers) -> None:
        sender = self.sender(providers)
        stranger = "oUpF8uN95-Ptaags6aszLYAbAqZ0"
        unfollowed = sender.send(NOTICE, stranger, None)
        assert (unfollowed.outcome, unfollowed.code) == (Outcome.failed, "43004")
        assert stranger not in str(unfollowed)
        providers.script(self.OPENID, (200, {"errcode": 40003, "errmsg": f"invalid openid {self.OPENID}"}))
        invalid = sender.send(NOTICE, self.OPENID, None)
        assert (invalid.outcome, invalid.code) == (Outcome.failed, "40003") and self.OPENID not in invalid.detail
        providers.script(self.OPENID, (200, {"errcode": 45009, "errmsg": "reach max api daily quota limit"}))
        assert sender.send(NOTICE, self.OPENID, None).code == "45009"
        assert sender.send(NOTICE, self.OPENID, None).outcome is Outcome.sent
        providers.script(self.OPENID, (503, None))
        assert sender.send(NOTICE, self.OPENID, None).outcome is Outcome.retry

    def test_a_wrong_app_secret_fails_without_showing_it(self, providers: Providers) -> None:
        providers.wechat_followers.add(self.OPENID)
        sender = WeChatTemplateSender(
            self.APPID, "wrong-secret-wrong-secret", self.TEMPLATE, api_base_url=f"{providers.base_url}/cgi-bin/"
        )
        result = sender.send(NOTICE, self.OPENID, None)
        assert (result.outcome, result.code) == (Outcome.failed, "40125")
        assert "wrong-secret" not in str(result)

    def test_unreachable_api_is_retried_without_the_secret_in_the_result(self) -> None:
        base = closed_port_url("/cgi-bin/")
        result = WeChatTemplateSender(self.APPID, self.APPSECRET, self.TEMPLATE, api_base_url=base).send(
            NOTICE, self.OPENID, None
        )
        assert result.outcome is Outcome.retry and self.APPSECRET not in str(result)

    def test_missing_configuration_waits_for_it(self) -> None:
        result = WeChatTemplateSender("", "", "").send(NOTICE, self.OPENID, None)
        assert (result.outcome, result.code) == (Outcome.retry, "not_configured")


class TestWebhook:
    def test_signed_body_and_headers_verify_as_documented(self, providers: Providers, http: httpx.Client) -> None:
        providers.webhook_secrets["/hooks/county"] = HOOK_SECRET
        before = int(time.time())
        result = WebhookSender(http).send(NOTICE, f"{providers.base_url}/hooks/county", HOOK_SECRET)
        assert result.outcome is Outcome.sent
        (request,) = providers.of("/hooks/county")
        expected = "sha256=" + hmac.new(HOOK_SECRET.encode(), request.body, hashlib.sha256).hexdigest()
        assert request.headers["x-cunfa-signature"] == expected == webhook_signature(HOOK_SECRET, request.body)
        body = request.json()
        assert int(request.headers["x-cunfa-timestamp"]) == body["timestamp"] >= before
        assert request.headers["x-cunfa-delivery"] == body["delivery_id"] == "7"  # the message id, stable on retries
        assert body["event"] == "high_risk_case" and body["version"] == 1 and body["test"] is False
        assert body["case"] == {
            "number": "2026-QSW-000012", "handler_role": "mediator", "risk_level": "high",
            "previous_risk_level": None, "dispute_type": "homestead", "village_id": "v-qsw",
            "village_name": "青石湾村", "township": "青山镇", "first_contact_due_at": "2026-12-06T02:30:00+00:00",
            "assignee": None,
        }  # fmt: skip
        assert body["summary"] == SUMMARY and body["message_id"] == 7
        assert request.headers["content-type"] == "application/json; charset=utf-8"

    def test_server_errors_are_retried_and_a_refusal_is_not(self, providers: Providers, http: httpx.Client) -> None:
        providers.webhook_secrets["/hooks/county"] = HOOK_SECRET
        url = f"{providers.base_url}/hooks/county"
        providers.script("/hooks/county", (500, {"error": "db down"}))
        down = WebhookSender(http).send(NOTICE, url, HOOK_SECRET)
        assert (down.outcome, down.code) == (Outcome.retry, "http_500")
        refused = WebhookSender(http).send(NOTICE, url, "another-secret-entirely-0000")
        assert (refused.outcome, refused.code) == (Outcome.failed, "http_401")
        assert WebhookSender(http).send(NOTICE, url, HOOK_SECRET).outcome is Outcome.sent

    def test_legacy_body_is_the_outbox_message_as_before(self, providers: Providers, http: httpx.Client) -> None:
        providers.webhook_secrets["/legacy"] = ""
        message = {"id": 3, "topic": "resident_code", "recipient": "13912345678", "case_id": "2026-QSW-000001"}
        result = WebhookSender(http).send_legacy(message, f"{providers.base_url}/legacy", None)
        assert result.outcome is Outcome.sent
        (request,) = providers.of("/legacy")
        assert json.loads(request.body) == message and "x-cunfa-signature" not in request.headers
        providers.script("/legacy", (404, None))
        assert WebhookSender(http).send_legacy(message, f"{providers.base_url}/legacy", None).outcome is Outcome.retry


class TestMasking:
    def test_targets_are_shown_without_their_credentials(self) -> None:
        assert (
            mask_target("wecom", f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={WECOM_KEY}")
            == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***5aaa"
        )
        assert mask_target("dingtalk", f"https://oapi.dingtalk.com/robot/send?access_token={DING_TOKEN}").endswith(
            "access_token=***48fb"
        )
        assert mask_target("webhook", "https://hooks.example.org/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX") == (
            "https://hooks.example.org/services/T000/B000/***XXXX"
        )
        assert mask_target("wechat_template", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o") == "oUp***S6o"
        assert mask_target("webhook", "not a url") == "***"

    def test_scrub_hides_secrets_and_credential_parameters(self) -> None:
        text = "GET /cgi-bin/token?grant_type=client_credential&appid=wx1&secret=abcdef123456 failed, key=K1234"
        assert scrub(text, "wx1-unused") == (
            "GET /cgi-bin/token?grant_type=client_credential&appid=wx1&secret=*** failed, key=***"
        )
        assert scrub("the value s3cr3t-value leaked", "s3cr3t-value") == "the value *** leaked"
