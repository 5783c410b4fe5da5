"""Turning source files into ``Document`` units: statutes, FAQs (and later village rules)."""

from knowledge.ingest.faqs import load_faqs
from knowledge.ingest.laws import LawFile, load_statutes, parse_law_file, select_current_versions

__all__ = ["LawFile", "load_faqs", "load_statutes", "parse_law_file", "select_current_versions"]
