"""Answer first and one risk engine, through the running product (Rasa, action server, API).

The conversations are the ones the answer-first and risk issues were filed with: a villager's
everyday question gets an answer from its matter's guide on the first reply, follow-ups are
answered from that guide, and the same words get the same risk level on the chat and the hotline.
"""

from __future__ import annotations

import subprocess
import sys
import uuid

import httpx
import pytest

from cunfa.settings import PROJECT_ROOT
from knowledge.answer import DISCLAIMER
from knowledge.guides.render import CLARIFY
from tests.e2e.conftest import Stack
from tests.e2e.test_dialogue_flows import Conversation, text_of

pytestmark = pytest.mark.integration

PASSWORD = "hotline-agent-password"


def cited(body: dict) -> list[str]:
    return [c["citation"] for reply in body["replies"] for c in reply["citations"]]


def test_a_wage_question_is_answered_then_followed_up_from_its_guide(stack: Stack) -> None:
    talk = Conversation(stack, channel="web")
    first = talk.say("俺在县城工地上干了八个月 包工头跑了 工钱一分没给 咋整")
    assert first["matter"] == "wage_arrears", first
    assert "包工头" in text_of(first) and DISCLAIMER in text_of(first)
    assert any("保障农民工工资支付条例" in c for c in cited(first)), cited(first)
    buttons = [b["title"] for r in first["replies"] for b in r["buttons"]]
    assert buttons[:2] == ["详细说说", "要准备啥材料"] and "找律师" in buttons

    where = talk.say("那俺该上哪告他去")
    assert "【去哪里、找谁】" in text_of(where) and "劳动" in text_of(where)
    assert where["matter"] == "wage_arrears"

    cost = talk.say("要花钱不")
    assert "【花不花钱】" in text_of(cost) and "不收费" in text_of(cost)

    button = talk.say('/ask_followup{"followup_section": "evidence"}')
    assert "【要准备的材料和证据】" in text_of(button)


def test_a_custody_question_and_its_follow_up(stack: Stack) -> None:
    talk = Conversation(stack, channel="web")
    first = talk.say("俺想跟男人离婚 娃才三岁 法院能把娃判给俺不")
    assert first["matter"] in {"child_custody", "divorce"}, first
    assert cited(first) and "哪方面" not in text_of(first)
    second = talk.say("俺没正经工作 就在家种地 会不会因为这个把娃判给他")
    assert cited(second) and CLARIFY not in text_of(second)
    assert second["matter"] in {"child_custody", "divorce"}


def test_raising_another_matter_changes_the_current_one(stack: Stack) -> None:
    talk = Conversation(stack, channel="web")
    assert talk.say("老板拖欠了俺三个月工资咋整")["matter"] == "wage_arrears"
    moved = talk.say("还有个事 村里要把俺家承包的地收回去 说俺闺女嫁出去了")
    assert moved["matter"] in {"land_contract", "collective_income"}, moved


def test_one_clarifying_question_at_most(stack: Stack) -> None:
    talk = Conversation(stack, channel="web")
    first = talk.say("这种事法律上到底咋规定的")
    assert first["intent"]["name"] == "ask_legal_question" and CLARIFY in text_of(first)
    second = talk.say("就是那个事嘛 法律咋说")
    assert CLARIFY not in text_of(second), "the same clarifying question twice in a row"
    third = talk.say("这种事法律上到底咋规定的")
    assert CLARIFY in text_of(third)  # a new question may be clarified again, once
    answered = talk.say("儿子不给俺养老钱")
    assert answered["matter"] == "elderly_support" and cited(answered)


def test_danger_overrides_the_answer_flow(stack: Stack) -> None:
    talk = Conversation(stack, channel="web")
    talk.say("老板拖欠了俺三个月工资咋整")
    body = talk.say("再不给钱俺就从楼顶跳下去 人已经在楼顶了")
    assert body["risk_level"] == "emergency" and "110" in text_of(body)
    assert body["case"] and body["case"]["handler_role"] == "emergency"
    assert "12356" in text_of(body)  # self-harm: a line for the person, not only a procedure


@pytest.fixture(scope="module")
def agent_token(stack: Stack) -> str:
    name = f"agent-{uuid.uuid4().hex[:8]}"
    subprocess.run(
        [sys.executable, "-m", "cunfa.cli", "users", "add", "--username", name, "--role", "hotline", "--password-stdin"],
        input=f"{PASSWORD}\n", text=True, cwd=PROJECT_ROOT, env=stack.env, check=True, capture_output=True,
    )  # fmt: skip
    with stack.client() as client:
        response = client.post("/v1/auth/token", json={"username": name, "password": PASSWORD})
    response.raise_for_status()
    return response.json()["access_token"]


def assist(client: httpx.Client, token: str, call_id: str, lines: list[tuple[str, str]]) -> dict:
    body = {"call_id": call_id, "transcript": [{"speaker": s, "text": t} for s, t in lines]}
    response = client.post("/v1/assist", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()


TRANSCRIPT = [
    "喂 你好 俺想问问网贷的事",
    "欠了好几个平台 催收的天天打电话给俺家里人",
    "俺在家 俺真撑不住了 农药就在边上 喝了一了百了",
]


@pytest.mark.parametrize(
    "text",
    [
        "俺在家 俺真撑不住了 农药就在边上 喝了一了百了",
        "他喝了酒就打 打了好多回了 身上还青着 派出所给过告诫书",
        "俺是他闺女 叫李秀兰 手机15937651234",
        "俺爹叫车撞了 司机跑了 人在医院",
        "邻居把俺家的水断了 还说要推俺家墙",
        "想问问打官司要花多少钱",
    ],
)
def test_chat_and_hotline_give_the_same_level_for_the_same_words(stack: Stack, agent_token: str, text: str) -> None:
    chat = Conversation(stack, channel="web").say(text)
    with stack.client() as client:
        call = assist(client, agent_token, f"call-{uuid.uuid4().hex[:10]}", [("caller", text)])
    assert chat["risk_level"] == call["risk_level"], (chat["risk_level"], call["risk_level"])


def test_a_call_that_turns_dangerous_gets_the_safety_script_and_an_urgent_case(stack: Stack, agent_token: str) -> None:
    call_id = f"call-{uuid.uuid4().hex[:10]}"
    talk = Conversation(stack, channel="web")
    levels_chat, levels_call = [], []
    with stack.client() as client:
        lines: list[tuple[str, str]] = [("agent", "您好，这里是法律服务热线，您慢慢说。")]
        for said in TRANSCRIPT:
            lines.append(("caller", said))
            result = assist(client, agent_token, call_id, lines)
            levels_call.append(result["risk_level"])
            levels_chat.append(talk.say(said)["risk_level"])
        assert levels_call == levels_chat
        assert levels_call[-1] == "emergency"
        assert result["draft_ids"][0] == "emergency"
        assert "别挂电话" in result["reply_drafts"][0] and "110" in result["reply_drafts"][0]
        case = result["emergency_case"]
        assert case and case["handler_role"] == "emergency"
        # The agent's own filing later completes that same case instead of filing a second one.
        filed = client.post(
            "/v1/assist/case",
            json={"call_id": call_id, "case_draft": {"name": "张桂兰", "phone": "13700001111"}},
            headers={"Authorization": f"Bearer {agent_token}"},
        )
        assert filed.status_code == 201, filed.text
        assert filed.json()["case_id"] == case["case_id"]
        # Calmer words later never lower the level.
        lines.append(("caller", "嗯 好的 谢谢你"))
        assert assist(client, agent_token, call_id, lines)["risk_level"] == "emergency"
