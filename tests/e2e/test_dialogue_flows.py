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


def test_mediation_intake_with_a_correction_files_a_case(stack: Stack) -> None:
    talk = Conversation(stack)
    first = talk.say("俺想找个调解员给评评理")
    assert first["intent"]["name"] == "request_mediation"
    assert "调解员" in text_of(first) and "称呼" in text_of(first)
    assert "电话" in text_of(talk.say("王大山"))
    assert "11位" in text_of(talk.say("12345"))  # not a phone number: asked again
    assert "村" in text_of(talk.say("13912345678"))
    assert "哪方面" in text_of(talk.say("青石湾村"))
    assert "发生了什么" in text_of(talk.say("宅基地"))
    assert "对方" in text_of(talk.say("隔壁把院墙砌到俺家宅基地上了，吵了好几回"))
    summary = talk.say("邻居李四")
    assert "请核对" in text_of(summary) and "13912345678" in text_of(summary)
    assert "电话" in text_of(talk.say("电话写错了"))
    again = talk.say("13800001111")
    assert "13800001111" in text_of(again) and "确认提交" in text_of(again)
    done = talk.say("/affirm")
    assert done["case"] is not None
    number = done["case"]["case_id"]
    assert number in text_of(done) and "24小时" in text_of(done)
    assert done["case"]["handler_role"] == "mediator" and done["case"]["dispute_type"] == "homestead"
    case = store(stack).get(number)
    assert case.resident_name == "王大山" and case.resident_phone == "13800001111"
    assert case.village_id == "sample-qingshiwan" and case.counterparty == "邻居李四"
    assert case.channel == "wechat" and case.context["transcript"]


def test_lawyer_request_can_be_cancelled_and_files_nothing(stack: Stack) -> None:
    talk = Conversation(stack, channel="kiosk")
    assert talk.say("我要找律师")["intent"]["name"] == "request_lawyer"
    body = talk.say("算了")
    assert "已经取消" in text_of(body) and body["case"] is None
    assert talk.say("你好")["intent"]["name"] == "greet"  # the form is over


def test_legal_aid_goes_to_legal_aid(stack: Stack) -> None:
    talk = Conversation(stack, channel="hotline", village_id="sample-dongtan")
    assert talk.say("家里穷请不起律师，能申请法律援助吗")["intent"]["name"] == "legal_aid"
    talk.say("李桂兰")
    village_question = text_of(talk.say("0371-65432100"))
    assert "哪方面" in village_question  # village known from the channel: not asked
    talk.say("欠工钱")
    talk.say("在工地干了半年活，包工头一分钱没给")
    assert "低保户" in text_of(talk.say("包工头张三"))  # the legal-aid pre-check
    summary = text_of(talk.say("是，家里是低保户"))
    assert "经济困难：是" in summary
    done = talk.say("确认提交")
    assert done["case"]["handler_role"] == "legal_aid"
    assert store(stack).get(done["case"]["case_id"]).village_id == "sample-dongtan"


def test_dispute_report_keeps_what_was_already_said(stack: Stack) -> None:
    talk = Conversation(stack)
    first = talk.say("我要反映个事，隔壁天天往俺家院里倒脏水，说了好几次都不听")
    assert first["intent"]["name"] == "report_dispute"
    talk.say("赵老汉")
    talk.say("13698765432")
    after_village = text_of(talk.say("刘家庄"))
    assert "对方" in after_village  # type and description came with the first message
    summary = text_of(talk.say("隔壁孙家"))
    assert "倒脏水" in summary
    done = talk.say("对")
    case = store(stack).get(done["case"]["case_id"])
    assert case.dispute_type == "neighbor" and "倒脏水" in case.description
    assert case.risk_level in ("medium", "high") and case.risk_cues  # repeated conflict is on record


def test_danger_interrupts_an_intake_and_files_an_emergency_case(stack: Stack) -> None:
    talk = Conversation(stack, channel="kiosk", village_id="sample-qingshiwan")
    talk.say("我要找调解员")
    talk.say("王大山")
    body = talk.say("他拿着刀冲过来了说要砍死我")
    assert body["intent"]["name"] == "emergency" and body["risk_level"] == "emergency"
    text = text_of(body)
    assert "110" in text and "120" in text and "镇派出所 0371-12345678" in text
    assert body["case"]["handler_role"] == "emergency"
    case = store(stack).get(body["case"]["case_id"])
    assert case.risk_level == "emergency" and case.resident_name == "王大山"
    after = talk.say("你好")
    assert after["intent"]["name"] == "greet" and after["risk_level"] == "emergency"


def test_case_status_needs_number_and_last_four_digits(stack: Stack) -> None:
    talk = Conversation(stack)
    talk.say("我要找律师")
    for answer in ("周建国", "13512346789", "东滩村", "借钱不还", "去年借给同村人两万块一直不还", "同村刘某"):
        talk.say(answer)
    number = talk.say("确认提交")["case"]["case_id"]
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
