"""Which laws in the collection are no longer in force, although they are the newest of their title.

``knowledge.ingest.laws`` keeps the newest version of each law, which is enough when a law is
amended. A law can also be repealed outright (the Civil Code's arrival in 2021 ended the old
marriage, contract and labour-dispute interpretations), and then its newest version is still a
dead letter. ``repealed.txt`` lists those titles; residents are never shown an article from one.
"""

from __future__ import annotations

import functools
from pathlib import Path

from knowledge.citations import normalize_title

REPEALED_FILE = Path(__file__).with_name("repealed.txt")


@functools.lru_cache(maxsize=1)
def repealed_titles() -> frozenset[str]:
    """Normalised titles (``knowledge.citations.normalize_title``) of the repealed laws."""
    lines = REPEALED_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(normalize_title(line) for line in lines if line.strip() and not line.startswith("#"))


def in_force(title: str) -> bool:
    return normalize_title(title) not in repealed_titles()
