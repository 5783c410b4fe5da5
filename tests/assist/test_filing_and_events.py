"""From the edited draft to a case (validation, risk that cannot be edited away), and the usage numbers."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from assist import Filing, Line, build_intake, events, read_call
from cases import InvalidIntake, open_store

CALL_DAY = date(2026, 11, 23)


def filing(draft: dict, *lines: Line, **overrides: object) -> Filing:
    state = read_call(list(lines), CALL_DAY) if lines else None
    fields: dict = {"call_id": "call-1", "agent": "agent1", "draft": draft, "state": state, "transcript": lines}
    fields.update(overrides)
    return Filing(**fields)


def test_intake_from_an_edited_draft() -> None:
    intake = build_intake(
        filing(
            {"name": "王大山", "phone": "幺三八 一二三四 五六七八", "village": "青石湾村", "dispute_type": "宅基地"},
            Line("caller", "隔壁老李把俺家宅基地占了，还扬言要报复"),
        )
    )
    assert intake.phone == "13812345678"  # read back in the form staff dial
    assert intake.dispute_type == "homestead"  # a label is accepted
    assert intake.channel == "hotline" and intake.filed_by == "agent1"
    assert intake.idempotency_key == "assist:call-1" and intake.conversation_id == "hotline:call-1"
    assert intake.description == "隔壁老李把俺家宅基地占了，还扬言要报复。"  # the call's summary
    assert intake.risk_level == "high" and intake.risk_cues == ("high:threat", "high:revenge")
    assert intake.transcript == ({"speaker": "caller", "text": "隔壁老李把俺家宅基地占了，还扬言要报复"},)


@pytest.mark.parametrize(
    ("draft", "needle"),
    [
        ({"phone": "13812345678", "summary": "邻居占地"}, "case_draft.name is required"),
        ({"name": "王大山", "summary": "邻居占地"}, "case_draft.phone is required"),
        ({"summary": "邻居占地"}, "case_draft.name and case_draft.phone are required"),
        ({"name": "王大山", "phone": "12345", "summary": "邻居占地"}, "not a valid phone number"),
        ({"name": "王大山", "phone": "13812345678", "summary": "x", "dispute_type": "火星"}, "dispute_type must be"),
        ({"name": "王大山", "phone": "13812345678"}, "description (or case_draft.summary) is required"),
    ],
)
def test_bad_drafts_are_refused_with_a_clear_message(draft: dict, needle: str) -> None:
    with pytest.raises(InvalidIntake) as info:
        build_intake(filing(draft))
    assert needle in str(info.value)


def test_an_emergency_may_be_filed_without_name_or_phone() -> None:
    intake = build_intake(filing({}, Line("caller", "他拿着刀要砍人，快来人")))
    assert intake.risk_level == "emergency" and intake.requested == "emergency" and intake.phone is None


def test_risk_cannot_be_edited_away_and_survives_a_restart() -> None:
    # The cache was lost (no state), but the recorded events remember the emergency.
    intake = build_intake(
        filing({"summary": "已经没事了"}, recorded_risk="emergency", recorded_cues=("emergency:weapon",))
    )
    assert intake.risk_level == "emergency" and intake.risk_cues == ("emergency:weapon",)


def test_the_callers_request_decides_what_is_requested() -> None:
    intake = build_intake(
        filing({"name": "王大山", "phone": "13812345678"}, Line("caller", "包工头欠了三万块工钱，我想找个律师"))
    )
    assert intake.requested == "lawyer"
    assert (
        build_intake(filing({"name": "王", "phone": "13812345678", "summary": "x"}, requested="mediation")).requested
        == "mediation"
    )


def test_usage_counts_distinct_items_per_call(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'cases.db'}")
    with store.session() as s:
        shown = {"suggestion_ids": ["法A第1条", "faq:7"], "draft_ids": ["answer:法A第1条", "handoff:lawyer"]}
        events.record(s, call_id="c1", agent="a", kind="shown", detail={**shown, "risk_level": "low"})
        events.record(s, call_id="c1", agent="a", kind="shown", detail={**shown, "risk_level": "high"})
        events.record(
            s, call_id="c2", agent="a", kind="shown", detail={"suggestion_ids": ["法A第1条"], "draft_ids": []}
        )
        events.record(s, call_id="c1", agent="a", kind="suggestion_used", ref="法A第1条")
        events.record(s, call_id="c1", agent="a", kind="draft_used", ref="handoff:lawyer")
        events.record(s, call_id="c1", agent="a", kind="case_filed", ref="2026-GEN-000001")
        s.commit()
    with store.session() as s:
        usage = events.usage(s)
        assert usage["counts"] == {"shown": 3, "suggestion_used": 1, "draft_used": 1, "case_filed": 1}
        assert usage["calls"] == 2 and usage["calls_with_case"] == 1
        assert usage["suggestions"] == {"shown": 3, "used": 1, "used_shown_ratio": round(1 / 3, 4)}
        assert usage["drafts"] == {"shown": 2, "used": 1, "used_shown_ratio": 0.5}
        assert usage["drafts_by_kind"]["handoff"] == {"shown": 1, "used": 1, "used_shown_ratio": 1.0}
        assert usage["drafts_by_kind"]["answer"]["used_shown_ratio"] == 0.0
        assert usage["used_shown_ratio"] == 0.4
        assert events.recorded_risk(s, "c1")[0] == "high"
        assert events.shown_items(s, "nope") is None
        future = events.usage(s, since=datetime.now(timezone.utc) + timedelta(days=1))
        assert future["counts"]["shown"] == 0 and future["used_shown_ratio"] is None
