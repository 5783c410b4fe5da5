"""The /wechat callback end to end in-process: WeChat played with wechatpy's crypto, Rasa by MockTransport.

No network: the customer-service API is a recording sender (tests only), and the real sender's
HTTP calls are answered by a requests adapter.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from collections.abc import Callable, Iterator

import httpx
import pydantic
import pytest
import requests
import xmltodict
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from wechatpy.crypto import WeChatCrypto

from api.main import create_app
from api.wechat import CustomerServiceError, WeChatClientSender, wording
from api.wechat.options import StoredOptions
from api.wechat.render import MAX_TEXT_BYTES, Option, chosen_option, render_body, split_text
from cases import open_store
from cases.models import ChannelDelivery
from cunfa.settings import Settings
from knowledge import KnowledgeBase
from tests.api.wechat_fixtures import (
    ACCOUNT,
    AES_KEY,
    APP_ID,
    OPENID,
    TOKEN,
    FakeRasa,
    RecordingSender,
    WeChatServer,
    event_xml,
    image_xml,
    sign,
    text_xml,
    voice_xml,
)

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE xml [\n<!ENTITY lol "lol">\n'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">\n' for i in range(1, 10))
    + "]>\n"
    + text_xml("&lol9;", 42).replace("<![CDATA[&lol9;]]>", "&lol9;")
)


class Harness:
    def __init__(self, client: TestClient, server: WeChatServer, rasa: FakeRasa, sender: RecordingSender, settings):
        self.client, self.server, self.rasa, self.sender, self.settings = client, server, rasa, sender, settings

    def deliveries(self) -> int:
        with open_store(self.settings.database).session() as session:
            return session.scalar(select(func.count()).select_from(ChannelDelivery))


@pytest.fixture
def make(tiny_kb: KnowledgeBase, tmp_path) -> Iterator[Callable[..., Harness]]:
    clients: list[TestClient] = []

    def build(rasa: FakeRasa | None = None, *, safe: bool = False, **overrides) -> Harness:
        rasa = rasa or FakeRasa()
        fields = {
            "rasa_token": "tok",
            "data_dir": tmp_path,
            "wechat_token": TOKEN,
            "wechat_app_id": APP_ID,
            "wechat_encoding_aes_key": AES_KEY if safe else "",
        }
        settings = Settings(**(fields | overrides))
        http = httpx.AsyncClient(transport=httpx.MockTransport(rasa))
        client = TestClient(create_app(settings, knowledge=tiny_kb, http_client=http, run_background=False))
        client.__enter__()
        clients.append(client)
        sender = RecordingSender()
        client.app.state.wechat_sender = sender
        return Harness(client, WeChatServer(client, safe=safe), rasa, sender, settings)

    yield build
    for client in clients:
        client.__exit__(None, None, None)


class TestUrlVerification:
    def test_plain_mode_echoes_echostr(self, make) -> None:
        response = make().server.verify_url("5218796423")
        assert response.status_code == 200 and response.text == "5218796423"

    def test_safe_mode_echoes_echostr_signed_with_the_token(self, make) -> None:
        response = make(safe=True).server.verify_url("1234567890123")
        assert response.status_code == 200 and response.text == "1234567890123"

    def test_bad_signature_is_403(self, make) -> None:
        h = make()
        query = {**h.server.query(), "signature": "0" * 40, "echostr": "x"}
        response = h.client.get("/wechat", params=query)
        assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"

    def test_stale_timestamp_is_403_even_when_signed(self, make) -> None:
        response = make().server.verify_url(timestamp=int(time.time()) - 3600)
        assert response.status_code == 403 and "replay" in response.json()["error"]["message"]

    def test_missing_parameters_are_403(self, make) -> None:
        assert make().client.get("/wechat", params={"echostr": "x"}).status_code == 403

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"wechat_encoding_aes_key": "too-short", "wechat_app_id": "wx1"}, "43-character"),
            ({"wechat_encoding_aes_key": "a" * 43}, "CUNFA_WECHAT_APP_ID"),
        ],
    )
    def test_misconfigured_safe_mode_is_refused_at_start_up(self, overrides: dict, message: str) -> None:
        with pytest.raises(pydantic.ValidationError, match=message):
            Settings(wechat_token="tok", **overrides)

    def test_a_key_wechatpy_rejects_is_a_clear_503(self, make) -> None:
        h = make(wechat_encoding_aes_key="!" * 43)
        response = h.server.verify_url()
        assert response.status_code == 503 and "ENCODING_AES_KEY" in response.json()["error"]["message"]

    def test_disabled_without_a_token(self, make) -> None:
        h = make(wechat_token="")
        assert h.server.verify_url().status_code == 404
        response = h.server.post(text_xml("你好", 1))
        assert response.status_code == 404 and set(response.json()["error"]) == {"code", "message"}
        assert h.rasa.sent == []


class TestMessages:
    def test_text_turn_in_plain_mode(self, make) -> None:
        h = make()
        reply = h.server.reply(h.server.post(text_xml("老板拖欠工资怎么办", 1001)))
        assert reply["ToUserName"] == OPENID and reply["FromUserName"] == ACCOUNT
        assert reply["MsgType"] == "text" and reply["Content"] == "这是助手的回答。"
        assert h.rasa.sent == [
            {
                "sender": f"wechat:{OPENID}",
                "message": "老板拖欠工资怎么办",
                "metadata": {"village_id": None, "channel": "wechat", "user_id": OPENID},
            }
        ]

    def test_text_turn_in_safe_mode(self, make) -> None:
        h = make(safe=True)
        response = h.server.post(text_xml("邻居占了我家宅基地", 1002))
        assert "<Encrypt>" in response.text and "这是助手的回答" not in response.text
        reply = h.server.reply(response)  # decrypted and signature-checked by wechatpy
        assert reply["ToUserName"] == OPENID and reply["FromUserName"] == ACCOUNT
        assert reply["Content"] == "这是助手的回答。"
        assert h.rasa.texts == ["邻居占了我家宅基地"]

    def test_safe_mode_refuses_a_wrong_or_missing_msg_signature(self, make) -> None:
        h = make(safe=True)
        query = h.server.query(openid=OPENID)
        body = h.server.crypto.encrypt_message(text_xml("你好", 1003), query["nonce"], query["timestamp"])
        missing = h.client.post("/wechat", params=query, content=body)
        wrong = h.client.post("/wechat", params={**query, "msg_signature": "f" * 40}, content=body)
        plain = h.client.post("/wechat", params=query, content=text_xml("你好", 1004))
        assert (missing.status_code, wrong.status_code, plain.status_code) == (403, 403, 403)
        assert h.rasa.sent == [] and h.deliveries() == 0

    def test_safe_mode_refuses_a_message_for_another_account(self, make) -> None:
        h = make(safe=True)
        query = h.server.query(openid=OPENID)
        body = WeChatCrypto(TOKEN, AES_KEY, "wxsomeoneelse").encrypt_message(
            text_xml("你好", 1005), query["nonce"], query["timestamp"]
        )
        query["msg_signature"] = xmltodict.parse(body)["xml"]["MsgSignature"]
        assert h.client.post("/wechat", params=query, content=body).status_code == 403
        assert h.rasa.sent == []

    def test_bad_signature_is_403_and_nothing_processed(self, make) -> None:
        h = make()
        query = {**h.server.query(), "signature": "a" * 40}
        response = h.server.post(text_xml("你好", 1006), params=query)
        assert response.status_code == 403 and h.rasa.sent == [] and h.deliveries() == 0

    def test_stale_timestamp_is_403(self, make) -> None:
        h = make()
        response = h.server.post(text_xml("你好", 1007), timestamp=int(time.time()) - 301)
        assert response.status_code == 403 and h.rasa.sent == [] and h.deliveries() == 0

    def test_voice_uses_the_recognition_text(self, make) -> None:
        h = make()
        reply = h.server.reply(h.server.post(voice_xml("我男人打我怎么办", 2001)))
        assert reply["Content"] == "这是助手的回答。"
        assert h.rasa.texts == ["我男人打我怎么办"]

    def test_voice_without_recognition_asks_again(self, make) -> None:
        h = make()
        assert h.server.reply(h.server.post(voice_xml(None, 2002)))["Content"] == wording.VOICE_NOT_RECOGNISED
        assert h.server.reply(h.server.post(voice_xml("", 2003)))["Content"] == wording.VOICE_NOT_RECOGNISED
        assert h.rasa.sent == []

    def test_other_message_types_get_a_polite_text(self, make) -> None:
        h = make()
        assert h.server.reply(h.server.post(image_xml(2004)))["Content"] == wording.ONLY_TEXT_VOICE
        assert h.rasa.sent == []

    def test_subscribe_welcomes_and_unsubscribe_says_nothing(self, make) -> None:
        h = make()
        now = int(time.time())
        welcome = h.server.reply(h.server.post(event_xml("subscribe", now)))
        assert welcome["Content"] == wording.WELCOME and welcome["ToUserName"] == OPENID
        scanned = h.server.reply(h.server.post(event_xml("subscribe", now + 1, key="qrscene_village7")))
        assert scanned["Content"] == wording.WELCOME
        goodbye = h.server.post(event_xml("unsubscribe", now + 2))
        assert goodbye.status_code == 200 and goodbye.text == "success"
        menu = h.server.post(event_xml("CLICK", now + 3, key="menu_1"))
        assert menu.text == "success"
        assert h.rasa.sent == []

    def test_subscribe_in_safe_mode_is_encrypted(self, make) -> None:
        h = make(safe=True)
        assert h.server.reply(h.server.post(event_xml("subscribe", int(time.time()))))["Content"] == wording.WELCOME

    def test_rasa_down_gives_the_degraded_answer(self, make) -> None:
        h = make(FakeRasa(down=True))
        content = h.server.reply(h.server.post(text_xml("离婚以后孩子的抚养费谁出", 3001)))["Content"]
        assert "故障" in content and "12348" in content

    def test_no_answer_at_all_is_success(self, make) -> None:
        broken = [{"custom": {"text": "答案", "citations": [{"source": "statute"}], "buttons": []}}]
        h = make(FakeRasa(messages=broken))  # a reply that fails validation: nothing can be said
        response = h.server.post(text_xml("嗯", 3002))
        assert response.status_code == 200 and response.text == "success"
        assert h.rasa.texts == ["嗯"]

    def test_silent_rasa_gets_the_degraded_answer_not_silence(self, make) -> None:
        h = make(FakeRasa(messages=[]))
        assert "故障" in h.server.reply(h.server.post(text_xml("嗯", 3003)))["Content"]

    def test_long_messages_are_cut_with_a_notice(self, make) -> None:
        h = make(max_message_chars=50)
        content = h.server.reply(h.server.post(text_xml("欠" * 80, 3004)))["Content"]
        assert h.rasa.texts == ["欠" * 50]
        assert "50个字" in content and content.endswith("这是助手的回答。")

    def test_each_resident_is_rate_limited_but_never_a_cry_for_help(self, make) -> None:
        h = make(rate_limit_per_user=2)
        for msg_id in (3101, 3102):
            assert h.server.reply(h.server.post(text_xml("问一下", msg_id)))["Content"] == "这是助手的回答。"
        assert "太快" in h.server.reply(h.server.post(text_xml("再问一下", 3103)))["Content"]
        assert h.server.reply(h.server.post(text_xml("他拿刀要砍人", 3104)))["Content"] == "这是助手的回答。"
        assert h.rasa.texts == ["问一下", "问一下", "他拿刀要砍人"]
        other = h.server.post(text_xml("我也问", 3105, openid="oZ9y8X7w6V5u4T3s2R1q0pOnMlKj"))
        assert h.server.reply(other)["Content"] == "这是助手的回答。"

    def test_buttons_become_numbers_and_a_number_picks_the_payload(self, make) -> None:
        custom = {
            "custom": {
                "text": "要不要帮您找人？",
                "citations": [],
                "buttons": [
                    {"title": "找调解员", "payload": "/request_mediation"},
                    {"title": "找律师", "payload": "/request_lawyer"},
                ],
            }
        }
        h = make(FakeRasa(messages=[custom]))
        content = h.server.reply(h.server.post(text_xml("邻居吵架", 4001)))["Content"]
        assert "回复 1 找调解员" in content and "回复 2 找律师" in content
        h.server.post(text_xml("２", 4002))
        h.server.post(text_xml("9", 4003))  # out of range: sent as typed
        assert h.rasa.texts == ["邻居吵架", "/request_lawyer", "9"]

    def test_a_number_typed_to_another_gateway_picks_the_option_shown_by_the_first(self, make) -> None:
        buttons = [
            {"title": "找调解员", "payload": "/request_mediation"},
            {"title": "找律师", "payload": "/request_lawyer"},
        ]
        custom = {"custom": {"text": "要不要帮您找人？", "citations": [], "buttons": buttons}}
        first, second = make(FakeRasa(messages=[custom])), make(FakeRasa())  # two processes, one database
        assert "回复 2 找律师" in first.server.reply(first.server.post(text_xml("邻居吵架", 4101)))["Content"]
        second.server.post(text_xml("2", 4102))
        assert second.rasa.texts == ["/request_lawyer"]
        second.server.post(text_xml("1", 4103))  # that reply had no buttons: now "1" is just text
        assert second.rasa.texts == ["/request_lawyer", "1"]

    def test_long_answers_are_split_into_customer_service_messages(self, make) -> None:
        long_text = "\n".join(f"第{i}段：" + "法律规定" * 40 for i in range(12))
        h = make(FakeRasa(messages=[{"text": long_text}]))
        passive = h.server.reply(h.server.post(text_xml("说详细点", 5001)))["Content"]
        assert len(passive.encode("utf-8")) <= MAX_TEXT_BYTES
        rest = h.sender.wait_for(1)
        assert rest and all(openid == OPENID and len(text.encode()) <= MAX_TEXT_BYTES for openid, text in rest)
        assert "\n".join([passive] + [text for _, text in rest]) == long_text

    def test_long_answer_without_a_sender_is_cut_and_says_so(self, make) -> None:
        long_text = "法律规定" * 400
        h = make(FakeRasa(messages=[{"text": long_text}]))
        h.client.app.state.wechat_sender = None
        h.client.app.state.wechat_sender_resolved = True  # no AppSecret: nothing can follow
        passive = h.server.reply(h.server.post(text_xml("说详细点", 5002)))["Content"]
        assert len(passive.encode("utf-8")) <= MAX_TEXT_BYTES and passive.endswith(wording.CUT_SHORT)


class TestExactlyOnce:
    def test_repeated_msgid_is_processed_once(self, make) -> None:
        h = make()
        xml = text_xml("老板拖欠工资", 6001)
        first = h.server.reply(h.server.post(xml))
        second = h.server.reply(h.server.post(xml))  # WeChat's retry: new nonce and signature, same MsgId
        assert len(h.rasa.sent) == 1
        assert first["Content"] == second["Content"] == "这是助手的回答。"
        assert h.deliveries() == 1

    def test_repeated_event_is_processed_once(self, make, caplog: pytest.LogCaptureFixture) -> None:
        h = make()
        created = int(time.time())
        with caplog.at_level(logging.INFO, logger="api.wechat.channel"):
            first = h.server.reply(h.server.post(event_xml("subscribe", created)))
            second = h.server.reply(h.server.post(event_xml("subscribe", created)))
        assert first["Content"] == second["Content"] == wording.WELCOME
        repeats = [r for r in caplog.records if "repeat delivery" in r.getMessage()]
        assert len(repeats) == 1 and f"{OPENID}:{created}:subscribe" in repeats[0].getMessage()
        assert h.deliveries() == 1
        h.server.post(event_xml("subscribe", created + 1))
        assert h.deliveries() == 2

    def test_repeat_in_safe_mode_is_answered_again_encrypted(self, make) -> None:
        h = make(safe=True)
        xml = text_xml("你好", 6002)
        h.server.post(xml)
        assert h.server.reply(h.server.post(xml))["Content"] == "这是助手的回答。"
        assert len(h.rasa.sent) == 1


class TestFiveSeconds:
    def test_slow_answer_gets_a_holding_reply_then_a_customer_service_message(self, make) -> None:
        h = make(FakeRasa(delay_s=2.0), wechat_reply_budget_s=0.2)
        h.server.post(event_xml("subscribe", int(time.time())))  # opens the store before the clock matters
        started = time.monotonic()
        reply = h.server.reply(h.server.post(text_xml("慢慢查", 7001)))
        elapsed = time.monotonic() - started
        assert reply["Content"] == wording.HOLDING
        assert elapsed < 1.5, f"holding reply took {elapsed:.2f} s"
        assert h.sender.sent == []
        assert h.sender.wait_for(1) == [(OPENID, "这是助手的回答。")]
        assert len(h.rasa.sent) == 1

    def test_slow_answer_to_danger_still_gives_110_at_once(self, make) -> None:
        h = make(FakeRasa(delay_s=1.0), wechat_reply_budget_s=0.1)
        content = h.server.reply(h.server.post(text_xml("他拿刀要砍人", 7003)))["Content"]
        assert "110" in content and content.endswith(wording.HOLDING)
        assert h.sender.wait_for(1) == [(OPENID, "这是助手的回答。")]

    def test_repeat_during_a_slow_turn_gets_the_holding_reply_not_a_second_turn(self, make) -> None:
        h = make(FakeRasa(delay_s=1.0), wechat_reply_budget_s=0.2)
        xml = text_xml("慢慢查", 7002)
        assert h.server.reply(h.server.post(xml))["Content"] == wording.HOLDING
        assert h.server.reply(h.server.post(xml))["Content"] == wording.HOLDING
        assert len(h.sender.wait_for(1)) == 1 and len(h.rasa.sent) == 1


class TestHostileBodies:
    def test_billion_laughs_is_400_and_nothing_processed(self, make) -> None:
        h = make()
        response = h.server.post(BILLION_LAUGHS)
        assert response.status_code == 400 and response.json()["error"]["message"]
        assert h.rasa.sent == [] and h.deliveries() == 0

    def test_billion_laughs_inside_the_ciphertext_is_400(self, make) -> None:
        h = make(safe=True)
        assert h.server.post(BILLION_LAUGHS).status_code == 400
        assert h.rasa.sent == [] and h.deliveries() == 0

    def test_oversized_body_is_400(self, make) -> None:
        h = make()
        xml = text_xml("长" * 30_000, 8001)
        assert len(xml.encode()) > 64 * 1024
        assert h.server.post(xml).status_code == 400
        assert h.rasa.sent == [] and h.deliveries() == 0

    @pytest.mark.parametrize(
        "body",
        [
            b"hello, not xml",
            b"\xff\xfe\x00garbage",
            b"<html><body>hi</body></html>",
            b"<xml><MsgType>text</MsgType><Content>no sender</Content></xml>",
            b"<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><MsgType>text</MsgType></xml>",
            b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml>&x;</xml>',
            b"<xml><ToUserName>gh</ToUserName><FromUserName><a>1</a></FromUserName><CreateTime>1</CreateTime>"
            b"<MsgType>text</MsgType><Content>x</Content><MsgId>1</MsgId></xml>",
            b"",
        ],
    )
    def test_garbage_is_400(self, make, body: bytes) -> None:
        h = make()
        response = h.server.post(body)
        assert response.status_code == 400, response.text
        assert set(response.json()["error"]) == {"code", "message"}
        assert h.rasa.sent == [] and h.deliveries() == 0

    def test_undecryptable_safe_mode_body_is_400(self, make) -> None:
        h = make(safe=True)
        query = h.server.query(openid=OPENID)
        bogus = "bm90IGEgcmVhbCBjaXBoZXJ0ZXh0"
        body = f"<xml><ToUserName>{ACCOUNT}</ToUserName><Encrypt>{bogus}</Encrypt></xml>"
        query["msg_signature"] = sign(TOKEN, query["timestamp"], query["nonce"], bogus)
        assert h.client.post("/wechat", params=query, content=body).status_code == 400
        assert h.rasa.sent == []


class TestRendering:
    def test_citations_not_named_in_the_text_become_basis_lines(self) -> None:
        statute = {"source": "statute", "title": "中华人民共和国民法典", "article": "第一千零八十五条", "citation": "x"}
        rule = {"source": "village_rule", "title": "青石湾村村规民约", "article": "第十二条", "citation": "y"}
        named = {"source": "statute", "title": "中华人民共和国劳动法", "article": "第五十条", "citation": "z"}
        body = {
            "replies": [
                {
                    "text": "1. 《中华人民共和国劳动法》第五十条：工资应当按月支付。",
                    "citations": [statute, rule, named],
                    "buttons": [{"title": "找律师", "payload": "/request_lawyer"}],
                },
                {
                    "text": "还有别的问题吗？",
                    "citations": [],
                    "buttons": [{"title": "找律师", "payload": "/request_lawyer"}],
                },
            ]
        }
        rendered = render_body(body)
        assert rendered.text.splitlines() == [
            "1. 《中华人民共和国劳动法》第五十条：工资应当按月支付。",
            "依据：《中华人民共和国民法典》第一千零八十五条",
            "依据：青石湾村村规民约第十二条",
            "",
            "还有别的问题吗？",
            "",
            "回复 1 找律师",
        ]
        assert rendered.options == [Option("找律师", "/request_lawyer")]

    def test_the_brief_form_is_the_first_screen_and_details_are_options(self) -> None:
        """On WeChat an answer shows its summary and article names; the rest is a numbered option away."""
        body = {
            "replies": [
                {
                    "text": "工资要按月发。\n依据的法律规定：\n1. 《中华人民共和国劳动法》第五十条：工资应当以货币形式按月支付……",
                    "brief": "工资要按月发。\n依据：《中华人民共和国劳动法》第五十条",
                    "citations": [{"source": "statute", "title": "中华人民共和国劳动法", "article": "第五十条",
                                   "citation": "中华人民共和国劳动法第五十条"}],
                    "buttons": [
                        {"title": "详细说说", "payload": '/ask_followup{"followup_section": "steps"}'},
                        {"title": "要准备啥材料", "payload": '/ask_followup{"followup_section": "evidence"}'},
                    ],
                }
            ]
        }  # fmt: skip
        rendered = render_body(body)
        assert rendered.text.splitlines() == [
            "工资要按月发。",
            "依据：《中华人民共和国劳动法》第五十条",
            "",
            "回复 1 详细说说",
            "回复 2 要准备啥材料",
        ]
        assert rendered.options[1].payload == '/ask_followup{"followup_section": "evidence"}'

    def test_split_respects_bytes_and_characters(self) -> None:
        text = "短的一行\n" + "长" * 1000 + "\n最后一行"
        chunks = split_text(text, 100)
        assert all(len(c.encode("utf-8")) <= 100 for c in chunks)
        assert "".join(chunks).replace("\n", "") == text.replace("\n", "")
        assert split_text("  ") == [] and split_text("你好") == ["你好"]

    def test_chosen_option_reads_typed_numbers(self) -> None:
        options = [Option("找调解员", "/request_mediation"), Option("找律师", "/request_lawyer")]
        assert chosen_option("1", options) == options[0]
        assert chosen_option(" ２。", options) == options[1]
        assert chosen_option("回复 2", options) == options[1]
        assert chosen_option("3", options) is None and chosen_option("12块钱", options) is None

    def test_stored_options_are_replaced_forgotten_and_expire(self, tmp_path) -> None:
        from datetime import datetime, timedelta, timezone

        store = open_store(f"sqlite:///{tmp_path / 'options.db'}")
        memory, t0 = StoredOptions(ttl=timedelta(seconds=10)), datetime(2026, 12, 1, tzinfo=timezone.utc)
        memory.remember(
            store, "a", [Option("找调解员", "/request_mediation"), Option("找律师", "/request_lawyer")], now=t0
        )
        later = t0 + timedelta(seconds=5)
        assert memory.recall(store, "a", now=later) == [
            Option("找调解员", "/request_mediation"),
            Option("找律师", "/request_lawyer"),
        ]
        assert memory.recall(store, "b", now=later) == []
        assert memory.recall(store, "a", now=t0 + timedelta(seconds=11)) == []
        memory.remember(store, "a", [Option("t", "/p")], now=t0)
        memory.remember(store, "a", [Option("新", "/new")], now=t0)  # the latest reply's options win
        assert memory.recall(store, "a", now=later) == [Option("新", "/new")]
        memory.remember(store, "a", [], now=t0)  # a reply without buttons: a number is just a number
        assert memory.recall(store, "a", now=later) == []
        memory.remember(store, "c", [Option("t", "/p")], now=t0)
        memory.forget(store, "c")
        assert memory.recall(store, "c", now=later) == []

    def test_expired_options_and_old_deliveries_are_pruned_once_an_hour(self, tmp_path) -> None:
        from datetime import datetime, timedelta, timezone

        from api.wechat.dedup import KEEP_FOR, DeliveryLog
        from cases.models import ChannelOptions

        store = open_store(f"sqlite:///{tmp_path / 'prune.db'}")
        t0 = datetime(2026, 12, 1, tzinfo=timezone.utc)
        old_options, old_log = StoredOptions(ttl=timedelta(seconds=10)), DeliveryLog()
        old_options.remember(store, "gone", [Option("t", "/p")], now=t0)
        old_log.claim(store, "msg:gone", now=t0)
        # A new process (first call prunes at once); the same process again would wait an hour.
        options, log = StoredOptions(ttl=timedelta(seconds=10)), DeliveryLog()
        later = t0 + KEEP_FOR + timedelta(seconds=1)
        options.remember(store, "kept", [Option("t", "/p")], now=later)
        log.claim(store, "msg:kept", now=later)
        old_options.remember(store, "kept-too", [Option("t", "/p")], now=later + timedelta(seconds=20))
        with store.session() as session:
            users = sorted(session.scalars(select(ChannelOptions.user_key)))
            keys = sorted(session.scalars(select(ChannelDelivery.key)))
        assert users == ["kept", "kept-too"]  # "kept" expired too, but within the hour it stays
        assert keys == ["msg:kept"]


class FakeWeChatApi(requests.adapters.BaseAdapter):
    """api.weixin.qq.com answered in-process, so the real sender runs offline."""

    def __init__(self, send_errcode: int = 0) -> None:
        super().__init__()
        self.calls: list[requests.PreparedRequest] = []
        self.send_errcode = send_errcode

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        self.calls.append(request)
        if "/cgi-bin/token" in request.url:
            body = {"access_token": f"TOKEN{len(self.calls)}", "expires_in": 7200}
        else:
            body = {"errcode": self.send_errcode, "errmsg": "ok" if not self.send_errcode else "response out of time"}
        response = requests.Response()
        response.status_code, response.url, response.request = 200, request.url, request
        response._content = json.dumps(body).encode()
        return response

    def close(self) -> None:
        pass


class TestCustomerServiceSender:
    def test_token_is_fetched_once_and_reused(self) -> None:
        sender = WeChatClientSender(APP_ID, "secret")
        api = FakeWeChatApi()
        sender.client._http.mount("https://", api)
        asyncio.run(sender.send_text(OPENID, "第一条"))
        asyncio.run(sender.send_text(OPENID, "第二条"))
        token_calls = [c for c in api.calls if "/cgi-bin/token" in c.url]
        sends = [c for c in api.calls if "message/custom/send" in c.url]
        assert len(token_calls) == 1 and len(sends) == 2
        assert all("access_token=TOKEN1" in c.url for c in sends)
        assert json.loads(sends[1].body) == {"touser": OPENID, "msgtype": "text", "text": {"content": "第二条"}}

    def test_refusal_is_a_customer_service_error(self) -> None:
        sender = WeChatClientSender(APP_ID, "secret")
        sender.client._http.mount("https://", FakeWeChatApi(send_errcode=45015))
        with pytest.raises(CustomerServiceError, match="45015"):
            asyncio.run(sender.send_text(OPENID, "你好"))

    def test_wechat_api_calls_time_out_instead_of_hanging(self) -> None:
        sender = WeChatClientSender(APP_ID, "secret", timeout_s=0.3)
        adapter = sender.client._http.get_adapter("https://api.weixin.qq.com/cgi-bin/token")
        with socket.socket() as silent:  # accepts the connection, never answers
            silent.bind(("127.0.0.1", 0))
            silent.listen()
            request = requests.Request("GET", f"http://127.0.0.1:{silent.getsockname()[1]}/cgi-bin/token").prepare()
            started = time.monotonic()
            with pytest.raises(requests.Timeout):
                adapter.send(request, timeout=None)
            assert time.monotonic() - started < 3
