"""The Rasa-side measures that make a turn cheaper must not change what Rasa does."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.pool import QueuePool

import rasa_components  # noqa: F401  (installs the hot paths, as the Rasa server does)
from rasa_components.hot_paths import resolve_event_type, validate_action_result
from rasa_components.tracker_store import CunfaSQLTrackerStore
from tests.aio import run_async

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet]
slots:
  risk_level:
    type: text
    mappings: [{type: custom}]
"""
)


def test_rasa_uses_the_cached_validator() -> None:
    assert RemoteAction._validate_action_result is validate_action_result


def test_valid_responses_pass_and_bad_ones_fail_as_before() -> None:
    action = RemoteAction("action_x", None)
    good = {"events": [{"event": "slot", "name": "risk_level", "value": "high"}], "responses": [{"text": "好"}]}
    assert action._validate_action_result(good) is True
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": [{"event": "no_such_event"}], "responses": []})
    with pytest.raises(ValidationError):
        action._validate_action_result({"events": "not a list"})


def test_sqlite_tracker_store_is_pooled_tuned_and_keeps_conversations(tmp_path: Path) -> None:
    path = tmp_path / "trackers.db"
    store = CunfaSQLTrackerStore(domain=DOMAIN, host=f"sqlite:///{path}")
    assert isinstance(store.engine.pool, QueuePool)
    tracker = DialogueStateTracker.from_events(
        "web:abc",
        [ActionExecuted("action_listen"), UserUttered("你好", {"name": "greet"}), SlotSet("risk_level", "high")],
        slots=DOMAIN.slots,
    )
    run_async(store.save(tracker))
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL

    # A second store on the same file (another process, or Rasa after a restart) sees it all.
    again = run_async(SQLTrackerStore(domain=DOMAIN, host=f"sqlite:///{path}").retrieve("web:abc"))
    assert again is not None and again.get_slot("risk_level") == "high"
    assert again.latest_message.text == "你好"
    assert sqlite3.connect(path).execute("select count(*) from events").fetchone()[0] == 3


