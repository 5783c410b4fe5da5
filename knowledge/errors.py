"""Exceptions of the knowledge package.

KnowledgeError
 ├── IndexNotBuilt      - the index for the configured inputs has not been built yet
 ├── UnknownSource      - a source filter outside ``statute | village_rule | faq``
 ├── InvalidQuery       - empty query or a non-positive ``k``
 ├── InvalidVillage     - a bad village id or name
 ├── RulesFormatError   - village rules without ``第N条`` clauses, a repeated or empty clause
 └── GuideFormatError   - a matter guide that does not follow the schema (``knowledge.guides.model``)
Only ``api/errors.py`` maps these to HTTP status codes.
"""


class KnowledgeError(Exception):
    """Base class for everything the knowledge package raises on purpose."""


class IndexNotBuilt(KnowledgeError):
    """Raised when a search is attempted before ``cunfa index build`` has run."""


class UnknownSource(KnowledgeError):
    """Raised for a ``source`` filter the knowledge base does not hold."""


class InvalidQuery(KnowledgeError):
    """Raised for an empty query or a ``k`` that is not positive."""


class InvalidVillage(KnowledgeError):
    """Bad village id or name."""


class RulesFormatError(KnowledgeError):
    """The text has no ``第N条`` clause, or a clause number repeats."""
