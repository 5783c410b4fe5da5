"""Danger outranks the classifier: explicit danger words force the ``emergency`` intent.

A statistical classifier trained on a few hundred examples will, sooner or later, file
"他拿着刀在门口转" under report_dispute. For danger a missed detection costs far more than a
false alarm, so a deterministic cue lexicon (``triage.assess_risk``) has the last word: any
emergency cue sets the intent to ``emergency`` with confidence 1.0. Every cue (any level) is
also attached as a ``risk_cue`` entity, so the tracker records why. Conversely, a hesitant
``emergency`` guess with no danger word at all is demoted (see ``MIN_UNCUED_CONFIDENCE``).
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from rasa_components._base import StatelessComponent
from triage import assess_risk

EMERGENCY = "emergency"
#: Below this, an ``emergency`` guess without a single danger word is demoted to the runner-up.
#: Short form answers ("李桂兰", a village name, "邻居0" typed as the other party) otherwise
#: come out as emergencies and file false alarms (one at 0.6+ was seen in the scale-out test);
#: every emergency in the dev file that carried no lexicon cue was predicted at 0.85 or more.
MIN_UNCUED_CONFIDENCE = 0.85
#: Same as the FallbackClassifier threshold in config.yml: a demoted guess whose runner-up is
#: this unsure becomes ``nlu_fallback`` (ask to rephrase) rather than a wrong confident reply.
FALLBACK_THRESHOLD = 0.35


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RiskOverride(StatelessComponent):
    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if not text:
                continue
            assessment = assess_risk(text)
            if not assessment.cues:
                self._demote_uncued_guess(message, text)
                continue
            entities = list(message.get(ENTITIES) or [])
            for cue in assessment.cues:
                entities.append(
                    {
                        "entity": "risk_cue",
                        "value": cue.level,
                        "start": cue.start,
                        "end": cue.end,
                        "confidence_entity": 1.0,
                        "extractor": self.__class__.__name__,
                        "text": cue.text,
                    }
                )
            message.set(ENTITIES, entities, add_to_output=True)
            if assessment.level == EMERGENCY and (message.get(INTENT) or {}).get("name") != EMERGENCY:
                forced = {"name": EMERGENCY, "confidence": 1.0}
                ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != EMERGENCY]
                message.set(INTENT, forced, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [forced, *ranking], add_to_output=True)
        return messages

    @staticmethod
    def _demote_uncued_guess(message: Message, text: str) -> None:
        intent = message.get(INTENT) or {}
        if intent.get("name") != EMERGENCY:
            return
        # Digits and Latin letters alone ("12345", "0000", "88") are form answers or chatter:
        # DIET has seen 110 and 120 in emergency examples and over-reads numbers.
        wordless = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff") < 2
        if not wordless and float(intent.get("confidence") or 0.0) >= MIN_UNCUED_CONFIDENCE:
            return
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != EMERGENCY]
        runner_up = ranking[0] if ranking else None
        if runner_up is None or float(runner_up.get("confidence") or 0.0) < FALLBACK_THRESHOLD:
            runner_up = {"name": "nlu_fallback", "confidence": FALLBACK_THRESHOLD}
            ranking = [runner_up, *ranking]
        message.set(INTENT, dict(runner_up), add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
