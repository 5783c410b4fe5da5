"""Hands the tracker a turn has just saved to the channel that is answering that turn.

The gateway needs each turn's outcome (intent, risk level, case filed) as well as the bot's
messages. Asking for it afterwards on Rasa's tracker endpoint cost a second HTTP request and a
second rebuild of the tracker from all its stored events, on every turn. Instead, while a
channel answers a sender, the tracker store records the tracker it saves for that sender, and
the channel reads it as soon as the turn is done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rasa.shared.core.trackers import DialogueStateTracker


class RecentSaves:
    def __init__(self) -> None:
        # sender -> (channels waiting for it, last tracker saved while they waited)
        self._watched: dict[str, tuple[int, DialogueStateTracker | None]] = {}

    @contextmanager
    def watch(self, sender_id: str) -> Iterator[Callable[[], DialogueStateTracker | None]]:
        """Within the block, saves for ``sender_id`` are kept; call the yielded function to read the last."""
        waiting, last = self._watched.get(sender_id, (0, None))
        self._watched[sender_id] = (waiting + 1, last)
        try:
            yield lambda: self._watched.get(sender_id, (0, None))[1]
        finally:
            waiting, last = self._watched[sender_id]
            if waiting <= 1:
                del self._watched[sender_id]
            else:
                self._watched[sender_id] = (waiting - 1, last)

    def record(self, tracker: DialogueStateTracker) -> None:
        entry = self._watched.get(tracker.sender_id)
        if entry is not None:
            self._watched[tracker.sender_id] = (entry[0], tracker)


#: One per Rasa process: the tracker store writes to it, the channel reads from it.
recent_saves = RecentSaves()
