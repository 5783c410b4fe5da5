"""Talking to a running stack the way residents and hotline agents do, for the benchmarks."""

from __future__ import annotations

import subprocess
import sys
import uuid

import httpx
from stack import RunningStack

PASSWORD = "bench-agent-password"


class StackClient:
    """Chat as a resident (``POST /v1/chat``) and assist as a hotline agent (``POST /v1/assist``)."""

    def __init__(self, stack: RunningStack) -> None:
        self.stack = stack
        self.http = httpx.Client(base_url=stack.api_url, timeout=60)
        self._token: str | None = None

    def token(self) -> str:
        """A hotline agent's token, created in the stack's own database on first use."""
        if self._token is None:
            name = f"bench-agent-{uuid.uuid4().hex[:8]}"
            subprocess.run(
                [sys.executable, "-m", "cunfa.cli", "users", "add", "--username", name, "--role", "hotline",
                 "--password-stdin"],
                input=f"{PASSWORD}\n", text=True, env=self.stack.env, check=True, capture_output=True,
            )  # fmt: skip
            response = self.http.post("/v1/auth/token", json={"username": name, "password": PASSWORD})
            response.raise_for_status()
            self._token = response.json()["access_token"]
        return self._token

    def chat(self, user: str, text: str) -> dict:
        response = self.http.post("/v1/chat", json={"user_id": user, "text": text, "channel": "web"})
        response.raise_for_status()
        return response.json()

    def assist(self, call_id: str, lines: list[tuple[str, str]]) -> dict:
        body = {"call_id": call_id, "transcript": [{"speaker": s, "text": t} for s, t in lines]}
        response = self.http.post("/v1/assist", json=body, headers={"Authorization": f"Bearer {self.token()}"})
        response.raise_for_status()
        return response.json()

    # --- what the risk benchmark asks ---------------------------------------------------------------

    def chat_level(self, text: str) -> str:
        """The level a fresh chat conversation reports for one message."""
        return self.chat(f"risk-{uuid.uuid4().hex[:12]}", text)["risk_level"]

    def assist_level(self, text: str) -> str:
        """The level a fresh call reports for one caller line."""
        return self.assist(f"risk-{uuid.uuid4().hex[:12]}", [("caller", text)])["risk_level"]

    def chat_conversation(self, conversation: dict) -> list[str]:
        """The level after each turn of a conversation replayed in the chat (agent lines are skipped)."""
        user, level, out = f"risk-{uuid.uuid4().hex[:12]}", "none", []
        for turn in conversation["turns"]:
            if turn["role"] != "agent":
                level = self.chat(user, turn["text"])["risk_level"]
            out.append(level)
        return out

    def assist_call(self, conversation: dict) -> list[str]:
        """The level after each line of a conversation replayed as a call, the transcript growing."""
        call_id, lines, out = f"risk-{uuid.uuid4().hex[:12]}", [], []
        for turn in conversation["turns"]:
            speaker = "agent" if turn["role"] == "agent" else "caller"
            lines.append((speaker, turn["text"]))
            out.append(self.assist(call_id, lines)["risk_level"])
        return out
