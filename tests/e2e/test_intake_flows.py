"""The intake form that listens, through POST /v1/chat with Rasa and the action server running.

The resident answers whatever the form asks from their facts (``tests.e2e.intake.Resident``), so these
tests check what the form must do, not the order it asks in.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cases import CaseStore
from tests.e2e.conftest import Stack
from tests.e2e.intake import Resident
from tests.e2e.test_dialogue_flows import Conversation, text_of

pytestmark = pytest.mark.integration


def store(stack: Stack) -> CaseStore:
    return CaseStore(stack.database_url)


def test_mediation_intake_with_a_wrong_phone_and_a_correction_files_a_case(stack: Stack) -> None:
    resident = Resident(
        Conversation(stack),
        {"name": "王大山", "phone": "12345", "village": "青石湾村", "dispute_type": "宅基地",
         "description": "隔壁把院墙砌到俺家宅基地上了，吵了好几回", "counterparty": "邻居李四"},
    )  # fmt: skip
    first = resident.say("俺想找个调解员给评评理")
    assert first["intent"]["name"] == "request_mediation" and "调解" in resident.text(first)
    at_phone = resident.until(first, "phone")
    hint = resident.say("12345")  # not a phone number: asked again, with a hint
    assert "11位" in resident.text(hint)
    resident.facts["phone"] = "13912345678"
    readback = resident.until(resident.say("13912345678"), "readback")
    assert "13912345678" in resident.text(readback) and at_phone
    fixed = resident.say("电话错了 是13800001111")  # the correction names its new value
    assert "13800001111" in resident.text(fixed) and "确认提交" in resident.text(fixed)
    done = resident.say("对")
    case = store(stack).get(done["case"]["case_id"])
    assert case.resident_name == "王大山" and case.resident_phone == "13800001111"
    assert case.village_id == "sample-qingshiwan" and case.counterparty == "邻居李四"
    assert case.dispute_type == "homestead" and case.handler_role == "mediator"
    assert done["case"]["case_id"] in text_of(done)


def test_the_story_told_first_is_kept_and_never_asked_for_again(stack: Stack) -> None:
    resident = Resident(
        Conversation(stack),
        {"name": "宋玉兰", "phone": "18937465500", "village": "柳河村的", "counterparty": "包工头",
         "dispute_type": "欠工钱", "description": "就是包工头欠钱"},
    )  # fmt: skip
    story = "包工头欠了俺们六个人三万多块 过年都没给 人也找不着了"
    resident.say(story)
    body = resident.say("俺想找个律师帮俺要工钱")
    assert body["intent"]["name"] == "request_lawyer"
    body = resident.file_from(body, name_and_phone="俺叫宋玉兰 电话18937465500")
    assert "description" not in resident.asked, resident.asked  # the story was kept
    assert resident.asked.count("name") + resident.asked.count("phone") == 1  # given together, asked once
    case = store(stack).get(body["case"]["case_id"])
    assert "包工头" in case.description and "三万" in case.description
    assert case.resident_name == "宋玉兰" and case.resident_phone == "18937465500"
    # A village the system does not know: recorded as said, routed to the county roster with a note.
    assert case.village_name == "柳河村" and case.village_id is None
    assert case.context.get("village_registered") is False
    assert any(e.kind == "note" and "柳河村" in e.detail["text"] for e in case.events)
    assert case.dispute_type == "wage_arrears" and case.handler_role == "lawyer"


def test_a_daughter_asking_for_her_father(stack: Stack) -> None:
    resident = Resident(
        Conversation(stack),
        {"village": "东滩村", "counterparty": "肇事司机", "dispute_type": "交通事故",
         "description": "俺爹叫车撞了 司机跑了 人在医院"},
    )  # fmt: skip
    first = resident.say("俺爹叫车撞了 司机跑了 人在医院 俺想找个律师")
    assert first["intent"]["name"] == "request_lawyer"
    body = resident.file_from(first, name_and_phone="俺是他闺女 叫李秀兰 手机15937651234")
    readback = next(resident.text(r) for r in resident.replies if "请核对" in resident.text(r))
    assert "联系人：李秀兰" in readback and "当事人" in readback
    case = store(stack).get(body["case"]["case_id"])
    assert case.resident_name == "李秀兰" and case.resident_phone == "15937651234"
    assert case.contact_relation == "daughter" and case.affected_person == "父亲"
    assert case.risk_level == "medium"  # an injured person already cared for (yellow), not an emergency


def test_a_question_in_the_middle_of_the_form_is_answered_then_the_form_goes_on(stack: Stack) -> None:
    talk = Conversation(stack)
    talk.say("老板拖欠俺三个月工资 俺想找个律师")
    answered = talk.say("请律师要钱不")
    assert any(reply["citations"] for reply in answered["replies"])
    assert "我们接着登记" in text_of(answered)


def test_legal_aid_goes_to_legal_aid(stack: Stack) -> None:
    resident = Resident(
        Conversation(stack, channel="hotline", village_id="sample-dongtan"),
        {"name": "李桂兰", "phone": "0371-65432100", "dispute_type": "欠工钱",
         "description": "在工地干了半年活，包工头一分钱没给", "counterparty": "包工头张三",
         "legal_aid_eligible": "是，家里是低保户"},
    )  # fmt: skip
    first = resident.say("家里穷请不起律师，能申请法律援助吗")
    assert first["intent"]["name"] == "legal_aid"
    done = resident.file_from(first)
    assert "village" not in resident.asked  # known from the channel
    assert "legal_aid_eligible" not in resident.asked  # "家里穷" already answered the hardship check
    readback = next(resident.text(r) for r in resident.replies if "请核对" in resident.text(r))
    assert "经济困难：是" in readback
    assert done["case"]["handler_role"] == "legal_aid"
    assert store(stack).get(done["case"]["case_id"]).village_id == "sample-dongtan"


def test_legal_aid_asks_the_hardship_check_when_the_story_did_not_answer_it(stack: Stack) -> None:
    resident = Resident(
        Conversation(stack, channel="hotline", village_id="sample-dongtan"),
        {"name": "马红霞", "phone": "13633336666", "dispute_type": "婚姻家庭",
         "description": "男人要离婚 娃的抚养费不给", "counterparty": "丈夫刘军", "legal_aid_eligible": "是，低保户"},
    )  # fmt: skip
    first = resident.say("俺想申请法律援助")
    assert first["intent"]["name"] == "legal_aid"
    done = resident.file_from(first)
    assert "legal_aid_eligible" in resident.asked
    assert done["case"]["handler_role"] == "legal_aid"


def test_lawyer_request_can_be_cancelled_and_files_nothing(stack: Stack) -> None:
    talk = Conversation(stack, channel="kiosk")
    assert talk.say("我要找律师")["intent"]["name"] == "request_lawyer"
    body = talk.say("算了")
    assert "已经取消" in text_of(body) and body["case"] is None
    assert talk.say("你好")["intent"]["name"] == "greet"  # the form is over


def test_dispute_report_keeps_what_was_already_said(stack: Stack) -> None:
    resident = Resident(
        Conversation(stack),
        {"name": "赵老汉", "phone": "13698765432", "village": "刘家庄", "counterparty": "隔壁孙家",
         "dispute_type": "邻里", "description": "就是倒脏水的事"},
    )  # fmt: skip
    first = resident.say("我要反映个事，隔壁天天往俺家院里倒脏水，说了好几次都不听")
    assert first["intent"]["name"] == "report_dispute"
    done = resident.file_from(first)
    assert "description" not in resident.asked and "dispute_type" not in resident.asked
    case = store(stack).get(done["case"]["case_id"])
    assert case.dispute_type == "neighbor" and "倒脏水" in case.description
    assert case.risk_level in ("medium", "high") and case.risk_cues  # repeated conflict is on record


def test_danger_interrupts_an_intake_and_files_an_emergency_case(stack: Stack) -> None:
    talk = Conversation(stack, channel="kiosk", village_id="sample-qingshiwan")
    talk.say("我要找调解员 俺叫王大山")
    body = talk.say("他拿着刀冲过来了说要砍死我")
    assert body["intent"]["name"] == "emergency" and body["risk_level"] == "emergency"
    text = text_of(body)
    assert "110" in text and "120" in text and "镇派出所 0371-12345678" in text
    assert body["case"]["handler_role"] == "emergency"
    case = store(stack).get(body["case"]["case_id"])
    assert case.risk_level == "emergency" and case.resident_name == "王大山"
    after = talk.say("你好")
    assert after["intent"]["name"] == "greet" and after["risk_level"] == "emergency"


def test_the_notice_comes_before_the_first_personal_question_and_declining_keeps_nothing(stack: Stack) -> None:
    talk = Conversation(stack)
    first = talk.say("俺想找个律师")
    replies = [reply["text"] for reply in first["replies"]]
    notice = next(i for i, text in enumerate(replies) if text.startswith("登记前说明"))
    assert len(replies[notice]) <= 120
    assert not any(re.search(r"称呼|电话[？?]|哪个村", text) for text in replies[:notice])
    assert re.search(r"称呼|电话|发生了什么|哪个村", "".join(replies[notice + 1 :]))  # the first question after it
    details = talk.say("俺的个人信息谁能看")
    assert "县调解中心" in text_of(details) and "删除" in text_of(details)
    declined = talk.say("不同意")
    assert "不会保存" in text_of(declined) and "12348" in text_of(declined) and declined["case"] is None
    answered = talk.say("欠钱不还咋办")  # general legal information still comes
    assert answered["replies"] and answered["case"] is None
    with store(stack).session() as session:
        from sqlalchemy import select

        from cases.models import Case, ForgetConversation

        assert session.scalars(select(Case).where(Case.conversation_id.like(f"%{talk.user}%"))).first() is None
        marked = session.scalars(select(ForgetConversation.sender_id)).all()
        assert any(talk.user in sender for sender in marked)  # the purge deletes it once idle


def test_no_notice_before_110_and_the_case_records_the_basis(stack: Stack) -> None:
    talk = Conversation(stack, channel="kiosk")
    body = talk.say("俺在家 俺真撑不住了 农药就在边上 喝了一了百了")
    text = text_of(body)
    assert body["risk_level"] == "emergency" and "登记前说明" not in text
    assert text.index("120") < text.index("只用于这次救助")
    consent = store(stack).get(body["case"]["case_id"]).context["consent"]
    assert consent["basis"] == "emergency" and consent["channel"] == "kiosk"


def test_an_id_number_in_the_story_is_not_stored(stack: Stack) -> None:
    resident = Resident(
        Conversation(stack),
        {"name": "周红梅", "phone": "13598765432", "village": "青石湾村", "counterparty": "老板刘某",
         "dispute_type": "欠工钱", "description": "老板欠俺两个月工资"},
    )  # fmt: skip
    first = resident.say("老板欠俺两个月工资八千块 俺身份证是410523198803154411 俺想找个律师")
    done = resident.file_from(first)
    case = store(stack).get(done["case"]["case_id"])
    stored = case.description + json.dumps(case.context, ensure_ascii=False)
    assert "410523198803154411" not in stored and "410*************11" in stored
    assert case.context["consent"]["sensitive"] is True  # an ID number told is sensitive information
    # The database files (the case store and Rasa's tracker store share them) hold none of it in clear.
    files = sorted(Path(stack.env["CUNFA_DATA_DIR"]).glob("cunfa.db*"))
    assert files, "the stack's SQLite files were not found"
    blob = b"".join(path.read_bytes() for path in files)
    for secret in ("410523198803154411", "13598765432", "周红梅", "老板欠俺两个月工资"):
        assert secret.encode() not in blob, f"{secret} is stored in clear"


def test_danger_told_in_answer_to_any_question_interrupts_the_form(stack: Stack) -> None:
    resident = Resident(
        Conversation(stack, channel="kiosk", village_id="sample-qingshiwan"),
        {"name": "罗秀珍", "phone": "13611112222", "description": "这事说来话长 一两句说不清楚", "counterparty": "丈夫"},
    )  # fmt: skip
    # Asked what kind of matter it is, she tells the danger: a story with facts in it, and still 110 first.
    resident.until(resident.say("俺想找个调解员"), "dispute_type")
    danger = resident.say("他喝醉了拿着菜刀在院里转 说今天非砍死俺不可 俺躲在屋里")
    assert danger["risk_level"] == "emergency" and "110" in resident.text(danger), resident.text(danger)
    assert danger["case"]["handler_role"] == "emergency"
