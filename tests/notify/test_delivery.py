"""Routing and delivery of queued notifications: real case store, real outbox, real senders, local providers.

Cases are filed through ``CaseStore``; what cases/ queues is delivered by ``notify.deliver_due`` (the
background duty's call) to the fake providers of tests/notify/providers.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from sqlalchemy import select, text

from api.background import one_round
from cases import CaseIntake, CaseStore, crypto, outbox
from cases.key_rotation import rotate_all
from cases.models import NotifyChannel, NotifyDelivery, OutboxMessage
from cases.staff import add_roster_entry, add_user
from cunfa.settings import Settings
from notify.channels import add_channel
from notify.delivery import Senders, deliver_due
from notify.senders import DingTalkSender, WebhookSender, WeChatTemplateSender, WeComSender
from tests.conftest import TEST_DATA_KEY
from tests.notify.providers import Providers

KEYS = {name: f"{name}-0000-robot-key-{i:04d}" for i, name in enumerate(("village", "county", "other", "lawyer", "town2", "dead"))}  # fmt: skip
DING_TOKEN, DING_SECRET = "township-robot-token-0001", "SECtownship-signing-secret-0001"
APPID, APPSECRET, TEMPLATE = "wx0000000000000001", "app-secret-0000000000000000000001", "tpl-1"
OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
RESIDENT = {"resident_name": "王大山", "phone": "13912345678", "counterparty": "邻居李四"}


def file(store: CaseStore, **overrides: object) -> str:
    fields: dict[str, object] = {
        "description": "隔壁把院墙砌到俺家宅基地上了",
        "channel": "web",
        "requested": "mediation",
        "dispute_type": "homestead",
        "village_id": "v-qsw",
        "village_name": "青石湾村",
        **RESIDENT,
    }
    fields.update(overrides)
    return store.create(CaseIntake(**fields)).number  # type: ignore[arg-type]


@pytest.fixture
def store(database_url: str) -> CaseStore:
    store = CaseStore(database_url)
    with store.session() as session:
        mediator = add_user(session, username="med-a", role="mediator", password="correct horse", display_name="张调解")
        add_roster_entry(session, user=mediator, handler_role="mediator", village_id="v-qsw", township="青山镇")
        session.commit()
    return store


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path, database_url=database_url)


@pytest.fixture
def senders(providers: Providers) -> Iterator[Senders]:
    providers.wecom_keys.update(KEYS[k] for k in ("village", "county", "other", "lawyer", "town2"))
    providers.dingtalk_robots[DING_TOKEN] = DING_SECRET
    providers.wechat_accounts[APPID] = APPSECRET
    providers.wechat_followers.add(OPENID)
    with httpx.Client() as http:
        yield Senders(
            wecom=WeComSender(http),
            dingtalk=DingTalkSender(http),
            webhook=WebhookSender(http),
            wechat_template=WeChatTemplateSender(
                APPID, APPSECRET, TEMPLATE, api_base_url=f"{providers.base_url}/cgi-bin/"
            ),
        )


def wecom(providers: Providers, name: str) -> str:
    return f"{providers.base_url}/cgi-bin/webhook/send?key={KEYS[name]}"


def channels(store: CaseStore, providers: Providers) -> dict[str, int]:
    """The county's set-up: a village's mediators, the township's group for every role, the county duty
    group for emergencies, and channels that must NOT get the village's mediator cases."""
    specs = {
        "village": ("village:v-qsw", "mediator", "wecom", wecom(providers, "village"), None, True),
        "township": ("township:青山镇", "*", "dingtalk", f"{providers.base_url}/robot/send?access_token={DING_TOKEN}",
                     DING_SECRET, True),
        "county": ("county", "emergency", "wecom", wecom(providers, "county"), None, True),
        "other": ("village:v-other", "mediator", "wecom", wecom(providers, "other"), None, True),
        "lawyer": ("village:v-qsw", "lawyer", "wecom", wecom(providers, "lawyer"), None, True),
        "town2": ("township:白水镇", "*", "wecom", wecom(providers, "town2"), None, True),
        "off": ("village:v-qsw", "mediator", "wecom", wecom(providers, "village"), None, False),
        "adviser": ("village:v-qsw", "mediator", "wechat_template", OPENID, None, True),
    }  # fmt: skip
    ids = {}
    with store.session() as session:
        for name, (scope, role, kind, target, secret, enabled) in specs.items():
            channel = add_channel(session, scope=scope, role=role, kind=kind, target=target, secret=secret,
                                  name=name, enabled=enabled, actor="test")  # fmt: skip
            ids[name] = channel.id
        session.commit()
    return ids


