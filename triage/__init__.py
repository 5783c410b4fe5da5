"""Triage of residents' messages without Rasa: dispute type, risk level and phone numbers.

Pure Python and deterministic so that the Rasa NLU component, the action server and the hotline agent-assist
API all reach the same verdict on the same words, without importing Rasa. Importing is cheap: regexes are
compiled at import, while OpenCC and ``phonenumbers`` load on first use.
"""

from __future__ import annotations

from triage.contacts import extract_phones, last4, mask_cards, mask_identifiers, mask_phone, parse_phone
from triage.dispute_types import (
    DISPUTE_TYPE_LABELS,
    DISPUTE_TYPES,
    DisputeMatch,
    classify_dispute,
    normalize_dispute_value,
)
from triage.risk import RiskAssessment, RiskCue, assess_risk, is_identity_only
from triage.risk_levels import LEVELS, RISK_ORDER, RiskLevel, level_rank, max_level
from triage.text import normalize

__all__ = [
    "DISPUTE_TYPES",
    "DISPUTE_TYPE_LABELS",
    "RISK_ORDER",
    "DisputeMatch",
    "LEVELS",
    "RiskAssessment",
    "RiskCue",
    "RiskLevel",
    "assess_risk",
    "classify_dispute",
    "extract_phones",
    "is_identity_only",
    "level_rank",
    "last4",
    "mask_cards",
    "mask_identifiers",
    "mask_phone",
    "max_level",
    "normalize",
    "normalize_dispute_value",
    "parse_phone",
]
