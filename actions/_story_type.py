"""The dispute type a resident's story names, for the intake form and the answer before it.

The guides' matter model reads whole stories better than the type lexicon (it was fitted on the
guides' own questions, so "包工头跑了 电话也不接" is wages without the word 工资); the lexicon still
decides when the model has nothing to say. When neither knows, the form asks: the resident's own
answer is worth more than a guess. Only the guides and the model are read, never the index, so the
form works while the index is still loading.
"""

from __future__ import annotations

import logging

from cunfa.settings import get_settings
from knowledge.guides import Guide, GuideFormatError
from knowledge.guides.matter import load_matter_model, told_guide
from knowledge.guides.service import shared_book
from triage import classify_dispute

logger = logging.getLogger(__name__)

#: Fewer characters than this name no type (a one-word answer is read by the lexicon alone).
MIN_CHARS = 4
OTHER = "other"
#: Guides about the help asked for, not about a matter: their words ("请个调解员") name no type.
HELP_GUIDES = frozenset({"legal_aid", "mediation"})


def story_type(text: str) -> str | None:
    """The type of the matter the words tell, or None when neither the model nor the lexicon knows.

    The model's matter wins, except that a matter typed "其他" (村务, 诈骗, 盖房…) gives way to a
    keyword that names a type outright (离婚, 宅基地) and is itself ignored when the words tell no
    more than the kind of help wanted (the legal-aid and mediation guides).
    """
    told = classify_dispute(text or "")
    lexicon = told.value if told else None
    guide = _model_guide(text) if len(text or "") >= MIN_CHARS else None
    if guide is None or guide.id in HELP_GUIDES:
        return lexicon
    if guide.dispute_type == OTHER and told is not None and told.strong:
        return lexicon
    return guide.dispute_type


def _model_guide(text: str) -> Guide | None:
    try:
        book = shared_book(get_settings())
    except GuideFormatError:
        logger.exception("intake: the guides do not load; the type lexicon decides alone")
        return None
    return told_guide(text, book, load_matter_model())
