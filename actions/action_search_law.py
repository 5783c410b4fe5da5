"""Answer a legal or village-rule question with cited articles from the knowledge base."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions._replies import DISCLAIMER, format_citation_list, send_reply
from actions._resources import knowledge_base
from knowledge import Hit, KnowledgeError

logger = logging.getLogger(__name__)

TOP_CITATIONS = 3
#: Village rules come first, but at most this many, so a statute is always cited too.
MAX_RULE_CITATIONS = 2
HANDOFF_BUTTONS = [
    {"title": "找调解员", "payload": "/request_mediation"},
    {"title": "找律师", "payload": "/request_lawyer"},
]


class ActionSearchLaw(Action):
    """Search statutes (and the resident's village rules, first, when the village is known)."""

    def name(self) -> str:
        return "action_search_law"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        message = tracker.latest_message or {}
        question = (message.get("text") or "").strip()
        village_id = (message.get("metadata") or {}).get("village_id")
        if not question or question.startswith("/"):
            send_reply(dispatcher, "请把您遇到的事情说得具体一点，比如谁、什么时候、发生了什么。")
            return []
        try:
            hits = self._search(question, village_id)
        except KnowledgeError:
            logger.exception("knowledge search failed")
            dispatcher.utter_message(response="utter_search_failed")
            return []
        if not hits:
            send_reply(
                dispatcher,
                "没有找到和您的问题直接相关的规定。建议找村法律顾问或调解员当面问问。\n" + DISCLAIMER,
                buttons=HANDOFF_BUTTONS,
            )
            return []
        text = "找到这些相关规定，供您参考：\n" + format_citation_list(hits) + "\n" + DISCLAIMER
        send_reply(dispatcher, text, citations=hits, buttons=HANDOFF_BUTTONS)
        return []

    @staticmethod
    def _search(question: str, village_id: str | None) -> list[Hit]:
        kb = knowledge_base()
        rules = []
        if village_id:
            rules = kb.search(question, k=MAX_RULE_CITATIONS, source="village_rule", village_id=village_id)
        statutes = kb.search(question, k=TOP_CITATIONS - len(rules), source="statute")
        return rules + statutes
