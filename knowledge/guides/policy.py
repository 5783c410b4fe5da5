"""The answer policy: answer first, from the matter's guide, with the articles it rests on.

One policy for every channel (web chat, kiosk, WeChat, the hotline assist's drafts and the gateway's
degraded mode), so a villager gets the same advice wherever they ask:

1. **A follow-up** ("那俺该上哪告他去", "要花钱不", a 详细说说 button) while a matter is current is
   answered from that guide's sections (where / cost / time limits / evidence / steps), unless the
   message clearly raises another matter.
2. **A question whose matter can be inferred** gets an answer on the first reply: the guide's summary
   and the 1–3 best articles. The matter comes from the words (``knowledge.guides.matter``), the laws
   that retrieval's top hits come from, a topic button or the NLU's dispute type, and the
   conversation's current matter. Lower confidence changes the wording, not whether we answer.
3. **A clarifying question** only when no matter can be inferred at all, at most once per question:
   the resident's next message is read together with the one before. If even both together name no
   matter and retrieval is unsure, the resident is offered a person (``handoff``), never the same
   question again and never a guess.

Articles: retrieval's hits that the guide itself relies on come first, then the guide's key
articles; retrieval's best hit outside the guide is added when it scores as a confident answer.
Every article is one of the index's statutes in force, quoted from the corpus verbatim.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from knowledge.base import KnowledgeBase
from knowledge.citations import normalize_citation
from knowledge.guides.book import GuideBook
from knowledge.guides.matter import MatterModel
from knowledge.guides.model import SECTIONS, Guide
from knowledge.query import PreparedQuery
from knowledge.repeal import in_force
from knowledge.types import Hit
from triage.followup import asks_for_section, follow_up_sections, looks_like_follow_up
from triage.text import normalize

AdviceKind = Literal["answer", "section", "clarify", "handoff"]
#: Matters about procedure rather than substance: a follow-up that mentions them stays with its matter.
PROCEDURAL_MATTERS = frozenset({"legal_aid", "mediation", "petition"})
_SPACE_FREE = str.maketrans("", "", " ")


@dataclass(frozen=True)
class AdvicePolicy:
    """Weights and floors, chosen on the dev questions (``bench/answer_first.py --batch dev-1``)."""

    words_weight: float = 1.0
    retrieval_weight: float = 0.1
    topic_weight: float = 0.3
    current_weight: float = 0.15
    #: Below this combined score no matter is inferred and a clarifying question is asked (once).
    min_matter_score: float = 0.12
    #: A follow-up names a new matter when the words alone say so this strongly.
    new_matter_words: float = 0.3
    #: The same, for a short message that also asks for a section of the current guide.
    new_matter_words_asked: float = 0.6
    short_follow_up_chars: int = 16
    confident_score: float = 0.75
    retrieval_k: int = 100
    vote_k: int = 10
    max_citations: int = 3
    #: Added to retrieval's score for an article the guide relies on, and again for one of its key articles.
    guide_bonus: float = 1.0
    key_bonus: float = 0.5
    max_rule_citations: int = 2
    rule_min_score: float = 0.6
    rule_confident_score: float = 0.8


@dataclass(frozen=True)
class Turn:
    """What the conversation knows when a legal message arrives."""

    text: str
    village_id: str | None = None
    about_village: bool = False
    current_matter: str | None = None
    pending_question: str | None = None
    topic: str | None = None
    dispute_type: str | None = None
    section: str | None = None


@dataclass(frozen=True)
class Advice:
    kind: AdviceKind
    guide: Guide | None = None
    sections: tuple[str, ...] = ()
    citations: list[Hit] = field(default_factory=list)
    confident: bool = False
    score: float = 0.0
    query: str = ""
    ranking: tuple[tuple[str, float], ...] = ()

    @property
    def matter(self) -> str | None:
        return self.guide.id if self.guide else None


@dataclass
class Advisor:
    """Holds what the policy reads: the index, the guides and the matter model."""

    kb: KnowledgeBase
    book: GuideBook
    model: MatterModel | None
    policy: AdvicePolicy = field(default_factory=AdvicePolicy)

    def __post_init__(self) -> None:
        self._owners: dict[str, list[str]] = defaultdict(list)
        for guide in self.book:
            for ref in guide.cited():
                self._owners[normalize_citation(ref)].append(guide.id)

    # --- matter inference -------------------------------------------------------------------------

    def words(self, text: str) -> dict[str, float]:
        """P(matter) from the words alone."""
        if self.model is None:
            return {}
        view = normalize(text).translate(_SPACE_FREE)
        return {m: p for m, p in self.model.probabilities(view).items() if m in self.book}

    def votes(self, hits: list[Hit]) -> dict[str, float]:
        """Share of retrieval's top hits (rank-weighted) that each guide relies on."""
        votes: dict[str, float] = defaultdict(float)
        total = 0.0
        for rank, hit in enumerate(hits[: self.policy.vote_k]):
            weight = 1.0 / (rank + 1)
            total += weight
            owners = self._owners.get(normalize_citation(hit.citation), [])
            for owner in owners:
                votes[owner] += weight / len(owners)
        return {m: v / total for m, v in votes.items()} if total else {}

    def rank_matters(self, turn: Turn, text: str, hits: list[Hit]) -> list[tuple[str, float]]:
        p = self.policy
        words, votes = self.words(text), self.votes(hits)
        prior = turn.topic or turn.dispute_type
        scores: dict[str, float] = {}
        for guide in self.book:
            score = p.words_weight * words.get(guide.id, 0.0) + p.retrieval_weight * votes.get(guide.id, 0.0)
            if prior and guide.dispute_type == prior:
                score += p.topic_weight * (words.get(guide.id, 0.0) + votes.get(guide.id, 0.0) + 0.1)
            if turn.current_matter == guide.id:
                score += p.current_weight
            scores[guide.id] = score
        return sorted(scores.items(), key=lambda kv: -kv[1])

    # --- the decision ----------------------------------------------------------------------------

    def advise(self, turn: Turn) -> Advice:
        current = self.book.get(turn.current_matter)
        view = normalize(turn.text).translate(_SPACE_FREE)
        if current is not None and turn.section in SECTIONS:
            return self._section(current, (turn.section,), turn.text)
        if current is not None and looks_like_follow_up(view) and not self._new_matter(view, current):
            # The one section asked last: a follow-up asks one thing ("打官司要花多少钱" is the cost).
            return self._section(current, tuple(follow_up_sections(view)[:1]) or ("steps",), turn.text)

        clarified = bool(turn.pending_question)
        query = f"{turn.pending_question} {turn.text}".strip() if clarified else turn.text
        prepared = self.kb.prepare(query)  # segmented and encoded once for both searches
        hits = [h for h in self.kb.search(prepared, k=self.policy.retrieval_k, source="statute") if in_force(h.title)]
        rules = self._rules(turn, prepared)
        ranking = self.rank_matters(turn, query, hits)
        best, score = ranking[0] if ranking else (None, 0.0)
        top = hits[0].score if hits else 0.0
        confident_rule = bool(rules) and (turn.about_village or rules[0].score >= self.policy.rule_confident_score)
        guide = self.book.get(best) if score >= self.policy.min_matter_score else None
        if guide is None and turn.topic:
            # A topic button names the dispute type: its best-scoring guide is the matter.
            guide = next((self.book[m] for m, _ in ranking if self.book[m].dispute_type == turn.topic), None)
        if guide is None and turn.dispute_type and turn.dispute_type != "other" and not turn.about_village:
            # The type the NLU or the lexicon read ("不好好养我爹" is support of parents): the answer is that
            # type's best guide, in the hedged wording, rather than a question the resident cannot answer.
            guide = next((self.book[m] for m, _ in ranking if self.book[m].dispute_type == turn.dispute_type), None)
        if turn.about_village and rules:
            guide = None  # what the village's own rules say is the answer; no guide replaces them
        confident = top >= self.policy.confident_score or confident_rule
        shown = tuple(ranking[:5])
        if guide is None and not (rules or turn.about_village):
            if not clarified:
                return Advice("clarify", query=query, ranking=shown, score=score)
            if not confident:
                # Asked once already and still no matter: a person, not a second "哪方面" nor a guess.
                return Advice("handoff", query=query, ranking=shown, score=score)
        citations = self._citations(guide, hits, rules)
        return Advice("answer", guide, (), citations, confident, score, query, shown)

    def _new_matter(self, view: str, current: Guide) -> bool:
        """Whether a short message that looks like a follow-up actually raises another matter.

        A message that asks for a section ("请律师要钱不") needs the words to point elsewhere much more
        strongly, and never to the procedural matters (legal aid, mediation, petitions), which every
        guide's own sections already cover.
        """
        words = self.words(view)
        if not words:
            return False
        best = max(words, key=lambda word: words[word])
        if best == current.id:
            return False
        if asks_for_section(view) and len(view) < self.policy.short_follow_up_chars:
            return best not in PROCEDURAL_MATTERS and words[best] >= self.policy.new_matter_words_asked
        return words[best] >= self.policy.new_matter_words

    def _section(self, guide: Guide, sections: tuple[str, ...], text: str) -> Advice:
        refs = [ref for name in sections for statement in guide.sections[name] for ref in statement.basis]
        citations = self._resolve(refs)[: self.policy.max_citations]
        return Advice("section", guide, sections, citations, True, 1.0, text)

    def _rules(self, turn: Turn, query: PreparedQuery) -> list[Hit]:
        if not turn.village_id:
            return []
        k = self.policy.max_rule_citations
        rules = self.kb.search(query, k=k, source="village_rule", village_id=turn.village_id)
        return rules if turn.about_village else [r for r in rules if r.score >= self.policy.rule_min_score]

    def _resolve(self, refs: list[str]) -> list[Hit]:
        out: dict[str, Hit] = {}
        for ref in refs:
            hit = self.kb.article(ref)
            if hit is not None and in_force(hit.title):
                out.setdefault(hit.citation, hit)
        return list(out.values())

    def _citations(self, guide: Guide | None, hits: list[Hit], rules: list[Hit]) -> list[Hit]:
        """Village rules first, then statutes ranked by retrieval's score plus a bonus for the guide's own.

        An article the guide relies on gets ``guide_bonus`` (its key articles ``key_bonus`` more), so the
        matter's law leads while a better-matching article outside the guide can still be cited; the
        guide's key articles stand in, at the bonus alone, where retrieval did not find them.
        """
        p = self.policy
        chosen: dict[str, Hit] = {h.citation: h for h in rules[: p.max_rule_citations]}
        if guide is None:
            for hit in hits:
                chosen.setdefault(hit.citation, hit)
            return list(chosen.values())[: p.max_citations]
        cited = {normalize_citation(ref) for ref in guide.cited()}
        key = {normalize_citation(ref) for ref in guide.articles}
        scored: dict[str, tuple[float, Hit]] = {}
        for hit in hits:
            norm = normalize_citation(hit.citation)
            bonus = (p.guide_bonus if norm in cited else 0.0) + (p.key_bonus if norm in key else 0.0)
            scored[hit.citation] = (hit.score + bonus, hit)
        for hit in self._resolve(list(guide.articles)):
            scored.setdefault(hit.citation, (p.guide_bonus + p.key_bonus, hit))
        for _, hit in sorted(scored.values(), key=lambda pair: -pair[0]):
            if len(chosen) >= p.max_citations:
                break
            chosen.setdefault(hit.citation, hit)
        return list(chosen.values())[: p.max_citations]
