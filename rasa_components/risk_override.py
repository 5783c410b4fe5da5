"""The intent agrees with the risk engine: ``emergency`` exactly when ``triage.assess_risk`` says so.

Danger is judged once, by the same engine on every channel (``triage.risk``), so the hotline
assist and the chat give the same level for the same words. DIET's own ``emergency`` guess is not
trusted either way: on unseen messages it called a name and a phone number an emergency and
missed a hit-and-run. So an emergency verdict forces the intent to ``emergency`` (confidence
1.0), and an ``emergency`` guess the engine does not share is replaced by the runner-up intent.
Every cue (any level) is attached as a ``risk_cue`` entity, so the tracker records why.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from rasa_components._base import StatelessComponent
from rasa_components.question_router import QUESTION, misread_question
from triage import assess_risk

EMERGENCY = "emergency"
#: Same as the FallbackClassifier threshold in config.yml: a demoted guess whose runner-up is
#: this unsure becomes ``nlu_fallback`` (ask to rephrase) rather than a wrong confident reply.
FALLBACK_THRESHOLD = 0.35


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RiskOverride(StatelessComponent):
    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if not text or text.startswith("/"):
                continue
            assessment = assess_risk(text)
            if assessment.cues:
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
                            "text": text[cue.start : cue.end],
                        }
                    )
                message.set(ENTITIES, entities, add_to_output=True)
            is_emergency = (message.get(INTENT) or {}).get("name") == EMERGENCY
            if assessment.level == EMERGENCY and not is_emergency:
                forced = {"name": EMERGENCY, "confidence": 1.0}
                ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != EMERGENCY]
                message.set(INTENT, forced, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [forced, *ranking], add_to_output=True)
            elif assessment.level != EMERGENCY and is_emergency:
                self._demote(message)
        return messages

    @staticmethod
    def _demote(message: Message) -> None:
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != EMERGENCY]
        runner_up = ranking[0] if ranking else None
        if runner_up is None or float(runner_up.get("confidence") or 0.0) < FALLBACK_THRESHOLD:
            # DIET was sure of danger and of nothing else: a story about a matter ("我老公喝了酒就打我
            # 肋骨打断了 我想离婚") is answered, the level stays on the conversation; only words that
            # tell no matter are asked to be put another way.
            text = message.get(TEXT) or ""
            told = misread_question("nlu_fallback", text)
            runner_up = {"name": QUESTION if told else "nlu_fallback", "confidence": FALLBACK_THRESHOLD}
            ranking = [runner_up, *[r for r in ranking if r.get("name") != runner_up["name"]]]
        message.set(INTENT, dict(runner_up), add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
