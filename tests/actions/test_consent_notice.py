"""The personal-information notice in the intake: shown once before the first personal question,
refusable at any step (then nothing is filed or kept), explained on request, consent kept with the case."""

from __future__ import annotations

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from actions.action_ask_intake_confirmed import ActionAskIntakeConfirmed
from actions.action_escalate_emergency import ActionEscalateEmergency
from actions.action_start_intake import ActionStartIntake
from actions.action_submit_intake import ActionSubmitIntake
from actions.validate_intake_form import ValidateIntakeForm
from cases import CaseStore
from cases.consent import NOTICE_VERSION
from cases.models import Case, ForgetConversation
from tests.actions.test_validate_intake_form import DOMAIN


def _texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [m.get("text") or "" for m in dispatcher.messages]


async def test_the_notice_comes_before_the_first_question_and_only_once(tracker_with) -> None:
    dispatcher = CollectingDispatcher()
    tracker = tracker_with("legal_question", text="俺想找个律师", intent="request_lawyer")
    events = await ActionStartIntake().run(dispatcher, tracker, domain={})
    notice = _texts(dispatcher)[-1]
    assert notice.startswith("登记前说明") and len(notice) <= 120 and "不同意" in notice
    assert SlotSet("consent_notice", NOTICE_VERSION) in events
    again = CollectingDispatcher()
    shown = tracker_with("legal_question", text="俺想找个律师", intent="request_lawyer",
                         slots={"consent_notice": NOTICE_VERSION})  # fmt: skip
    await ActionStartIntake().run(again, shown, domain={})
    assert not any(t.startswith("登记前说明") for t in _texts(again))


async def test_declining_at_any_question_ends_the_form(tracker_with) -> None:
    for text in ("不同意", "俺不同意。", "不想留信息"):
        tracker = tracker_with("intake_confirmed", text=text, slots={"requested_slot": "phone"})
        events = await ValidateIntakeForm().run(CollectingDispatcher(), tracker, DOMAIN)
        assert events == [SlotSet("intake_status", "declined"), SlotSet("requested_slot", None)], text


async def test_a_story_with_a_refusal_in_it_is_not_a_refusal(tracker_with) -> None:
    tracker = tracker_with("intake_confirmed", text="俺男人不同意离婚", slots={"requested_slot": "description"})
    events = await ValidateIntakeForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert SlotSet("intake_status", "declined") not in events


async def test_asking_about_personal_information_gets_the_whole_notice_and_the_form_goes_on(tracker_with) -> None:
    dispatcher = CollectingDispatcher()
    tracker = tracker_with("intake_confirmed", text="俺的个人信息谁能看？", slots={"requested_slot": "phone"})
    events = await ValidateIntakeForm().run(dispatcher, tracker, DOMAIN)
    assert "县调解中心" in _texts(dispatcher)[0] and "删除" in _texts(dispatcher)[0]
    assert events == [SlotSet("phone", None)]


async def test_declined_files_nothing_and_forgets_the_personal_slots(store: CaseStore, tracker_with) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitIntake().run(
        dispatcher, tracker_with("intake_confirmed", slots={"intake_status": "declined"}), domain={}
    )
    assert "不会保存" in _texts(dispatcher)[0] and "12348" in _texts(dispatcher)[0]
    cleared = {e["name"] for e in events if e["event"] == "slot" and e["value"] is None}
    assert {"resident_name", "phone", "village", "description"} <= cleared
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0
        marked = session.scalars(select(ForgetConversation.sender_id)).all()
    assert marked == ["wechat:oResident42"]  # deleted by the purge once the conversation is idle


async def test_sensitive_matters_get_the_separate_consent_in_the_read_back(tracker_with) -> None:
    dv = CollectingDispatcher()
    await ActionAskIntakeConfirmed().run(
        dv,
        tracker_with("intake_confirmed", slots={"matter": "domestic_violence", "description": "他喝了酒就打俺"}),
        domain={},
    )
    assert "单独同意" in _texts(dv)[0]
    land = CollectingDispatcher()
    await ActionAskIntakeConfirmed().run(land, tracker_with("intake_confirmed"), domain={})
    assert "单独同意" not in _texts(land)[0]


async def test_the_filed_case_records_the_consent(store: CaseStore, tracker_with) -> None:
    tracker = tracker_with("intake_confirmed", slots={"matter": "domestic_violence", "description": "他喝了酒就打俺"})
    events = await ActionSubmitIntake().run(CollectingDispatcher(), tracker, domain={})
    case_slot = next(e["value"] for e in events if e["event"] == "slot" and e["name"] == "case")
    consent = store.get(case_slot["case_id"]).context["consent"]
    assert consent["version"] == NOTICE_VERSION and consent["sensitive"] is True and consent["basis"] == "consent"
    assert consent["channel"] == "wechat" and consent["at"]


async def test_an_emergency_gets_110_first_and_the_notice_after(store: CaseStore, tracker_with) -> None:
    dispatcher = CollectingDispatcher()
    tracker = tracker_with("legal_question", text="他拿着刀说要砍死我", intent="emergency", message_id="e9")
    events = await ActionEscalateEmergency().run(dispatcher, tracker, domain={})
    text = _texts(dispatcher)[0]
    assert text.startswith("情况紧急") and text.index("110") < text.index("只用于这次救助")
    case_slot = next(e["value"] for e in events if e["event"] == "slot" and e["name"] == "case")
    assert store.get(case_slot["case_id"]).context["consent"]["basis"] == "emergency"
