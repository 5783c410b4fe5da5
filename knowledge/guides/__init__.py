"""Matter guides (办事指南): reviewed, cited, plain-language answers for the matters villagers raise."""

from knowledge.guides.book import GuideBook, load_guides
from knowledge.guides.check import citation_problems, resolve, statute_lookup
from knowledge.guides.model import (
    SECTION_TITLES,
    SECTIONS,
    SUMMARY_MAX_CHARS,
    Guide,
    GuideFormatError,
    Statement,
    parse_guide,
    read_guide,
)

__all__ = [
    "SECTIONS",
    "SECTION_TITLES",
    "SUMMARY_MAX_CHARS",
    "Guide",
    "GuideBook",
    "GuideFormatError",
    "Statement",
    "citation_problems",
    "load_guides",
    "parse_guide",
    "read_guide",
    "resolve",
    "statute_lookup",
]
