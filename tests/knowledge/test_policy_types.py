"""The answer policy answers from the dispute type the NLU or the lexicon read when the words alone do not decide."""

from __future__ import annotations

from knowledge.guides.policy import Turn


def test_a_known_type_gets_its_guide_instead_of_a_clarifying_question(tiny_advisor) -> None:
    text = "俺那口子成天不着家 这日子没法过了"
    assert tiny_advisor.advise(Turn(text)).kind == "clarify"
    advice = tiny_advisor.advise(Turn(text, dispute_type="marriage_family"))
    assert advice.kind == "answer" and advice.guide.id == "child_custody"


def test_other_is_not_a_type_to_answer_from(tiny_advisor) -> None:
    assert tiny_advisor.advise(Turn("这日子没法过了", dispute_type="other")).kind == "clarify"
