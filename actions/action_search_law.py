"""Answer a legal or village-rule question: a short plain answer, exact citations, or a clarifying question."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions._replies import DISCLAIMER, format_citation_list, send_reply
from actions._resources import knowledge_base
from knowledge import ANSWER_ANYWAY, KnowledgeError, answer_question
from triage import DISPUTE_TYPE_LABELS, classify_dispute

logger = logging.getLogger(__name__)

HANDOFF_BUTTONS = [
    {"title": "找调解员", "payload": "/request_mediation"},
    {"title": "找律师", "payload": "/request_lawyer"},
]
COMMON_TOPICS = ("land_contract", "marriage_family", "support_elderly", "wage_arrears", "neighbor", "homestead", "debt")
MAX_TOPIC_BUTTONS = 5


def topic_buttons(question: str) -> list[dict[str, str]]:
    """Likely topics first (what the words suggest), then the commonest village matters."""
    guessed = classify_dispute(question)
    order = ([guessed.value] if guessed else []) + [t for t in COMMON_TOPICS if not guessed or t != guessed.value]
    return [
        {"title": DISPUTE_TYPE_LABELS[t], "payload": f'/ask_legal_question{{"dispute_type": "{t}"}}'}
        for t in order[:MAX_TOPIC_BUTTONS]
    ]


class ActionSearchLaw(Action):
    """Village rules come first when the resident's village is known; every answer ends with the disclaimer."""

    def name(self) -> str:
        return "action_search_law"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        message = tracker.latest_message or {}
        text = (message.get("text") or "").strip()
        metadata = message.get("metadata") or {}
        village_id = metadata.get("village_id")
        pending = tracker.get_slot("pending_question")
        policy = None
        if metadata.get("topic") in DISPUTE_TYPE_LABELS:
            # Asked through a topic button (the kiosk's common questions): the resident has
            # already said which matter it is, so asking again would only cost a turn.
            policy = ANSWER_ANYWAY
        if not text or text.startswith("/"):
            topic = tracker.get_slot("dispute_type")
            label = DISPUTE_TYPE_LABELS.get(topic or "", "")
            if not pending:
                ask = f"请具体说说{label}方面遇到了什么事" if label else "请把您遇到的事情说得具体一点"
                send_reply(dispatcher, ask + "，比如谁、什么时候、发生了什么。")
                return []
            text, policy = f"{label} {pending}".strip(), ANSWER_ANYWAY
        try:
            about_village = (message.get("intent") or {}).get("name") == "ask_village_rule"
            answer = answer_question(
                knowledge_base(), text, village_id=village_id, about_village=about_village, policy=policy
            )
        except KnowledgeError:
            logger.exception("knowledge search failed")
            dispatcher.utter_message(response="utter_search_failed")
            return []

        if answer.kind == "clarify":
            send_reply(
                dispatcher,
                "我还不太确定您问的是哪方面的事，怕答错了。您点一个最接近的，或者再多说几句具体情况：",
                buttons=topic_buttons(text) + HANDOFF_BUTTONS,
            )
            return [SlotSet("pending_question", text)]
        if answer.kind == "none":
            send_reply(
                dispatcher,
                "没有找到和您的问题直接相关的规定。您问的是哪方面的事？点一个最接近的，"
                "或者找村法律顾问、调解员当面问问。",
                buttons=topic_buttons(text) + HANDOFF_BUTTONS,
            )
            return [SlotSet("pending_question", text)]
        if answer.kind == "faq":
            lead = f"律师对类似问题（“{answer.faq.extra.get('question', '')}”）的解答：{answer.summary}"
        else:
            lead = answer.summary
        body = f"{lead}\n相关规定：\n{format_citation_list(answer.citations)}\n{DISCLAIMER}"
        send_reply(dispatcher, body, citations=answer.citations, buttons=HANDOFF_BUTTONS)
        return [SlotSet("pending_question", None)]
