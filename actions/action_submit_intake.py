"""File the confirmed intake as a case, and tell the resident the number only once it is stored."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions._cases import case_store, channel, cited, message_key, resolve_village, transcript
from cases import CaseError, CaseIntake, InvalidIntake, StoreUnavailable
from cases.consent import Consent, declined_reply, is_sensitive
from cases.retention import forget_conversation
from triage import mask_phone
from triage.safety import URGENT_CALLS

logger = logging.getLogger(__name__)

#: Cleared after every intake, filed or not; name, phone and village are kept so a second
#: matter in the same conversation does not ask for them again (the summary shows them).
RESET = (
    "description",
    "counterparty",
    "amount",
    "incident_date",
    "contact_relation",
    "affected_person",
    "intake_confirmed",
    "intake_status",
    "intake_editing",
    "handoff_kind",
    "legal_aid_eligible",
)
#: Also cleared when the resident declines the notice.
PERSONAL = ("resident_name", "phone", "village", "dispute_type", "matter")


def _forget(sender_id: str) -> None:
    try:
        store = case_store()
        with store.session() as session:
            forget_conversation(session, sender_id, datetime.now(timezone.utc))
            session.commit()
    except CaseError:
        # The reply has been given; the daily retention still deletes the conversation in time.
        logger.exception("could not mark a declined conversation to be forgotten")


class ActionSubmitIntake(Action):
    def name(self) -> str:
        return "action_submit_intake"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        reset = [SlotSet(slot, None) for slot in RESET]
        status = tracker.get_slot("intake_status")
        if status == "cancelled":
            dispatcher.utter_message(response="utter_intake_cancelled")
            return reset + [SlotSet("dispute_type", None)]
        if status == "declined":
            # No consent: nothing is filed, the slots forget, and the conversation is deleted once idle.
            dispatcher.utter_message(text=declined_reply())
            _forget(tracker.sender_id)
            return reset + [SlotSet(slot, None) for slot in PERSONAL]
        if status != "confirmed":
            dispatcher.utter_message(text="登记没有完成，什么也没有提交。需要时说“找调解员”或“找律师”重新开始。")
            return reset

        typed_village = tracker.get_slot("village")
        village_id, village_name = resolve_village(tracker, None if typed_village == "不清楚" else typed_village)
        try:
            intake = CaseIntake(
                description=tracker.get_slot("description") or "",
                channel=channel(tracker),
                requested=tracker.get_slot("handoff_kind") or "report",
                dispute_type=tracker.get_slot("dispute_type") or "other",
                risk_level=tracker.get_slot("risk_level") or "none",
                risk_cues=tuple(tracker.get_slot("risk_cues") or ()),
                resident_name=tracker.get_slot("resident_name"),
                phone=tracker.get_slot("phone"),
                village_id=village_id,
                village_name=village_name,
                counterparty=tracker.get_slot("counterparty"),
                amount=tracker.get_slot("amount"),
                incident_date=tracker.get_slot("incident_date"),
                conversation_id=tracker.sender_id,
                idempotency_key=message_key(tracker, "intake"),
                citations=cited(tracker),
                transcript=transcript(tracker),
                # "unknown": asked twice without a clear answer; the legal-aid centre checks.
                legal_aid_eligible={"yes": True, "no": False}.get(tracker.get_slot("legal_aid_eligible") or ""),
                contact_relation=tracker.get_slot("contact_relation") or "self",
                affected_person=tracker.get_slot("affected_person"),
                # A village named but not registered: filed as said, routed to the county roster with a note.
                village_registered=False if village_name and not village_id else None,
                # Going on after the notice is consent; the read-back asked separately for sensitive matters.
                consent=Consent.given_now(
                    channel(tracker),
                    sensitive=is_sensitive(
                        tracker.get_slot("dispute_type"), tracker.get_slot("matter"), tracker.get_slot("description")
                    ),
                ).to_dict(),
            )
            receipt = case_store().create(intake)
        except InvalidIntake as exc:
            logger.warning("intake rejected: %s", exc)
            dispatcher.utter_message(text="登记信息还不完整，我们再核对一遍。")
            return [SlotSet("intake_confirmed", None), SlotSet("intake_status", None), FollowupAction("intake_form")]
        except StoreUnavailable:
            logger.exception("case store unavailable; intake kept in the conversation")
            dispatcher.utter_message(
                text="抱歉，系统暂时没能保存您的登记，您说的信息我都还记着，没有丢。"
                f"请过一两分钟点“重新提交”；{URGENT_CALLS}",
                buttons=[{"title": "重新提交", "payload": "/report_dispute"}],
            )
            return [SlotSet("intake_confirmed", None), SlotSet("intake_status", None)]

        phone = tracker.get_slot("phone") or ""
        note = ""
        if intake.requested == "legal_aid" and receipt.handler_role == "lawyer":
            note = "按您说的情况，可能不符合法律援助的经济困难条件；村法律顾问的咨询同样免费，先由他帮您看看。\n"
        dispatcher.utter_message(
            text=(
                note + f"已经登记好了。案件编号：{receipt.number}\n"
                f"{receipt.contact_promise}（电话 {mask_phone(phone)}）。\n"
                "请记好编号。想查进度，就说“查进度”，再报编号和电话后四位。"
            )
        )
        return reset + [SlotSet("case", receipt.to_dict()), SlotSet("dispute_type", None)]
