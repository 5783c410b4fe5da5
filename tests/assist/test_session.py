"""The per-call cache: a growing transcript costs only its new lines, and the law is searched only on
new caller words; whatever the cache held, the result equals reading the transcript from scratch."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assist import AssistService, Line, session
from knowledge import IndexInputs, KnowledgeBase
from knowledge.answer import DISCLAIMER
from knowledge.guides import load_guides
from knowledge.guides.matter import load_matter_model
from knowledge.guides.policy import Advisor
from knowledge.index import index_path, load_index
from knowledge.villages import VillageStore
from tests.conftest import TEST_DATA

CALL_DAY = date(2026, 11, 23)
CALL = [
    Line("agent", "您好，法律服务热线，请讲。"),
    Line("caller", "包工头拖欠工资不给，三万块钱，怎么办"),
    Line("agent", "您怎么称呼？"),
    Line("caller", "王大山"),
    Line("agent", "留个电话"),
    Line("caller", "幺三八 一二三四 五六七八"),
    Line("caller", "还有，离婚后孩子的抚养费谁出？"),
]


@pytest.fixture
def searches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts the real searches the service makes (it still searches the real index)."""
    seen: list[str] = []
    real = session.search

    def counting(advisor, turn):
        seen.append(turn.text)
        return real(advisor, turn)

    monkeypatch.setattr(session, "search", counting)
    return seen


def service() -> AssistService:
    return AssistService(today=lambda: CALL_DAY)


def test_growing_transcript_reads_only_new_lines_and_searches_only_new_caller_words(
    tiny_advisor, searches: list[str]
) -> None:
    svc = service()
    reads = [svc.assist("c1", CALL[:n], advisor=tiny_advisor).lines_read for n in range(1, len(CALL) + 1)]
    assert reads == [1] * len(CALL)
    # Two topical caller lines, two searches: name and phone answers do not search again.
    assert len(searches) == 2
    assert "包工头拖欠工资" in searches[0] and "抚养费" in searches[1]
    again = svc.assist("c1", CALL, advisor=tiny_advisor)
    assert again.lines_read == 0 and not again.searched and len(searches) == 2


def test_editing_the_last_line_rereads_only_that_line(tiny_advisor, searches: list[str]) -> None:
    svc = service()
    typing = CALL[:1] + [Line("caller", "包工头拖欠")]
    svc.assist("c1", typing, advisor=tiny_advisor)
    done = svc.assist("c1", CALL[:2], advisor=tiny_advisor)
    assert done.lines_read == 1 and done.searched
    assert done.state.amount == "30000元"


def test_cached_result_equals_a_fresh_read(tiny_advisor) -> None:
    svc = service()
    svc.assist("c1", CALL[:3] + [Line("caller", "王大川")], advisor=tiny_advisor)  # a line later corrected in place
    cached = svc.assist("c1", CALL, advisor=tiny_advisor)
    fresh = service().assist("c1", CALL, advisor=tiny_advisor)
    assert cached.to_dict() == fresh.to_dict()
    assert cached.state.name == "王大山"


def test_results_carry_stable_ids_and_drafts(tiny_advisor) -> None:
    result = service().assist("c1", CALL[:2], advisor=tiny_advisor)
    body = result.to_dict()
    assert body["suggestion_ids"] == [h["citation"] for h in body["suggestions"] if h["source"] != "faq"] + [
        f"faq:{h['faq_id']}" for h in body["suggestions"] if h["source"] == "faq"
    ]
    assert len(body["draft_ids"]) == len(body["reply_drafts"]) and 1 <= len(body["reply_drafts"]) <= 3
    answers = [t for i, t in zip(body["draft_ids"], body["reply_drafts"], strict=True) if i.startswith("answer:")]
    assert answers and all(t.endswith(DISCLAIMER) for t in answers)
    assert body["dispute_type"] == "wage_arrears" and body["dispute_type_label"] == "欠薪劳动"


