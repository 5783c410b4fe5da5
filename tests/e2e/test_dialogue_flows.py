"""One end-to-end test per dialogue flow, through POST /v1/chat with Rasa and the action server running."""

from __future__ import annotations

import uuid

import pytest

from cases import CaseStore
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.integration


class Conversation:
    def __init__(self, stack: Stack, channel: str = "wechat", village_id: str | None = None) -> None:
        self.stack = stack
        self.user = uuid.uuid4().hex
        self.channel = channel
        self.village_id = village_id

    def say(self, text: str) -> dict:
        body = {"user_id": self.user, "text": text, "channel": self.channel}
        if self.village_id:
            body["village_id"] = self.village_id
        with self.stack.client() as client:
            response = client.post("/v1/chat", json=body)
        assert response.status_code == 200, response.text
        return response.json()


def text_of(body: dict) -> str:
    return "\n".join(reply["text"] for reply in body["replies"])


def store(stack: Stack) -> CaseStore:
    return CaseStore(stack.database_url)


def test_case_status_needs_number_and_last_four_digits(stack: Stack) -> None:
    from tests.e2e.intake import Resident

    resident = Resident(
        Conversation(stack),
        {"name": "周建国", "phone": "13512346789", "village": "东滩村", "dispute_type": "借钱不还",
         "description": "去年借给同村人两万块一直不还", "counterparty": "同村刘某"},
    )  # fmt: skip
    number = resident.file("我要找律师")["case"]["case_id"]
    stranger = Conversation(stack)
    assert stranger.say("我的案子办得咋样了")["intent"]["name"] == "check_case_status"
    assert "后四位" in text_of(stranger.say(number))
    wrong = text_of(stranger.say("0000"))
    assert "没有查到" in wrong and "借" not in wrong
    owner = Conversation(stack)
    owner.say("查一下进度")
    owner.say(f"编号是{number}")
    right = text_of(owner.say("6789"))
    assert number in right and "已受理" in right and "村法律顾问" in right and "周建国" not in right


def test_unclear_question_gets_a_clarifying_question_with_topics(stack: Stack) -> None:
    talk = Conversation(stack)
    body = talk.say("我想问个法律上的事")
    reply = body["replies"][0]
    if body["intent"]["name"] == "ask_legal_question":
        assert reply["citations"] == [] and "哪方面" in reply["text"]
        topics = [b for b in reply["buttons"] if b["payload"].startswith("/ask_legal_question")]
        assert topics
        answer = talk.say(topics[0]["payload"])
        assert answer["replies"][0]["citations"]
    else:  # NLU sent it to the fallback: still a question back, never an answer
        assert body["intent"]["name"] == "nlu_fallback" and reply["buttons"]