def test_event_types_resolve_as_before() -> None:
    from rasa.shared.core.events import Event, SessionStarted

    assert Event.resolve_by_type is resolve_event_type
    assert Event.resolve_by_type("slot") is SlotSet
    assert Event.resolve_by_type("session_started") is SessionStarted
    assert Event.resolve_by_type("user") is UserUttered and Event.resolve_by_type("user") is UserUttered
    assert Event.resolve_by_type("no_such_event", SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    assert Event.from_parameters({"event": "slot", "name": "risk_level", "value": "low"}) == SlotSet(
        "risk_level", "low"
    )


@contextlib.asynccontextmanager
async def action_server(handler):  # an aiohttp handler; yields the webhook URL
    """A real HTTP server on a free port, standing in for the action server's webhook."""
    from aiohttp import web

    app = web.Application()
    app.router.add_post("/webhook", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/webhook"
    finally:
        await runner.cleanup()


def test_endpoint_requests_keep_their_contract_and_reuse_one_connection() -> None:
    from aiohttp import web
    from rasa.utils.endpoints import ClientResponseError, EndpointConfig

    from rasa_components.hot_paths import endpoint_request

    assert EndpointConfig.request is endpoint_request
    peers: list[tuple[str, int]] = []
    seen: list[tuple[dict, dict, str]] = []

    async def webhook(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername"))
        body = await request.json()
        seen.append((body, dict(request.query), request.headers.get("Content-Type", "")))
        if body.get("fail"):
            return web.Response(status=422, text="nope")
        return web.json_response({"events": [], "responses": [{"text": body["tracker"]["text"]}]})

    async def scenario() -> list:
        async with action_server(webhook) as url:
            endpoint = EndpointConfig(url, token="s3cret")
            first = await endpoint.request(json={"tracker": {"text": "俺家地被收了 / 咋办"}}, method="post")
            second = await endpoint.request(json={"tracker": {"text": "第二句\ud800"}}, method="post")
            with pytest.raises(ClientResponseError) as failed:
                await endpoint.request(json={"fail": True}, method="post")
            return [first, second, failed.value]

    first, second, failed = run_async(scenario())
    assert first["responses"][0]["text"] == "俺家地被收了 / 咋办"
    assert second["responses"][0]["text"] == "第二句\ud800"  # a lone surrogate still travels, escaped
    assert failed.status == 422 and failed.text == b"nope"
    assert all(query == {"token": "s3cret"} and kind == "application/json" for _, query, kind in seen)
    assert len(set(peers)) == 1, "every call opened a new connection"


def test_saving_a_read_tracker_writes_only_its_new_events_without_counting(tmp_path: Path) -> None:
    import sqlalchemy as sa

    path = tmp_path / "trackers.db"
    store = CunfaSQLTrackerStore(domain=DOMAIN, host=f"sqlite:///{path}")
    built = DialogueStateTracker.from_events("web:b", [ActionExecuted("action_listen")], slots=DOMAIN.slots)
    run_async(store.save(built))  # a tracker the store never read: counted the way Rasa counts
    run_async(store.save(built))
    statements: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *a: statements.append(a[2].lower()))
    run_async(store.get_or_create_tracker("web:t"))  # read none back, so created and saved
    for turn, level in enumerate(("low", "high")):
        tracker = run_async(store.retrieve("web:t"))
        tracker.update(UserUttered(f"第{turn}句", {"name": "greet"}))
        tracker.update(SlotSet("risk_level", level))
        run_async(store.save(tracker))
        tracker.update(ActionExecuted("action_listen"))
        run_async(store.save(tracker))  # saved twice: the second save adds only the new event
    assert not [s for s in statements if "count(" in s]
    rows = (
        sqlite3.connect(path).execute("select type_name from events where sender_id = 'web:t' order by id").fetchall()
    )
    assert sqlite3.connect(path).execute("select count(*) from events where sender_id = 'web:b'").fetchone()[0] == 1
    assert [r[0] for r in rows] == ["action", "user", "slot", "action", "user", "slot", "action"]
    again = run_async(SQLTrackerStore(domain=DOMAIN, host=f"sqlite:///{path}").retrieve("web:t"))
    assert again.get_slot("risk_level") == "high" and again.latest_message.text == "第1句"


def test_messages_are_understood_off_the_event_loop_with_rasas_own_follow_up() -> None:
    import threading

    from rasa.core.channels.channel import UserMessage
    from rasa.core.processor import MessageProcessor

    from rasa_components.hot_paths import parse_message

    assert MessageProcessor.parse_message is parse_message
    threads: list[str] = []

    class Processor:
        http_interpreter = None
        domain = DOMAIN
        _update_full_retrieval_intent = MessageProcessor._update_full_retrieval_intent
        _check_for_unseen_features = MessageProcessor._check_for_unseen_features

        def _parse_message_with_graph(self, message, tracker, only_output_properties=True):
            threads.append(threading.current_thread().name)
            assert tracker.sender_id == message.sender_id
            return {"text": message.text, "intent": {"name": "greet", "confidence": 0.9}, "entities": []}

    async def both() -> list[dict]:
        loop_thread = threading.current_thread().name
        parsed = [await parse_message(Processor(), UserMessage("你好", sender_id="web:p")) for _ in range(2)]
        assert loop_thread not in threads
        return parsed

    parsed = run_async(both())
    assert parsed == [{"text": "你好", "intent": {"name": "greet", "confidence": 0.9}, "entities": []}] * 2
    assert threads and all(name.startswith("cunfa-nlu") for name in threads) and len(set(threads)) == 1
    with pytest.warns(UserWarning, match="not defined in the domain"):  # Rasa's own check still runs

        class Unknown(Processor):
            def _parse_message_with_graph(self, message, tracker, only_output_properties=True):
                return {"text": message.text, "intent": {"name": "no_such_intent", "confidence": 1.0}, "entities": []}

        run_async(parse_message(Unknown(), UserMessage("啥", sender_id="web:q")))


def test_idle_connections_are_dropped_before_the_server_drops_them(monkeypatch) -> None:
    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    from rasa_components import hot_paths

    assert hot_paths.KEEPALIVE_S < 5  # Sanic's keep-alive timeout on the action server
    monkeypatch.setattr(hot_paths, "KEEPALIVE_S", 0.2)
    peers: list[tuple[str, int]] = []

    async def webhook(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername"))
        return web.json_response({"events": [], "responses": []})

    async def scenario() -> None:
        async with action_server(webhook) as url:
            endpoint = EndpointConfig(url)
            try:
                for pause in (0.0, 0.0, 0.6):
                    await asyncio.sleep(pause)
                    await endpoint.request(json={}, method="post")
            finally:
                await hot_paths.close_shared_session()

    run_async(scenario())
    assert peers[0] == peers[1] and peers[2] != peers[1]


def test_the_tracker_store_keeps_what_residents_said_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "trackers.db"
    store = CunfaSQLTrackerStore(domain=DOMAIN, host=f"sqlite:///{path}")
    tracker = DialogueStateTracker.from_events(
        "web:pii", [ActionExecuted("action_listen"), UserUttered("俺叫张桂芝 电话13912345678", {"name": "inform"})],
        slots=DOMAIN.slots,
    )  # fmt: skip
    run_async(store.save(tracker))
    rows = [r[0] for r in sqlite3.connect(path).execute("select data from events")]
    assert rows and all(r.startswith("enc1:") for r in rows)
    assert not any("13912345678" in r or "张桂芝" in r for r in rows)
    again = run_async(CunfaSQLTrackerStore(domain=DOMAIN, host=f"sqlite:///{path}").retrieve("web:pii"))
    assert again.latest_message.text == "俺叫张桂芝 电话13912345678"
    run_async(store.save(again))  # reading and saving again never writes the clear text back
    assert not any("张桂芝" in r[0] for r in sqlite3.connect(path).execute("select data from events"))


def test_the_speed_ups_refuse_a_rasa_release_they_were_not_written_for(monkeypatch, caplog) -> None:
    from rasa.core.processor import MessageProcessor
    from rasa.utils.endpoints import EndpointConfig

    from rasa_components import hot_paths

    monkeypatch.setattr(EndpointConfig, "request", "rasa's own")
    monkeypatch.setattr(MessageProcessor, "parse_message", "rasa's own")
    with caplog.at_level("ERROR"):
        assert hot_paths.install("3.7.0") is False
    assert EndpointConfig.request == "rasa's own" and MessageProcessor.parse_message == "rasa's own"
    assert "written for Rasa 3.6.21, but Rasa 3.7.0 is installed" in caplog.text
    assert hot_paths.install() is True
    assert EndpointConfig.request is hot_paths.endpoint_request
