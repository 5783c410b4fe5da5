"""Every ``dispute_type`` entity leaves the pipeline with one of the fixed values, or not at all.

DIET finds the span ("房基地", "工钱要不回来") and the synonym mapper turns known spans into
values, but a span nobody listed would come out raw and reach the case store as a free-text
"type". This component maps such raw values with ``triage.normalize_dispute_value``, drops
those it cannot map, and, when DIET found nothing, falls back to the lexicon over the whole
message (``triage.classify_dispute``), so that a typo DIET never saw still lands on a type.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from rasa_components._base import StatelessComponent
from triage import DISPUTE_TYPES, classify_dispute, normalize_dispute_value

ENTITY = "dispute_type"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class DisputeTypeNormalizer(StatelessComponent):
    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entities = []
            found = False
            for entity in message.get(ENTITIES) or []:
                if entity.get("entity") != ENTITY:
                    entities.append(entity)
                    continue
                value = entity.get("value")
                if value not in DISPUTE_TYPES:
                    value = normalize_dispute_value(str(value or "")) or normalize_dispute_value(
                        str(entity.get("text") or "")
                    )
                if value is None or found:
                    continue
                entities.append({**entity, "value": value})
                found = True
            if not found:
                match = classify_dispute(message.get(TEXT) or "")
                if match is not None:
                    entities.append(
                        {
                            "entity": ENTITY,
                            "value": match.value,
                            "start": match.start,
                            "end": match.end,
                            "confidence_entity": 1.0,
                            "extractor": self.__class__.__name__,
                            "text": match.keyword,
                        }
                    )
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
