"""From hits to an answer a resident can act on, or an honest "please tell me more".

The thresholds were chosen on the dev split of the FAQ questions with
``bench/calibrate_answers.py`` (self-built encoder, hybrid retrieval):

* A FAQ answer is shown only for a near-duplicate question (dense cosine ≥ 0.85). Below that,
  the nearest lawyer-written answer shares a cited article with the right ones only about 40%
  of the time: it is about a *different* situation, and reading it as "the answer" would be a
  confident wrong answer.
* When the best statute's fused score is below 0.75, the top three articles contain a right one
  for only about 29% of dev questions (65% above it; 21 of 143 fall below), so the assistant
  asks a clarifying question instead of answering. The learned ranker's scores are mapped onto
  the scale of the earlier hand-weighted sum (``knowledge.ranker.calibrated``), for which the
  figures were 16% and 62%.

Village rules have no held-out questions to calibrate on; on the three sample villages relevant
clauses scored 0.85–1.0 and unrelated ones 0.45–0.76, hence (provisionally): a rule is cited for
a general legal question from 0.6, counts as a confident answer from 0.8, and for a question
explicitly about the village's rules the best clauses are always shown.

All thresholds depend on the encoder's score scale; a deployment with another encoder should
re-run the calibration and set ``AnswerPolicy`` accordingly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from knowledge.base import KnowledgeBase
from knowledge.types import Hit

AnswerKind = Literal["faq", "statutes", "clarify", "none"]

#: Ends every legal answer, wherever it is worded (action server, or the gateway's degraded mode).
DISCLAIMER = "以上是一般性法律信息，不是针对您个案的法律意见；具体情况请找村法律顾问，或拨打12348公共法律服务热线。"
QUOTE_CHARS = 120
_SENTENCE_END = re.compile(r"(?<=[。！？；])")


@dataclass(frozen=True)
class AnswerPolicy:
    faq_min_cosine: float = 0.85
    statute_min_score: float = 0.75
    rule_min_score: float = 0.6
    rule_confident_score: float = 0.8
    max_citations: int = 3
    max_rule_citations: int = 2
    summary_chars: int = 160


#: Once the resident has said which matter it is (a topic button), asking again helps nobody:
#: answer with the best we have.
ANSWER_ANYWAY = AnswerPolicy(statute_min_score=0.0)


@dataclass(frozen=True)
class Answer:
    """``summary`` is the short plain-language part; ``citations`` carry the exact quoted text."""

    kind: AnswerKind
    summary: str
    citations: list[Hit] = field(default_factory=list)
    faq: Hit | None = None
    confidence: float = 0.0


def first_sentences(text: str, limit: int) -> str:
    """Whole sentences up to ``limit`` characters, so a quote never stops mid-clause."""
    flat = " ".join(text.split())
    out = ""
    for sentence in _SENTENCE_END.split(flat):
        if not sentence:
            continue
        if out and len(out) + len(sentence) > limit:
            break
        out += sentence
    if len(out) > limit:
        out = out[: limit - 1] + "…"
    return out


def answer_question(
    kb: KnowledgeBase,
    question: str,
    *,
    village_id: str | None = None,
    about_village: bool = False,
    policy: AnswerPolicy | None = None,
) -> Answer:
    """Search and decide how sure we are; the caller words the reply.

    Args:
        about_village: the resident asked about the village's own rules (村规民约), so its best
            clauses are shown even when they score low: they are what was asked for.
    """
    policy = policy or AnswerPolicy()
    rules: list[Hit] = []
    if village_id:
        rules = kb.search(question, k=policy.max_rule_citations, source="village_rule", village_id=village_id)
        if not about_village:
            rules = [hit for hit in rules if hit.score >= policy.rule_min_score]
    statutes = kb.search(question, k=policy.max_citations, source="statute")
    citations = (rules + statutes)[: policy.max_citations] if rules else statutes
    if not citations:
        return Answer("none", "", [])
    top_statute = statutes[0].score if statutes else 0.0

    faq = None
    if "dense" in kb.modes:
        near = kb.search(question, k=1, source="faq", mode="dense")
        if near and near[0].score >= policy.faq_min_cosine:
            faq = near[0]
    if faq is not None:
        summary = first_sentences(faq.text, policy.summary_chars)
        return Answer("faq", summary, citations, faq=faq, confidence=faq.score)

    confident_rule = bool(rules) and (about_village or rules[0].score >= policy.rule_confident_score)
    if top_statute < policy.statute_min_score and not confident_rule:
        return Answer("clarify", "", citations, confidence=top_statute)

    lead = citations[0]
    where = citation_label(lead.source, lead.title, lead.article)
    summary = f"这类事主要看{where}的规定：{first_sentences(lead.text, policy.summary_chars)}"
    return Answer("statutes", summary, citations, confidence=top_statute)


def citation_label(source: str, title: str, article: str) -> str:
    """How a source is named to a resident: a law in book-title marks, a village rule by its own title."""
    return f"{title}{article}" if source == "village_rule" else f"《{title}》{article}"


def short_quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """A one-line excerpt for the chat bubble; the full text travels in the citation."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def format_citation_list(hits: list[Hit]) -> str:
    lines = []
    for i, hit in enumerate(hits, 1):
        lines.append(f"{i}. {citation_label(hit.source, hit.title, hit.article)}：{short_quote(hit.text)}")
    return "\n".join(lines)
