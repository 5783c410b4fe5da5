"""Read the collected facts back before anything is filed, so the resident can fix them."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions._intake import FIELD_LABELS
from cases.consent import is_sensitive, sensitive_notice
from triage import DISPUTE_TYPE_LABELS

#: How the read-back names the contact's relation to the person affected.
RELATION_WORDS = {
    "father": "父亲", "mother": "母亲", "son": "儿子", "daughter": "女儿", "husband": "丈夫", "wife": "妻子",
    "brother": "兄弟", "sister": "姐妹", "other_relative": "亲属", "neighbor": "邻居", "other": "代办人",
}  # fmt: skip

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
        relation = tracker.get_slot("contact_relation") or "self"
        name = tracker.get_slot("resident_name") or "（未填）"
        lines = ["请核对一下登记的信息："]
        if relation != "self":
            # Who asks for whom, said back so a wrong guess ("儿子" for a daughter) can be fixed.
            affected = tracker.get_slot("affected_person") or "当事人"
            lines.append(f"联系人：{name}（{affected}的{RELATION_WORDS.get(relation, '亲属')}）")
            lines.append(f"当事人：{affected}")
        else:
            lines.append(f"称呼：{name}")
        lines += [
            f"电话：{tracker.get_slot('phone') or '（未填）'}",
            f"村：{tracker.get_slot('village') or '（未填）'}",
            f"事情类型：{DISPUTE_TYPE_LABELS.get(dispute, dispute or '（未填）')}",
            f"事情经过：{tracker.get_slot('description') or '（未填）'}",
            f"对方：{tracker.get_slot('counterparty') or '（未填）'}",
        ]
        if tracker.get_slot("amount"):
            lines.append(f"涉及金额：{tracker.get_slot('amount')}")
        if tracker.get_slot("incident_date"):
            lines.append(f"时间：{tracker.get_slot('incident_date')}")
        if tracker.get_slot("handoff_kind") == "legal_aid":
            hardship = {"yes": "是", "no": "否", "unknown": "由法律援助中心核实"}.get(
                tracker.get_slot("legal_aid_eligible") or "", "（未填）"
            )
            lines.append(f"经济困难：{hardship}")
        if is_sensitive(dispute, tracker.get_slot("matter"), tracker.get_slot("description")):
            lines.append(sensitive_notice())
        lines.append("没问题就点“确认提交”。")
        dispatcher.utter_message(text="\n".join(lines), buttons=CONFIRM_BUTTONS)
        return []
