"""Exceptions of the knowledge package.

KnowledgeError
 ├── IndexNotBuilt      - the index for the configured inputs has not been built yet
 ├── UnknownSource      - a source filter outside ``statute | village_rule | faq``
 └── InvalidQuery       - empty query or a non-positive ``k``
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
