"""The supervisor restarts a crashed child and stops every child on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from tests.e2e.conftest import Stack, children_of

pytestmark = pytest.mark.integration


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


def test_crashed_action_server_is_restarted_and_the_outage_is_answered(stack: Stack) -> None:
    """While the action server is down, a legal question is still answered from the index and
    a cry for help still gets 110; neither turn is a 500 or silence."""
    from tests.e2e.test_chat_flow import chat

    [actions] = [p for p in children_of(stack.process.pid) if "rasa_sdk" in _cmdline(p)]
    os.kill(actions, signal.SIGKILL)
    question = chat(stack, "土地承包合同到期了，村里要把地收回去，合法吗", user=f"fault-q-{os.getpid()}")
    assert question["replies"] and question["replies"][0]["text"].strip()
    assert question["degraded"] is True
    danger = chat(stack, "他拿着刀在我家门口说要砍死我", user=f"fault-e-{os.getpid()}", channel="hotline")
    assert danger["risk_level"] == "emergency"
    assert "110" in danger["replies"][0]["text"]
    time.sleep(1)
    stack.wait_ready(120)
    [again] = [p for p in children_of(stack.process.pid) if "rasa_sdk" in _cmdline(p)]
    assert again != actions


@pytest.mark.stops_stack
def test_sigterm_stops_every_child(stack: Stack) -> None:
    children = children_of(stack.process.pid)
    assert len(children) == 3
    stack.process.send_signal(signal.SIGTERM)
    assert stack.process.wait(timeout=45) == 0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(os.path.exists(f"/proc/{p}") for p in children):
        time.sleep(0.2)
    alive = [p for p in children if os.path.exists(f"/proc/{p}") and _state(p) != "Z"]
    assert alive == []


def _state(pid: int) -> str:
    out = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True).stdout.strip()
    return out[:1]


def test_conversation_survives_a_rasa_restart(stack: Stack) -> None:
    """Trackers live in the SQL store, so a crashed Rasa comes back knowing the conversation."""
    from tests.e2e.test_chat_flow import chat

    user = "restart-" + str(os.getpid())
    assert chat(stack, "他拿着刀说要砍死我", user=user, channel="hotline")["risk_level"] == "emergency"
    [rasa] = [p for p in children_of(stack.process.pid) if " run --enable-api" in _cmdline(p)]
    os.kill(rasa, signal.SIGKILL)
    during = chat(stack, "他拿着刀说要砍死我", user=user + "-b", channel="hotline")
    assert during["degraded"] is True and "110" in during["replies"][0]["text"]
    time.sleep(1)
    stack.wait_ready(300)
    assert chat(stack, "你好", user=user, channel="hotline")["risk_level"] == "emergency"
