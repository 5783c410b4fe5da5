"""Read the collected facts back before anything is filed, so the resident can fix them."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions._intake import FIELD_LABELS
from triage import DISPUTE_TYPE_LABELS

CONFIRM_BUTTONS = [
    {"title": "确认提交", "payload": "/affirm"},
    {"title": "修改", "payload": "修改"},
    {"title": "取消", "payload": "取消"},
]
EDIT_BUTTONS = [{"title": f"改{label}", "payload": f"改{label}"} for label in FIELD_LABELS.values()]


class ActionAskIntakeConfirmed(Action):
    def name(self) -> str:
        return "action_ask_intake_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if tracker.get_slot("intake_editing"):
            dispatcher.utter_message(text="要改哪一项？", buttons=EDIT_BUTTONS + [{"title": "取消", "payload": "取消"}])
            return []
        dispute = tracker.get_slot("dispute_type")
        lines = [
            "请核对一下登记的信息：",
            f"称呼：{tracker.get_slot('resident_name') or '（未填）'}",
            f"电话：{tracker.get_slot('phone') or '（未填）'}",
            f"村：{tracker.get_slot('village') or '（未填）'}",
            f"事情类型：{DISPUTE_TYPE_LABELS.get(dispute, dispute or '（未填）')}",
            f"事情经过：{tracker.get_slot('description') or '（未填）'}",
            f"对方：{tracker.get_slot('counterparty') or '（未填）'}",
        ]
        if tracker.get_slot("handoff_kind") == "legal_aid":
            hardship = {"yes": "是", "no": "否"}.get(tracker.get_slot("legal_aid_eligible") or "", "（未填）")
            lines.append(f"经济困难：{hardship}")
        lines.append("没问题就点“确认提交”。")
        dispatcher.utter_message(text="\n".join(lines), buttons=CONFIRM_BUTTONS)
        return []
