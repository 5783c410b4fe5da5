"""Two Rasa servers and two action servers, one PostgreSQL tracker store, one Redis lock store.

The turns of each conversation are sent to the two Rasa servers in alternation (and, in one
check, to both at the same moment). Consistency means: every intake form runs to the end as
if one server had handled it, each files exactly one case with the facts given across both
servers, and the tracker read from either server is the same.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from cases import CaseStore
from cunfa.settings import PROJECT_ROOT
from tests.aio import run_async
from tests.conftest import POSTGRES_URL, _postgres_reachable
from tests.e2e.conftest import START_TIMEOUT_S, Stack, children_of, launch_stack, redis_reachable, stop_stack
from tests.e2e.intake import asked

pytestmark = pytest.mark.integration

TOKEN = "scale-out-test-token"


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, list[str]]]:
    # Like .ci/run does for PostgreSQL: use the machine's Redis, or install and start one (root, Debian).
    subprocess.run(["bash", "scripts/ensure_redis.sh"], cwd=PROJECT_ROOT, check=False)
    reason = _postgres_reachable(POSTGRES_URL)
    if reason or not redis_reachable():
        pytest.skip(f"scale-out needs PostgreSQL and Redis on their local ports ({reason or 'no Redis'})")
    database = f"cunfa_scale_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{database}"'))
    url = sa.engine.make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)
    stack = launch_stack(
        tmp_path_factory.mktemp("scaled"),
        {
            "CUNFA_REPLICAS": "2",
            "CUNFA_DATABASE_URL": url,
            "CUNFA_LOCK_STORE_URL": "redis://127.0.0.1:6379/12",
            "CUNFA_RASA_TOKEN": TOKEN,
        },
    )
    try:
        stack.wait_ready(START_TIMEOUT_S)
        rasa_port = int(stack.env["CUNFA_RASA_PORT"])
        yield stack, [f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{rasa_port + 1}"]
    finally:
        stop_stack(stack)
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def test_five_processes_run(scaled) -> None:
    stack, _ = scaled
    commands = [_cmdline(p) for p in children_of(stack.process.pid)]
    assert sum("rasa_sdk" in c for c in commands) == 2
    assert sum(" run --enable-api" in c for c in commands) == 2
    assert sum("uvicorn" in c for c in commands) == 1


async def _say(client: httpx.AsyncClient, rasa: str, sender: str, text: str) -> str:
    response = await client.post(f"{rasa}/webhooks/rest/webhook", json={"sender": sender, "message": text})
    response.raise_for_status()
    return "\n".join(m.get("text") or (m.get("custom") or {}).get("text", "") for m in response.json())


NAMES = ["王大山", "李秀英", "张建国", "刘桂兰", "陈志强", "杨小红"]
OTHERS = ["邻居李四", "隔壁老赵", "邻居孙二", "对门周家", "邻居吴三", "隔壁郑家"]


async def _intake(client: httpx.AsyncClient, servers: list[str], n: int) -> tuple[str, str]:
    """One resident, alternating servers turn by turn, answering whatever the form asks from their facts."""
    sender = f"web:scale-{n}-{uuid.uuid4().hex[:8]}"
    facts = {"name": NAMES[n], "phone": f"1391234{n:04d}", "village": "青石湾村", "dispute_type": "邻里",
             "description": "俺家门口的路叫堵了，吵了好几回", "counterparty": OTHERS[n], "readback": "/affirm"}  # fmt: skip
    last = await _say(client, servers[n % 2], sender, "我想找调解员")
    for i in range(1, 12):
        field = asked(last)
        assert field is not None, f"the form asked nothing it can answer: {last}"
        last = await _say(client, servers[(i + n) % 2], sender, facts[field])
        if field == "readback":
            break
    return sender, last


def test_interleaved_intakes_stay_consistent(scaled) -> None:
    stack, servers = scaled

    async def run() -> list[tuple[str, str]]:
        async with httpx.AsyncClient(timeout=60) as client:
            return await asyncio.gather(*(_intake(client, servers, n) for n in range(6)))

    results = run_async(run())
    store = CaseStore(stack.database_url)
    with httpx.Client(timeout=30) as client:
        for n, (sender, last) in enumerate(results):
            assert "编号" in last, f"conversation {n} did not reach its case number:\n{last}"
            number = next(word for word in last.replace("：", " ").replace("，", " ").split() if word.startswith("20"))
            case = store.get(number.strip("（）。"))
            assert case.resident_name == NAMES[n] and case.resident_phone == f"1391234{n:04d}"
            assert case.counterparty == OTHERS[n] and case.dispute_type == "neighbor"
            trackers = [
                client.get(f"{s}/conversations/{sender}/tracker", params={"token": TOKEN}).json() for s in servers
            ]
            assert trackers[0]["events"] == trackers[1]["events"]
            user_texts = [e["text"] for e in trackers[0]["events"] if e["event"] == "user"]
            assert 5 <= len(user_texts) <= 12 and user_texts[-1] == "/affirm"


def test_simultaneous_turns_of_one_conversation_are_serialised(scaled) -> None:
    """Both servers get a turn of the same conversation at once; the Redis lock orders them."""
    _, servers = scaled
    sender = f"web:scale-race-{os.getpid()}"

    async def run() -> list[dict]:
        async with httpx.AsyncClient(timeout=60) as client:
            await _say(client, servers[0], sender, "你好")
            await asyncio.gather(
                _say(client, servers[0], sender, "宅基地纠纷怎么解决"), _say(client, servers[1], sender, "谢谢")
            )
            tracker = await client.get(f"{servers[1]}/conversations/{sender}/tracker", params={"token": TOKEN})
            return tracker.json()["events"]

    events = run_async(run())
    kinds = [e["event"] for e in events if e["event"] in ("user", "bot")]
    assert kinds.count("user") == 3
    # Each user message is answered before the next one is read: no interleaving inside a turn.
    first_user = [i for i, k in enumerate(kinds) if k == "user"]
    for a, b in zip(first_user, first_user[1:], strict=False):
        assert "bot" in kinds[a:b], f"turns overlapped: {kinds}"


def test_the_gateway_spreads_turns_over_both_servers(scaled) -> None:
    stack, _ = scaled
    with stack.client() as client:
        user = uuid.uuid4().hex
        turns = ("我要找律师", "包工头欠了俺三万块工钱 人找不着了")
        bodies = [client.post("/v1/chat", json={"user_id": user, "text": t}).json() for t in turns]
    assert bodies[0]["intent"]["name"] == "request_lawyer"
    second = "\n".join(reply["text"] for reply in bodies[1]["replies"])
    # The story answered the form's first question; the other server asks for the next thing the case needs.
    assert asked(second) in ("name", "phone", "village", "counterparty"), second
