"""Answer a legal or village-rule question, or a follow-up about the current matter (``knowledge.guides.policy``).

The answer comes first: the matter's guide and the articles it rests on, worded less surely when
retrieval is unsure. A clarifying question only when no matter can be inferred, and never twice in
a row: the next message is read together with the one before. The matter answered becomes the
conversation's current matter (slot ``matter``), so "那俺该上哪告他去" is answered from its guide.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions._replies import send_reply
from actions._resources import advisor
from knowledge import KnowledgeError
from knowledge.guides import GuideFormatError
from knowledge.guides.policy import Advice, Turn
from knowledge.guides.render import (
    CLARIFY,
    FOLLOW_UP_TITLES,
    HANDOFF,
    brief_answer,
    full_answer,
    next_sections,
    section_answer,
)
from triage import DISPUTE_TYPE_LABELS, classify_dispute

logger = logging.getLogger(__name__)

HANDOFF_BUTTONS = [
    {"title": "找调解员", "payload": "/request_mediation"},
    {"title": "找律师", "payload": "/request_lawyer"},
]
COMMON_TOPICS = ("land_contract", "marriage_family", "support_elderly", "wage_arrears", "neighbor", "homestead", "debt")
MAX_TOPIC_BUTTONS = 5
#: Follow-up buttons under an answer: the two residents ask for most, then the people to turn to.
FIRST_FOLLOW_UPS = ("steps", "evidence")


def topic_buttons(question: str) -> list[dict[str, str]]:
    """Likely topics first (what the words suggest), then the commonest village matters."""
    guessed = classify_dispute(question)
    order = ([guessed.value] if guessed else []) + [t for t in COMMON_TOPICS if not guessed or t != guessed.value]
    return [
        {"title": DISPUTE_TYPE_LABELS[t], "payload": f'/ask_legal_question{{"dispute_type": "{t}"}}'}
        for t in order[:MAX_TOPIC_BUTTONS]
    ]


def follow_up_button(section: str) -> dict[str, str]:
    return {"title": FOLLOW_UP_TITLES[section], "payload": f'/ask_followup{{"followup_section": "{section}"}}'}


def _entity(message: dict[str, Any], name: str) -> str | None:
    for entity in message.get("entities") or []:
        if entity.get("entity") == name and entity.get("value"):
            return str(entity["value"])
    return None


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
        intent = (message.get("intent") or {}).get("name")
        pending = tracker.get_slot("pending_question")
        current = tracker.get_slot("matter")
        topic = metadata.get("topic") if metadata.get("topic") in DISPUTE_TYPE_LABELS else None
        section = _entity(message, "followup_section")
        if not text or text.startswith("/"):
            # A button: a topic picked after a clarifying question, or a follow-up section.
            topic = topic or tracker.get_slot("dispute_type")
            if section and current:
                text = section
            elif pending:
                text, pending = pending, None
            else:
                label = DISPUTE_TYPE_LABELS.get(topic or "", "")
                ask = f"请具体说说{label}方面遇到了什么事" if label else "请把您遇到的事情说得具体一点"
                send_reply(dispatcher, ask + "，比如谁、什么时候、发生了什么。")
                return []
        turn = Turn(
            text=text,
            village_id=metadata.get("village_id"),
            about_village=intent == "ask_village_rule",
            current_matter=current,
            pending_question=pending,
            topic=topic,
            dispute_type=tracker.get_slot("dispute_type") if topic is None else topic,
            section=section,
        )
        try:
            advice = advisor().advise(turn)
        except (KnowledgeError, GuideFormatError):
            logger.exception("knowledge search failed")
            dispatcher.utter_message(response="utter_search_failed")
            return []
        return self._reply(dispatcher, advice, text)

    @staticmethod
    def _reply(dispatcher: CollectingDispatcher, advice: Advice, text: str) -> list[dict[str, Any]]:
        if advice.kind == "clarify":
            send_reply(dispatcher, CLARIFY, buttons=topic_buttons(text) + HANDOFF_BUTTONS)
            return [SlotSet("pending_question", advice.query)]
        if advice.kind == "handoff":
            send_reply(dispatcher, HANDOFF, buttons=HANDOFF_BUTTONS)
            return [SlotSet("pending_question", None)]
        if advice.kind == "section":
            follow_ups = [s for s in next_sections(advice) if s != "steps" or "steps" not in advice.sections][:2]
            send_reply(
                dispatcher,
                section_answer(advice),
                citations=advice.citations,
                buttons=[follow_up_button(s) for s in follow_ups] + HANDOFF_BUTTONS,
                brief=section_answer(advice),
            )
            return [SlotSet("pending_question", None)]
        buttons = ([follow_up_button(s) for s in FIRST_FOLLOW_UPS] if advice.guide else []) + HANDOFF_BUTTONS
        send_reply(
            dispatcher, full_answer(advice), citations=advice.citations, buttons=buttons, brief=brief_answer(advice)
        )
        events = [SlotSet("pending_question", None), SlotSet("matter", advice.matter)]
        if advice.guide is not None:
            events.append(SlotSet("dispute_type", advice.guide.dispute_type))
        return events
