"""A question is answered, not registered: handoff intents without a request for a person become questions.

DIET learnt the handoff intents (report a dispute, a lawyer, mediation, legal aid) from requests that
often tell the story first, so it reads story-shaped questions ("俺没正经工作 会不会因为这个把娃判给
他") as requests and starts the intake form. When such a message asks a question and nowhere asks
for a person (``triage.asking``), the intent becomes ``ask_legal_question``: the answer policy then
answers it, or offers the person. A button payload ("/request_lawyer") is never rerouted.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from rasa_components._base import StatelessComponent
from triage.asking import asks_rather_than_requests

HANDOFF_INTENTS = frozenset({"report_dispute", "request_lawyer", "request_mediation", "legal_aid"})
QUESTION = "ask_legal_question"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class QuestionRouter(StatelessComponent):
    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            intent = message.get(INTENT) or {}
            if intent.get("name") not in HANDOFF_INTENTS or text.startswith("/"):
                continue
            if not asks_rather_than_requests(text):
                continue
            routed = {"name": QUESTION, "confidence": float(intent.get("confidence") or 0.0)}
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != QUESTION]
            message.set(INTENT, routed, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [routed, *ranking], add_to_output=True)
        return messages
