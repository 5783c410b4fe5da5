"""Readiness probe of the action server's knowledge base, called by the gateway's /readyz."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions._resources import knowledge_status


class ActionKnowledgeStatus(Action):
    """Not part of any conversation: reports whether the index is loaded, starting the load."""

    def name(self) -> str:
        return "action_knowledge_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        ready, error = knowledge_status()
        dispatcher.utter_message(json_message={"knowledge_ready": ready, "error": error})
        return []
