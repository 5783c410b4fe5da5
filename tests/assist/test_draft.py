"""Whole calls, as hotline agents type them: colloquial, dialect, typos, spoken digits, corrections."""

from __future__ import annotations

from datetime import date

from assist import CallState, Line, handoff_for, read_call

CALL_DAY = date(2026, 11, 23)


def caller(text: str) -> Line:
    return Line("caller", text)


def agent(text: str) -> Line:
    return Line("agent", text)


def read(*lines: Line) -> CallState:
    return read_call(list(lines), CALL_DAY)


def test_homestead_call_with_prompted_answers_and_spoken_phone_over_two_lines() -> None:
    state = read(
        agent("您好，法律服务热线，请讲。"),
        caller("喂，你好，俺想问个事儿"),
        caller("隔壁老李把俺家宅鸡地占了，盖房子越过界了"),  # 宅鸡地: a speech-recognition typo
        agent("您别急。您怎么称呼？"),
        caller("王大山"),
        agent("您是哪个村的？"),
        caller("青石湾的"),
        agent("留个电话吧"),
        caller("幺三八"),
        agent("嗯"),
        caller("一二三四 五六七八"),
        agent("这事什么时候开始的？"),
        caller("去年腊月"),
    )
    assert (state.name, state.village, state.phone) == ("王大山", "青石湾村", "13812345678")  # as a clerk writes it
    assert state.counterparty == "隔壁老李"
    assert state.dispute_type == "homestead"
    assert state.incident_date == "2025年腊月"
    assert state.summary == "隔壁老李把俺家宅鸡地占了，盖房子越过界了。"  # the story, not the small talk or answers
    handoff = handoff_for(state)
    assert handoff is not None and handoff.handler_role == "mediator" and "隔壁老李" in handoff.reason


def test_agent_lines_are_context_never_facts() -> None:
    state = read(agent("您是王大山吧？电话是13812345678对吧？"), caller("对"))
    assert state.name is None and state.phone is None


def test_name_prompt_does_not_turn_a_story_into_a_name() -> None:
    state = read(agent("您叫什么名字？"), caller("隔壁老李把俺家宅基地占了"), caller("俺叫王大山"))
    assert state.name == "王大山"
    assert state.counterparty == "隔壁老李"


def test_counterparty_question_is_not_a_name_question() -> None:
    state = read(
        caller("包工头欠了我们三万块工钱"), agent("对方叫什么名字？"), caller("就是张三，包工头"), caller("我叫刘建国")
    )
    assert state.counterparty == "包工头张三"
    assert state.name == "刘建国"
    assert state.amount == "30000元"
    assert state.dispute_type == "wage_arrears"


def test_a_correction_replaces_the_phone_and_a_passing_number_does_not() -> None:
    state = read(caller("我电话是13912345678"), caller("不对，说错了，是13912345679"))
    assert state.phone == "13912345679"
    state = read(caller("我电话是13912345678"), caller("他的号码我也有，13800001111"))
    assert state.phone == "13912345678"


def test_answer_to_a_repeated_question_wins() -> None:
    state = read(agent("您贵姓？"), caller("王大山"), agent("不好意思没听清，您再说一下名字？"), caller("王大川"))
    assert state.name == "王大川"


def test_traditional_characters_and_dialect() -> None:
    state = read(
        caller("俺兒子不給俺養老錢，俺都七十多了"),  # Traditional, typed on an old phone
        caller("俺是東灘村的，俺姓趙"),
    )
    assert state.dispute_type == "support_elderly"
    assert state.counterparty == "儿子"
    assert state.village == "东滩村"
    assert state.name == "赵"


def test_typos_still_classify() -> None:
    assert read(caller("老板欠新三个月了，包公头跑了")).dispute_type == "wage_arrears"
    assert read(caller("俺想问问善养老人的事，闺女不管我")).dispute_type == "support_elderly"


def test_dispute_type_combines_lines_by_priority() -> None:
    state = read(caller("跟邻居闹矛盾了"), caller("为了宅基地的事"))
    assert state.dispute_type == "homestead"  # the specific relationship wins over "neighbours"
    assert state.dispute_keywords == ("邻居", "宅基地")


def test_risk_escalates_and_is_never_lowered() -> None:
    state = read(caller("跟邻居吵架了"))
    assert state.risk_level == "low"
    state = read(caller("跟邻居吵架了"), caller("他扬言要报复"))
    assert state.risk_level == "high"
    state = read(
        caller("跟邻居吵架了"), caller("他扬言要报复"), caller("现在他拿着刀在门口"), caller("好了他走了，没事了")
    )
    assert state.risk_level == "emergency"
    assert state.risk_cues[:2] == ("low:quarrel", "high:threat") and "emergency:weapon" in state.risk_cues
    handoff = handoff_for(state)
    assert handoff is not None and handoff.handler_role == "emergency" and "拿着刀" in handoff.reason


def test_negated_violence_is_not_an_emergency() -> None:
    state = read(caller("他没打我，就是天天骂街"))
    assert state.risk_level != "emergency"


def test_agent_words_do_not_raise_risk() -> None:
    state = read(agent("他有没有拿刀？有没有人流血？"), caller("没有没有，就是吵架"))
    assert state.risk_level == "low"


def test_plain_legal_question_needs_no_handoff() -> None:
    state = read(caller("离婚后孩子归谁，抚养费怎么算？"))
    assert state.dispute_type == "marriage_family"
    assert handoff_for(state) is None


def test_asking_for_a_person_routes_by_the_request() -> None:
    state = read(caller("邻居家的狗把我孙子咬伤了，我想找个律师"))
    handoff = handoff_for(state)
    assert handoff is not None and handoff.handler_role == "lawyer" and "律师" in handoff.reason
    state = read(caller("俺家穷，请不起律师，欠薪的事能帮帮俺吗"))
    handoff = handoff_for(state)
    assert handoff is not None and handoff.handler_role == "legal_aid"


def test_empty_and_filler_lines_change_nothing_worth_filing() -> None:
    state = read(caller(""), caller("   "), caller("嗯嗯"), caller("对对对"), caller("喂？能听到吗？"))
    assert state.summary is None and state.topics == ()
    assert state.risk_level == "none" and state.dispute_type is None


def test_unanswered_question_expires() -> None:
    state = read(agent("您叫什么名字？"), caller("啊？"), caller("我说的是那个地的事"), caller("赵家那块地"))
    assert state.name is None


def test_summary_is_bounded() -> None:
    long_line = "他家的鸡天天跑到俺家菜地里吃菜，说了好多次也不管。" * 40
    state = read(*(caller(long_line) for _ in range(5)))
    assert state.summary is not None and len(state.summary) <= 500
