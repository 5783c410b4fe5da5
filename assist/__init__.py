"""Hotline agent assist: reads a live call transcript and proposes what to say and what to file.

Rasa-free, like ``triage`` and ``knowledge``, so the API gateway can run it in-process within a
hotline's latency budget. ``draft`` reads the caller's facts, risk and dispute type line by line;
``suggest`` finds the law and words reply drafts; ``session`` caches each call so a re-sent,
growing transcript only costs its new lines; ``events`` measures what agents actually used;
``filing`` turns the agent's edited draft into one case per call.
"""

from assist.draft import CallState, Handoff, Line, handoff_for, read_call, step
from assist.filing import Filing, build_intake, emergency_intake
from assist.session import AssistResult, AssistService
from assist.suggest import Draft

__all__ = [
    "AssistResult",
    "AssistService",
    "CallState",
    "Draft",
    "Filing",
    "Handoff",
    "Line",
    "build_intake",
    "emergency_intake",
    "handoff_for",
    "read_call",
    "step",
]