def wecom_keys_reached(providers: Providers) -> list[str]:
    return [r.query["key"] for r in providers.of("/cgi-bin/webhook/send")]


def messages(store: CaseStore) -> list[OutboxMessage]:
    with store.session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def round_(store: CaseStore, settings: Settings, senders: Senders, now: datetime | None = None) -> dict | None:
    with store.session() as session:
        return deliver_due(session, settings, now=now, senders=senders)


def test_a_mediator_case_reaches_its_village_township_and_wechat_channels_only(
    store: CaseStore, settings: Settings, senders: Senders, providers: Providers
) -> None:
    ids = channels(store, providers)
    number = file(store)
    assert round_(store, settings, senders) == {"sent": 1, "retry": 0, "failed": 0}
    assert wecom_keys_reached(providers) == [KEYS["village"]]  # not another village's, the lawyers', the disabled one
    (ding,) = providers.of("/robot/send")
    assert number in ding.json()["markdown"]["title"] and "青山镇" in ding.json()["markdown"]["text"]
    (template,) = providers.of("/cgi-bin/message/template/send")
    assert template.json()["touser"] == OPENID and template.json()["data"]["keyword1"]["value"] == number
    with store.session() as session:
        answered = {d.channel_key: d.status for d in session.scalars(select(NotifyDelivery))}
    assert answered == {f"channel:{ids[n]}": "sent" for n in ("village", "township", "adviser")}
    # The groups are told what to do and by when, never who the resident is or what they said.
    for request in providers.requests:
        body = request.body.decode("utf-8")
        assert all(value not in body for value in (*RESIDENT.values(), "院墙", "5678"))


def test_an_emergency_reaches_the_county_duty_group_and_the_township_not_the_village_mediators(
    store: CaseStore, settings: Settings, senders: Senders, providers: Providers
) -> None:
    channels(store, providers)
    file(store, requested="emergency", risk_level="emergency", dispute_type="neighbor")
    (message,) = messages(store)
    assert message.topic == "emergency_case"
    assert round_(store, settings, senders) == {"sent": 1, "retry": 0, "failed": 0}
    assert wecom_keys_reached(providers) == [KEYS["county"]]
    assert "紧急求助" in providers.of("/robot/send")[0].json()["markdown"]["title"]
    assert providers.of("/cgi-bin/message/template/send") == []


def test_a_rate_limited_channel_is_retried_alone_after_the_backoff(
    store: CaseStore, settings: Settings, senders: Senders, providers: Providers
) -> None:
    ids = channels(store, providers)
    providers.script(KEYS["village"], (200, {"errcode": 45009, "errmsg": "api freq out of limit"}))
    file(store)
    assert round_(store, settings, senders) == {"sent": 0, "retry": 1, "failed": 0}
    (message,) = messages(store)
    assert message.status == "pending" and message.attempts == 1
    assert f"channel:{ids['village']}" in message.last_error and "[45009]" in message.last_error
    assert KEYS["village"] not in message.last_error and "***" in message.last_error
    assert round_(store, settings, senders) == {"sent": 0, "retry": 0, "failed": 0}  # not due yet

    later = datetime.now(timezone.utc) + outbox.backoff(1) + timedelta(seconds=1)
    assert round_(store, settings, senders, now=later) == {"sent": 1, "retry": 0, "failed": 0}
    assert wecom_keys_reached(providers) == [KEYS["village"], KEYS["village"]]
    assert len(providers.of("/robot/send")) == 1  # the township group got it once, not twice
    assert len(providers.of("/cgi-bin/message/template/send")) == 1
    (message,) = messages(store)
    assert (message.status, message.last_error, message.attempts) == ("sent", None, 2)


def test_server_errors_are_retried_until_the_outbox_gives_up(
    store: CaseStore, settings: Settings, senders: Senders, providers: Providers
) -> None:
    with store.session() as session:
        add_channel(session, scope="village:v-qsw", role="*", kind="wecom", target=wecom(providers, "village"),
                    actor="test")  # fmt: skip
        session.commit()
    providers.script(KEYS["village"], *[(500, {"error": "busy"})] * outbox.MAX_ATTEMPTS)
    file(store)
    when = datetime.now(timezone.utc)
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        counts = round_(store, settings, senders, now=when)
        assert counts == ({"sent": 0, "retry": 1, "failed": 0} if attempt < outbox.MAX_ATTEMPTS else
                          {"sent": 0, "retry": 0, "failed": 1})  # fmt: skip
        when += outbox.MAX_DELAY
    (message,) = messages(store)
    assert message.status == "failed" and "http_500" in message.last_error


