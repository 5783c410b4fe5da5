"""Facts in a resident's or caller's words: who, where, against whom, how much, when, for whom.

One reader for the chat's intake form and the hotline assist (``read_facts``). Not imported by
``triage`` itself: the date and amount readers load ``cn2an``, which the risk engine does not need.
"""

from triage.facts.reader import ASKABLE, Facts, read_facts
from triage.facts.relation import RELATIONS, Relation, find_relation, is_named, merge_relation, normalize_village

__all__ = [
    "ASKABLE",
    "RELATIONS",
    "Facts",
    "Relation",
    "find_relation",
    "is_named",
    "merge_relation",
    "normalize_village",
    "read_facts",
]
