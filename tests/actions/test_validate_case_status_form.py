from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.validate_case_status_form import ValidateCaseStatusForm


def test_a_number_cut_into_pieces_by_the_tagger_is_read_from_the_message(tracker_with) -> None:
    tracker = tracker_with("legal_question", text="编号是2026-DTN-000001")
    dispatcher = CollectingDispatcher()
    for spans in (["2026-", "-000001"], "2026-", None):
        assert ValidateCaseStatusForm().validate_case_number(spans, dispatcher, tracker, {}) == {
            "case_number": "2026-DTN-000001"
        }
    assert dispatcher.messages == []


def test_a_whole_entity_wins_and_a_message_without_a_number_is_refused(tracker_with) -> None:
    tracker = tracker_with("legal_question", text="2026-qsw-000123 不对 是 2026-DTN-000001")
    form = ValidateCaseStatusForm()
    assert form.validate_case_number("2026-QSW-000123", CollectingDispatcher(), tracker, {}) == {
        "case_number": "2026-QSW-000123"
    }
    dispatcher = CollectingDispatcher()
    tracker = tracker_with("legal_question", text="我忘了编号")
    assert form.validate_case_number("编号", dispatcher, tracker, {}) == {"case_number": None}
    assert "编号格式好像不对" in dispatcher.messages[0]["text"]


def test_digits_tagged_while_asking_for_the_phone_keep_the_number_given(tracker_with) -> None:
    tracker = tracker_with("legal_question", text="0000", slots={"requested_slot": "phone_last4"})
    tracker.events += [
        {"event": "slot", "name": "case_number", "value": "2026-DTN-000001"},
        {"event": "user", "text": "0000"},
        {"event": "slot", "name": "case_number", "value": "0000"},
    ]
    dispatcher = CollectingDispatcher()
    assert ValidateCaseStatusForm().validate_case_number("0000", dispatcher, tracker, {}) == {
        "case_number": "2026-DTN-000001"
    }
    assert dispatcher.messages == []