def test_a_channel_refusing_for_good_does_not_hold_back_the_others(
    store: CaseStore, settings: Settings, senders: Senders, providers: Providers
) -> None:
    ids = channels(store, providers)
    with store.session() as session:
        dead = add_channel(session, scope="village:v-qsw", role="*", kind="wecom", target=wecom(providers, "dead"),
                           actor="test")  # fmt: skip
        session.commit()
        dead_id = dead.id
    file(store)
    assert round_(store, settings, senders) == {"sent": 1, "retry": 0, "failed": 0}
    (message,) = messages(store)
    assert message.status == "sent"
    assert f"refused for good by channel:{dead_id}" in message.last_error and "[93000]" in message.last_error
    assert KEYS["dead"] not in message.last_error
    with store.session() as session:
        rows = {d.channel_key: (d.status, d.code) for d in session.scalars(select(NotifyDelivery))}
    assert rows[f"channel:{dead_id}"] == ("failed", "93000") and rows[f"channel:{ids['village']}"] == ("sent", None)


def test_a_message_every_channel_refuses_fails_at_once(
    store: CaseStore, settings: Settings, senders: Senders, providers: Providers
) -> None:
    with store.session() as session:
        add_channel(session, scope="county", role="*", kind="dingtalk", actor="test",
                    target=f"{providers.base_url}/robot/send?access_token={DING_TOKEN}", secret="SECthe-wrong-secret")  # fmt: skip
        session.commit()
    file(store)
    assert round_(store, settings, senders) == {"sent": 0, "retry": 0, "failed": 1}
    (message,) = messages(store)
    assert message.status == "failed" and message.attempts == 1 and "[310000]" in message.last_error


def test_a_case_no_channel_covers_waits_and_is_retried(
    store: CaseStore, settings: Settings, senders: Senders, providers: Providers
) -> None:
    channels(store, providers)
    file(store, village_id="v-unknown", village_name="柳河村", requested="lawyer", dispute_type="debt")
    assert round_(store, settings, senders) == {"sent": 0, "retry": 1, "failed": 0}
    (message,) = messages(store)
    assert message.status == "pending" and "no enabled channel" in message.last_error
    assert providers.requests == []
    with store.session() as session:  # the county adds a catch-all; the waiting case reaches it
        add_channel(session, scope="county", role="*", kind="wecom", target=wecom(providers, "county"), actor="t")
        session.commit()
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    assert round_(store, settings, senders, now=later) == {"sent": 1, "retry": 0, "failed": 0}
    assert wecom_keys_reached(providers) == [KEYS["county"]]


def test_the_township_comes_from_the_rosters(
    store: CaseStore, settings: Settings, senders: Senders, providers: Providers
) -> None:
    channels(store, providers)
    with store.session() as session:
        other = add_user(session, username="med-b", role="mediator", password="correct horse", display_name="赵调解")
        add_roster_entry(session, user=other, handler_role="mediator", village_id="v-bsz", township="白水镇")
        session.commit()
    file(store, village_id="v-bsz", village_name="白石嘴村")
    round_(store, settings, senders)
    assert wecom_keys_reached(providers) == [KEYS["town2"]]
    assert providers.of("/robot/send") == []  # 青山镇's group is not 白水镇's


def test_no_channel_and_no_webhook_leaves_messages_waiting(
    store: CaseStore, settings: Settings, senders: Senders
) -> None:
    file(store)
    assert round_(store, settings, senders) is None
    (message,) = messages(store)
    assert (message.status, message.attempts) == ("pending", 0)


def test_the_plain_webhook_still_gets_every_message_as_before(
    store: CaseStore, tmp_path: Path, database_url: str, senders: Senders, providers: Providers
) -> None:
    providers.webhook_secrets["/legacy"] = ""
    settings = Settings(data_dir=tmp_path, database_url=database_url,
                        notify_webhook_url=f"{providers.base_url}/legacy")  # fmt: skip
    with store.session() as session:
        add_channel(session, scope="county", role="*", kind="wecom", target=wecom(providers, "county"), actor="t")
        outbox.enqueue(session, topic="resident_code", recipient="13912345678",
                       payload={"case_id": "2026-QSW-000001", "via": "sms", "text": "验证码123456"})  # fmt: skip
        session.commit()
    assert round_(store, settings, senders) == {"sent": 1, "retry": 0, "failed": 0}
    (legacy,) = providers.of("/legacy")
    (message,) = messages(store)
    assert legacy.json() == {"id": message.id, "topic": "resident_code", "recipient": "13912345678",
                             "case_id": "2026-QSW-000001", "via": "sms", "text": "验证码123456"}  # fmt: skip
    assert "x-cunfa-signature" not in legacy.headers
    assert providers.of("/cgi-bin/webhook/send") == []  # a resident's code never goes to a staff group


