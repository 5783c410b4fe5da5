"""A question is answered and a request is registered, whatever DIET guessed.

**Questions.**

DIET learnt the handoff intents (report a dispute, a lawyer, mediation, legal aid) from requests that
often tell the story first, so it reads story-shaped questions ("俺没正经工作 会不会因为这个把娃判给
他") as requests and starts the intake form; it reads "还要补点啥证据" as a case-status lookup, and
long dialect questions fall under the fallback threshold ("请换个说法"). When such a message asks a
question and nowhere asks for a person (``triage.asking``), and a status lookup names no case or
progress, the intent becomes ``ask_legal_question``: the answer policy then answers it, asks once
what matter it is, or offers a person.

**Requests.** The other way round, a story that ends with an explicit request for a person ("…俺想找个
律师帮俺要钱中不中", "帮俺登记一下") is often read as a legal question because it is mostly story: when
the words ask for a person (``triage.facts.people.requested_help``) and are not a question about that
person ("请律师要钱不"), the intent becomes the matching handoff, and the intake form keeps the story.

A button payload ("/request_lawyer") is never rerouted.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from rasa_components._base import StatelessComponent
from triage import classify_dispute
from triage.asking import asks_about_a_case, asks_rather_than_requests
from triage.facts.people import requested_help
from triage.followup import asks_for_section

#: Legal aid is left alone: asking how to get it is best met by the application itself (its intake form).
HANDOFF_INTENTS = frozenset({"report_dispute", "request_lawyer", "request_mediation"})
REROUTED = HANDOFF_INTENTS | {"check_case_status", "nlu_fallback"}
QUESTION = "ask_legal_question"
STORY_MIN_CHARS = 12
#: Intents under which an explicit request for a person is missed, and the intent each request is.
QUESTION_INTENTS = frozenset({"ask_legal_question", "ask_followup", "ask_village_rule", "nlu_fallback"})
REQUEST_INTENT = {"lawyer": "request_lawyer", "mediation": "request_mediation", "legal_aid": "legal_aid",
                  "report": "report_dispute"}  # fmt: skip


def missed_request(intent: str, text: str) -> str | None:
    """The handoff intent an explicit request for a person read as a question should be, or None."""
    if intent not in QUESTION_INTENTS or asks_rather_than_requests(text):
        return None
    kind = requested_help(text)
    return REQUEST_INTENT.get(kind) if kind else None


def misread_question(intent: str, text: str) -> bool:
    """Whether a message DIET filed under ``intent`` is really a question for the answer policy."""
    if intent not in REROUTED:
        return False
    if intent == "check_case_status" and asks_about_a_case(text):
        return False
    if intent == "nlu_fallback" and (asks_for_section(text) or tells_a_matter(text)):
        return True  # "请换个说法" is no answer to a story about a matter
    return asks_rather_than_requests(text)


def tells_a_matter(text: str) -> bool:
    """A story that names a kind of dispute: long enough to be more than a word, or a strong phrase ("不好好养我爹")."""
    match = classify_dispute(text)
    return match is not None and (len(text) >= STORY_MIN_CHARS or (match.strong and len(match.keyword) >= 4))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class QuestionRouter(StatelessComponent):
    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            intent = message.get(INTENT) or {}
            name = intent.get("name") or ""
            if text.startswith("/"):
                continue
            target = missed_request(name, text) or (QUESTION if misread_question(name, text) else None)
            if target is None:
                continue
            routed = {"name": target, "confidence": float(intent.get("confidence") or 0.0)}
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != target]
            message.set(INTENT, routed, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [routed, *ranking], add_to_output=True)
        return messages
