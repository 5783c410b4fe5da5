"""A question is answered, not registered or asked back: misread questions become ``ask_legal_question``.

DIET learnt the handoff intents (report a dispute, a lawyer, mediation, legal aid) from requests that
often tell the story first, so it reads story-shaped questions ("俺没正经工作 会不会因为这个把娃判给
他") as requests and starts the intake form; it reads "还要补点啥证据" as a case-status lookup, and
long dialect questions fall under the fallback threshold ("请换个说法"). When such a message asks a
question and nowhere asks for a person (``triage.asking``), and a status lookup names no case or
progress, the intent becomes ``ask_legal_question``: the answer policy then answers it, asks once
what matter it is, or offers a person. A button payload ("/request_lawyer") is never rerouted.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from rasa_components._base import StatelessComponent
from triage.asking import asks_about_a_case, asks_rather_than_requests
from triage.followup import asks_for_section

#: Legal aid is left alone: asking how to get it is best met by the application itself (its intake form).
HANDOFF_INTENTS = frozenset({"report_dispute", "request_lawyer", "request_mediation"})
REROUTED = HANDOFF_INTENTS | {"check_case_status", "nlu_fallback"}
QUESTION = "ask_legal_question"


def misread_question(intent: str, text: str) -> bool:
    """Whether a message DIET filed under ``intent`` is really a question for the answer policy."""
    if intent not in REROUTED:
        return False
    if intent == "check_case_status" and asks_about_a_case(text):
        return False
    return asks_rather_than_requests(text) or (intent == "nlu_fallback" and asks_for_section(text))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class QuestionRouter(StatelessComponent):
    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            intent = message.get(INTENT) or {}
            if text.startswith("/") or not misread_question(intent.get("name") or "", text):
                continue
            routed = {"name": QUESTION, "confidence": float(intent.get("confidence") or 0.0)}
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != QUESTION]
            message.set(INTENT, routed, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [routed, *ranking], add_to_output=True)
        return messages