def test_the_plain_webhook_can_be_signed(
    store: CaseStore, tmp_path: Path, database_url: str, senders: Senders, providers: Providers
) -> None:
    providers.webhook_secrets["/legacy"] = "legacy-secret-0000000000000001"
    settings = Settings(data_dir=tmp_path, database_url=database_url, notify_webhook_url=f"{providers.base_url}/legacy",
                        notify_webhook_secret="legacy-secret-0000000000000001")  # fmt: skip
    number = file(store)
    assert round_(store, settings, senders) == {"sent": 1, "retry": 0, "failed": 0}  # the receiver checked it
    body = providers.of("/legacy")[0].json()
    assert body["case_id"] == number and body["topic"] == "case_received" and isinstance(body["timestamp"], int)


def test_the_background_round_delivers_through_the_configured_channels(
    store: CaseStore, settings: Settings, providers: Providers
) -> None:
    providers.wecom_keys.add(KEYS["village"])
    with store.session() as session:
        add_channel(session, scope="village:v-qsw", role="mediator", kind="wecom", target=wecom(providers, "village"),
                    actor="t")  # fmt: skip
        session.commit()
    file(store)
    one_round(SimpleNamespace(settings=settings, case_store=lambda: store), None, None)
    assert wecom_keys_reached(providers) == [KEYS["village"]]
    assert messages(store)[0].status == "sent"


def test_targets_and_secrets_are_encrypted_at_rest_and_rotated(
    store: CaseStore, settings: Settings, providers: Providers
) -> None:
    with store.session() as session:
        add_channel(session, scope="township:青山镇", role="*", kind="dingtalk", secret=DING_SECRET, actor="t",
                    target=f"{providers.base_url}/robot/send?access_token={DING_TOKEN}")  # fmt: skip
        session.commit()

    def raw() -> tuple[str, str]:
        with store.engine.connect() as connection:
            return tuple(connection.execute(text("SELECT target, secret FROM notify_channels")).one())  # type: ignore[return-value]

    before = raw()
    assert all(value.startswith(crypto.PREFIX) for value in before)
    assert DING_TOKEN not in before[0] and DING_SECRET not in before[1]
    new_key = crypto.new_key()
    try:
        crypto.configure([new_key, TEST_DATA_KEY])
        with store.session() as session:
            rotate_all(session)
        after = raw()
        assert after != before
        crypto.configure([new_key])  # the old key dropped: the channel still opens
        with store.session() as session:
            channel = session.scalars(select(NotifyChannel)).one()
            assert (channel.secret, DING_TOKEN in channel.target) == (DING_SECRET, True)
    finally:
        crypto.configure([TEST_DATA_KEY])


def test_assignments_and_overdue_escalations_are_routed_by_their_case(
    store: CaseStore, settings: Settings, senders: Senders, providers: Providers
) -> None:
    """Their payloads name no village: the case's village (and so its township) is read from the store."""
    from cases.assignment import assign
    from cases.models import Case
    from cases.sla import escalate_overdue

    channels(store, providers)
    number = file(store)
    round_(store, settings, senders)  # case_received
    providers.requests.clear()
    with store.session() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        assign(session, case, actor="admin1")
        session.commit()
    assert round_(store, settings, senders) == {"sent": 1, "retry": 0, "failed": 0}
    assert wecom_keys_reached(providers) == [KEYS["village"]]
    content = providers.of("/cgi-bin/webhook/send")[0].json()["markdown"]["content"]
    assert "案件已分派" in content and "med-a" in content and "青石湾村（青山镇）" in content

    providers.requests.clear()
    later = datetime.now(timezone.utc) + timedelta(days=2)
    with store.session() as session:
        assert escalate_overdue(session, now=later) == [number]
        session.commit()
    assert round_(store, settings, senders, now=later) == {"sent": 1, "retry": 0, "failed": 0}
    assert "超时未联系" in providers.of("/robot/send")[0].json()["markdown"]["title"]


def test_the_retention_purge_takes_the_delivery_records_with_their_messages(
    store: CaseStore, settings: Settings, senders: Senders, providers: Providers
) -> None:
    from cases.retention import purge

    channels(store, providers)
    file(store)
    round_(store, settings, senders)
    later = datetime.now(timezone.utc) + timedelta(days=60)
    with store.session() as session:
        assert session.scalars(select(NotifyDelivery)).first() is not None
        assert purge(session, now=later, conversation_days=30, closed_case_days=1095).notifications_deleted == 1
        session.commit()
        assert session.scalars(select(NotifyDelivery)).first() is None
