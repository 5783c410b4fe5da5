"""One assist call: the page re-sends the growing transcript, and only what changed is read again.

Per call the service keeps the transcript it last saw and the draft state after each line. A new
request is compared line by line with it: unchanged lines cost nothing, a line the agent is still
typing is read again from the state before it, and the knowledge base is searched only when the
caller's latest topical words changed (answers are cached per call by query). A call the service has
forgotten (restart, another worker process, eviction) is simply read from the start: the result
depends only on the transcript and the day the call started, never on what the cache held.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from assist.draft import CallState, Handoff, Line, handoff_for, step
from assist.suggest import Draft, Found, query_for, reply_drafts, search, suggestion_id, suggestions
from knowledge import KnowledgeBase
from knowledge.guides.policy import Advisor, Turn
from knowledge.types import Hit
from knowledge.villages import VillageInfo, VillageStore
from triage import normalize
from triage.facts.dates import today_in_china

MAX_CALLS = 500
IDLE_SECONDS = 4 * 3600
ANSWERS_PER_CALL = 8


@dataclass
class _Call:
    today: date
    touched: float
    lines: list[Line] = field(default_factory=list)
    states: list[CallState] = field(default_factory=list)
    answers: OrderedDict[tuple[str, str | None, str | None, str | None], Found | None] = field(
        default_factory=OrderedDict
    )
    last_suggestions: list[Hit] = field(default_factory=list)
    last_shown: tuple[tuple[str, ...], tuple[str, ...]] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class AssistResult:
    call_id: str
    state: CallState
    village_id: str | None
    village: str | None
    suggestions: list[Hit]
    drafts: list[Draft]
    handoff: Handoff | None
    searched: bool
    lines_read: int

    @property
    def suggestion_ids(self) -> list[str]:
        return [suggestion_id(hit) for hit in self.suggestions]

    @property
    def draft_ids(self) -> list[str]:
        return [draft.id for draft in self.drafts]

    def case_draft(self) -> dict[str, str]:
        """The fields known so far; unknown ones are left out rather than guessed."""
        s = self.state
        fields = {
            "name": s.name,
            "phone": s.phone,
            "village": self.village,
            "village_id": self.village_id,
            "dispute_type": s.dispute_type,
            "counterparty": s.counterparty,
            "summary": s.summary,
            "amount": s.amount,
            "incident_date": s.incident_date,
            "contact_relation": s.contact_relation if s.contact_relation != "self" else None,
            "affected_person": s.affected_person,
        }
        return {key: value for key, value in fields.items() if value}

    def to_dict(self) -> dict[str, Any]:
        """The ``POST /v1/assist`` body, less ``latency_ms`` (the route measures the whole request)."""
        s = self.state
        return {
            "call_id": self.call_id,
            "suggestions": [hit.to_dict() for hit in self.suggestions],
            "suggestion_ids": self.suggestion_ids,
            "reply_drafts": [draft.text for draft in self.drafts],
            "draft_ids": self.draft_ids,
            "dispute_type": s.dispute_type,
            "dispute_type_label": s.dispute_label,
            "risk_level": s.risk_level,
            "risk_cues": list(s.risk_cues),
            "case_draft": self.case_draft(),
            "handoff": {"handler_role": self.handoff.handler_role, "reason": self.handoff.reason}
            if self.handoff
            else None,
        }


def _village_key(name: str) -> str:
    return normalize(name).replace(" ", "").removesuffix("村").removesuffix("社区")


class AssistService:
    """Per-process cache of live calls. Thread-safe: FastAPI runs sync routes in a thread pool."""

    def __init__(
        self,
        *,
        emergency_contacts: str = "",
        closed_case_days: int = 1095,
        max_calls: int = MAX_CALLS,
        idle_seconds: float = IDLE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], date] = today_in_china,
    ) -> None:
        self.emergency_contacts = emergency_contacts
        self.closed_case_days = closed_case_days
        self._max_calls = max_calls
        self._idle = idle_seconds
        self._clock = clock
        self._today = today
        self._calls: OrderedDict[str, _Call] = OrderedDict()
        self._lock = threading.Lock()
        self._villages: tuple[int, dict[str, VillageInfo]] | None = None

    def __len__(self) -> int:
        return len(self._calls)

    def _call(self, call_id: str) -> _Call:
        now = self._clock()
        with self._lock:
            call = self._calls.get(call_id)
            if call is None:
                call = _Call(today=self._today(), touched=now)
                self._calls[call_id] = call
            call.touched = now
            self._calls.move_to_end(call_id)
            while len(self._calls) > self._max_calls or (
                self._calls and now - next(iter(self._calls.values())).touched > self._idle
            ):
                self._calls.popitem(last=False)
            return call

    def _village_infos(self, store: VillageStore | None) -> dict[str, VillageInfo]:
        if store is None:
            return {}
        version = store.version()
        cached = self._villages
        if cached is None or cached[0] != version:
            cached = (version, {info.village_id: info for info in store.list()})
            self._villages = cached
        return cached[1]

    def _resolve_village(
        self, kb: KnowledgeBase | None, said: str | None, village_id: str | None
    ) -> tuple[str | None, str | None]:
        """(village id, village name): the page's id wins; otherwise a known village the caller named."""
        infos = self._village_infos(kb.village_store if kb is not None else None)
        if village_id:
            info = infos.get(village_id)
            return village_id, said or (info.name if info else None)
        if said:
            key = _village_key(said)
            for info in infos.values():
                if key and _village_key(info.name) == key:
                    return info.village_id, said
        return None, said

    @staticmethod
    def _dropped(cached: list[Line], lines: Sequence[Line]) -> int:
        """How many early lines a long call's page stopped sending (0 when none).

        The request holds at most 200 lines, so the page sends a long call's latest ones. Those
        early lines still count: a danger heard in them must not vanish from the call's risk.
        """
        if not cached or not lines or cached[0] == lines[0]:
            return 0
        for k in range(1, len(cached)):
            overlap = min(len(cached) - k, len(lines))
            # The last line of the overlap may have changed: the agent may still be typing it.
            if cached[k] == lines[0] and cached[k : k + overlap - 1] == list(lines[: overlap - 1]):
                return k
        return 0

    @classmethod
    def _sync(cls, call: _Call, lines: Sequence[Line]) -> int:
        """Bring the cached states in line with ``lines``; returns how many lines were read."""
        if not call.states:
            call.states.append(CallState(today=call.today))
        dropped = cls._dropped(call.lines, lines)
        if dropped:
            lines = call.lines[:dropped] + list(lines)
        common, limit = 0, min(len(call.lines), len(lines))
        while common < limit and call.lines[common] == lines[common]:
            common += 1
        del call.lines[common:]
        del call.states[common + 1 :]
        state = call.states[-1]
        for line in lines[common:]:
            state = step(state, line)
            call.lines.append(line)
            call.states.append(state)
        return len(lines) - common

    def assist(
        self, call_id: str, lines: Sequence[Line], *, advisor: Advisor | None, village_id: str | None = None
    ) -> AssistResult:
        """Suggestions, drafts and the case draft for the transcript so far.

        ``advisor`` may be None while the index loads: risk, the case draft and the safety script do not
        need it, and a caller in danger must not wait for an index.
        """
        call = self._call(call_id)
        with call.lock:
            read = self._sync(call, lines)
            state = call.states[-1]
            kb = advisor.kb if advisor is not None else None
            resolved_id, village = self._resolve_village(kb, state.village, village_id)
            found, searched = None, False
            if advisor is not None and state.topics:
                found, searched = self._advise(call, advisor, state, resolved_id)
            handoff = handoff_for(state)
            hits = suggestions(found)
            call.last_suggestions = hits
            drafts = reply_drafts(
                state,
                found,
                handoff,
                emergency_contacts=self.emergency_contacts,
                closed_case_days=self.closed_case_days,
            )
        return AssistResult(call_id, state, resolved_id, village, hits, drafts, handoff, searched, read)

    def _advise(
        self, call: _Call, advisor: Advisor, state: CallState, village_id: str | None
    ) -> tuple[Found | None, bool]:
        """The answer policy on the caller's latest topical line, as the chat reads a resident's message.

        The matter of the lines before it is the call's current matter, so "那得上哪告他" is answered
        from that guide and "还有，离婚后孩子的抚养费谁出" as a new matter; a line that names no matter
        is read together with the lines before (as the chat reads a message after a clarifying question).
        Everything is derived from the transcript, never from what the cache remembers, so a call read
        from scratch gives the same result.
        """
        searched = False

        def ask(turn: Turn) -> Found | None:
            nonlocal searched
            key = (turn.text, village_id, turn.current_matter, turn.pending_question)
            if key in call.answers:
                call.answers.move_to_end(key)
            else:
                call.answers[key] = search(advisor, turn)
                searched = True
                while len(call.answers) > ANSWERS_PER_CALL:
                    call.answers.popitem(last=False)
            return call.answers[key]

        latest, before = state.topics[-1], query_for(replace(state, topics=state.topics[:-1]))
        current = None
        if before:
            earlier = ask(Turn(before, village_id=village_id, dispute_type=state.dispute_type))
            current = earlier.advice.matter if earlier is not None else None
        found = ask(Turn(latest, village_id=village_id, current_matter=current, dispute_type=state.dispute_type))
        if found is not None and found.advice.kind == "clarify" and before:
            found = ask(Turn(latest, village_id=village_id, pending_question=before, dispute_type=state.dispute_type))
        return found, searched

    def remember_shown(self, result: AssistResult) -> bool:
        """Whether ``result`` shows anything the call had not shown last time (and remember it if so).

        The page re-sends the transcript on every line; recording identical results again would count
        polling, not showing, and inflate the used/shown ratio's denominator.
        """
        call = self._call(result.call_id)
        shown = (tuple(result.suggestion_ids), tuple(result.draft_ids))
        with call.lock:
            if call.last_shown == shown:
                return False
            call.last_shown = shown
            return True

    def snapshot(self, call_id: str) -> tuple[CallState, list[Line], list[Hit]] | None:
        """The latest state, transcript and suggestions of a call this process has seen, for filing."""
        with self._lock:
            call = self._calls.get(call_id)
        if call is None:
            return None
        with call.lock:
            if not call.states:
                return None
            return call.states[-1], list(call.lines), list(call.last_suggestions)
