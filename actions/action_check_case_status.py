"""Tell a resident where their case stands, and nothing else about it."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions._cases import case_store
from cases import StoreUnavailable
from triage.safety import CALL_HOTLINE, TOO_MANY_STATUS_TRIES

logger = logging.getLogger(__name__)

#: Wrong guesses allowed per conversation: the last four digits are a weak secret, so a
#: conversation that keeps guessing is stopped (the API adds per-IP limits on top).
MAX_FAILURES = 3
ROLE_LABELS = {"mediator": "人民调解员", "lawyer": "村法律顾问", "legal_aid": "法律援助中心", "emergency": "值班人员"}


class ActionCheckCaseStatus(Action):
    def name(self) -> str:
        return "action_check_case_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        clear = [SlotSet("case_number", None), SlotSet("phone_last4", None)]
        failures = int(tracker.get_slot("status_failures") or 0)
        if failures >= MAX_FAILURES:
            dispatcher.utter_message(text=TOO_MANY_STATUS_TRIES)
            return clear
        number = tracker.get_slot("case_number") or ""
        last4 = tracker.get_slot("phone_last4") or ""
        try:
            status = case_store().resident_status(number, last4)
        except StoreUnavailable:
            logger.exception("case store unavailable during status lookup")
            dispatcher.utter_message(text=f"抱歉，系统暂时查不了，请过几分钟再试，或{CALL_HOTLINE}。")
            return clear
        if status is None:
            dispatcher.utter_message(text="没有查到。请核对案件编号和登记时留的电话后四位，再说一次“查进度”。")
            return clear + [SlotSet("status_failures", failures + 1)]
        who = ROLE_LABELS.get(status.handler_role, "工作人员")
        dispatcher.utter_message(
            text=f"案件 {status.number} 现在的进度：{status.status_label}。由{who}负责，有进展会打电话给您。"
        )
        return clear + [SlotSet("status_failures", 0)]
