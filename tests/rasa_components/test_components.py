"""The two custom NLU components on real Rasa ``Message`` objects."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from rasa_components.dispute_type import DisputeTypeNormalizer
from rasa_components.risk_override import RiskOverride


def message(text: str, intent: str, confidence: float, runner_up: tuple[str, float] = ("greet", 0.3), entities=None):
    ranking = [{"name": intent, "confidence": confidence}, {"name": runner_up[0], "confidence": runner_up[1]}]
    return Message(data={"text": text, "intent": ranking[0], "intent_ranking": ranking, "entities": entities or []})


def test_danger_words_force_emergency() -> None:
    [out] = RiskOverride().process([message("他拿着刀在俺家门口转", "report_dispute", 0.97)])
    assert out.get("intent") == {"name": "emergency", "confidence": 1.0}
    assert out.get("intent_ranking")[0]["name"] == "emergency"
    cue = next(e for e in out.get("entities") if e["entity"] == "risk_cue")
    assert cue["value"] == "emergency" and cue["extractor"] == "RiskOverride"


def test_lower_cues_are_recorded_without_changing_the_intent() -> None:
    [out] = RiskOverride().process([message("邻居三番五次来闹 还说要去上访", "report_dispute", 0.9)])
    assert out.get("intent")["name"] == "report_dispute"
    assert {e["value"] for e in out.get("entities") if e["entity"] == "risk_cue"} >= {"high"}


@pytest.mark.parametrize(("runner_up", "expected"), [(("greet", 0.5), "greet"), (("greet", 0.1), "nlu_fallback")])
def test_a_hesitant_uncued_emergency_guess_is_demoted(runner_up: tuple[str, float], expected: str) -> None:
    [out] = RiskOverride().process([message("李桂兰", "emergency", 0.4, runner_up)])
    assert out.get("intent")["name"] == expected
    assert all(r["name"] != "emergency" for r in out.get("intent_ranking"))


def test_a_demoted_emergency_that_tells_a_matter_is_answered() -> None:
    text = "我老公喝了酒就打我，这次把我肋骨打断了，我想离婚，但是我手里没有钱"
    [out] = RiskOverride().process([message(text, "emergency", 0.9, ("greet", 0.05))])
    assert out.get("intent")["name"] == "ask_legal_question"
    assert {e["value"] for e in out.get("entities") if e["entity"] == "risk_cue"} >= {"high"}


def test_a_confident_uncued_emergency_stays() -> None:
    [out] = RiskOverride().process([message("有人点了俺家的草垛 火大着呢", "emergency", 0.96)])
    assert out.get("intent")["name"] == "emergency"


def test_raw_dispute_values_are_normalised_or_dropped() -> None:
    raw = {"entity": "dispute_type", "value": "房基地", "start": 0, "end": 3, "text": "房基地"}
    junk = {"entity": "dispute_type", "value": "啥", "start": 0, "end": 1, "text": "啥"}
    [out] = DisputeTypeNormalizer().process([message("房基地的事", "ask_legal_question", 0.9, entities=[raw])])
    assert [e["value"] for e in out.get("entities") if e["entity"] == "dispute_type"] == ["homestead"]
    [out] = DisputeTypeNormalizer().process([message("啥", "greet", 0.9, entities=[junk])])
    assert not [e for e in out.get("entities") if e["entity"] == "dispute_type"]


def test_lexicon_fills_in_when_diet_found_nothing() -> None:
    [out] = DisputeTypeNormalizer().process([message("包工头跑了工钱不给", "ask_legal_question", 0.9)])
    [entity] = [e for e in out.get("entities") if e["entity"] == "dispute_type"]
    assert entity["value"] == "wage_arrears" and entity["extractor"] == "DisputeTypeNormalizer"


@pytest.mark.parametrize("text", ["12345", "0000", "88", "2026-QSW-000123"])
def test_numbers_alone_are_never_an_uncued_emergency(text: str) -> None:
    [out] = RiskOverride().process([message(text, "emergency", 0.95, ("deny", 0.02))])
    assert out.get("intent")["name"] == "nlu_fallback"


@pytest.mark.parametrize(
    "text",
    [
        "俺没正经工作 就在家种地 会不会因为这个把娃判给他",
        "那俺该上哪告他去",
        "请律师要钱不",
        "邻居占了俺家的地 能告他不",
    ],
)
def test_a_question_that_asks_for_nobody_is_answered(text: str) -> None:
    from rasa_components.question_router import QuestionRouter

    [out] = QuestionRouter().process([message(text, "report_dispute", 0.8, ("ask_legal_question", 0.1))])
    assert out.get("intent")["name"] == "ask_legal_question"
    assert [r["name"] for r in out.get("intent_ranking")][:2] == ["ask_legal_question", "report_dispute"]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("帮俺登记一下 邻居占了俺家的地 能管不", "report_dispute"),
        ("我想找个律师 要花钱不", "request_lawyer"),
        ("包工头欠了俺们六个人三万多块 过年都没给 人也找不着了", "report_dispute"),
        ("/request_lawyer", "request_lawyer"),
        ("离婚后孩子归谁", "ask_legal_question"),
    ],
)
def test_requests_for_a_person_stay_requests(text: str, intent: str) -> None:
    from rasa_components.question_router import QuestionRouter

    [out] = QuestionRouter().process([message(text, intent, 0.8)])
    assert out.get("intent")["name"] == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("俺在县城工地上干了大半年活 包工头跑了 俺想找个律师帮俺要钱中不中", "request_lawyer"),
        ("俺爹走了以后老房子叫俺姐一个人给卖了 想请个律师", "request_lawyer"),
        ("我和对象吵得过不下去了 我想找调节员", "request_mediation"),
        ("帮俺登记一下 邻居占了俺家的路", "report_dispute"),
    ],
)
def test_a_request_for_a_person_read_as_a_question_is_registered(text: str, intent: str) -> None:
    from rasa_components.question_router import QuestionRouter

    [out] = QuestionRouter().process([message(text, "ask_legal_question", 0.7)])
    assert out.get("intent")["name"] == intent


def test_a_question_about_a_lawyer_stays_a_question() -> None:
    from rasa_components.question_router import QuestionRouter

    [out] = QuestionRouter().process([message("请律师要钱不", "ask_followup", 0.7)])
    assert out.get("intent")["name"] == "ask_followup"


def test_a_short_strong_phrase_of_a_matter_is_a_story_to_answer() -> None:
    from rasa_components.question_router import tells_a_matter

    assert tells_a_matter("我哥嫂不好好养我爹")
    assert not tells_a_matter("老人") and not tells_a_matter("赡养")