def test_emergency_puts_110_first_even_without_an_index() -> None:
    lines = [Line("caller", "他拿着刀在我家门口，说要砍死我"), Line("caller", "俺叫李秀英")]
    result = AssistService(emergency_contacts="镇派出所 0371-12345678", today=lambda: CALL_DAY).assist(
        "c9", lines, advisor=None
    )
    assert result.draft_ids[0] == "emergency"
    first = result.drafts[0].text
    assert "110" in first and "120" in first and "镇派出所 0371-12345678" in first
    assert "别挂电话" in first  # the safety script keeps the caller talking
    assert result.handoff is not None and result.handoff.handler_role == "emergency"
    assert result.suggestions == []
    assert "handoff:emergency" in result.draft_ids and "ask_contact" in result.draft_ids


def test_known_village_is_resolved_and_its_rules_searched(
    tmp_path: Path, tiny_index_root: Path, tiny_inputs: IndexInputs
) -> None:
    store = VillageStore(tmp_path / "villages")
    store.put("sample-qingshiwan", "青石湾村", "# 青石湾村村规民约\n\n第一条 工资应当按月足额支付，不得拖欠。\n")
    kb = KnowledgeBase(load_index(index_path(tiny_index_root, tiny_inputs)), villages=store)
    advisor = Advisor(kb, load_guides(TEST_DATA / "guides"), load_matter_model())
    lines = [Line("caller", "俺是青石湾村的"), Line("caller", "包工头拖欠工资不给怎么办")]
    result = service().assist("c1", lines, advisor=advisor)
    assert result.village_id == "sample-qingshiwan"
    assert result.case_draft()["village"] == "青石湾村"
    assert any(h.source == "village_rule" for h in result.suggestions)
    by_id = service().assist("c2", lines[1:], advisor=advisor, village_id="sample-qingshiwan")
    assert by_id.case_draft()["village"] == "青石湾村"  # named by the store when the caller did not say


def test_shown_is_remembered_only_when_it_changes(tiny_advisor) -> None:
    svc = service()
    first = svc.assist("c1", CALL[:2], advisor=tiny_advisor)
    assert svc.remember_shown(first)
    assert not svc.remember_shown(svc.assist("c1", CALL[:3], advisor=tiny_advisor))
    assert svc.remember_shown(svc.assist("c1", CALL, advisor=tiny_advisor))


def test_old_and_surplus_calls_are_forgotten() -> None:
    now = [0.0]
    svc = AssistService(max_calls=2, idle_seconds=60, clock=lambda: now[0], today=lambda: CALL_DAY)
    for call_id in ("a", "b", "c"):
        svc.assist(call_id, CALL[:2], advisor=None)
    assert len(svc) == 2 and svc.snapshot("a") is None
    now[0] = 120.0
    svc.assist("d", CALL[:2], advisor=None)
    assert len(svc) == 1 and svc.snapshot("d") is not None


def test_a_long_call_whose_page_drops_early_lines_keeps_what_they_said(tiny_advisor) -> None:
    svc = service()
    danger = [Line("caller", "他拿着刀在门口")] + [Line("caller", f"然后他又说了第{i}句话") for i in range(199)]
    assert svc.assist("long", danger, advisor=None).state.risk_level == "emergency"
    later = danger[3:] + [Line("caller", "现在他走了"), Line("caller", "我叫王大山")]
    result = svc.assist("long", later, advisor=None)
    assert result.lines_read == 2  # only the new lines: the dropped ones are still remembered
    assert result.state.risk_level == "emergency" and result.state.name == "王大山"


def test_a_very_long_call_keeps_being_read_incrementally() -> None:
    svc = service()
    call = [Line("caller", "他拿着刀在门口")] + [Line("caller", f"第{i}句") for i in range(199)]
    svc.assist("long", call, advisor=None)
    for i in range(199, 400):  # the page keeps sending its latest 200 lines
        call.append(Line("caller", f"第{i}句"))
        result = svc.assist("long", call[-200:], advisor=None)
        assert result.lines_read == 1
    assert result.state.risk_level == "emergency"


def test_the_agent_reads_the_notice_before_asking_for_a_name_or_number_and_never_before_110() -> None:
    lines = [Line("caller", "他拿着刀在我家门口，说要砍死我")]
    result = AssistService(closed_case_days=730, today=lambda: CALL_DAY).assist("c10", lines, advisor=None)
    ids = result.draft_ids
    assert ids[0] == "emergency" and "说明" not in result.drafts[0].text
    contact = result.drafts[ids.index("ask_contact")].text
    assert contact.index("只用来办这件事") < contact.index("请告诉我") and "保存2年" in contact
