"""Re-encrypt every stored personal field with the first data key (``cunfa keys rotate``).

Run after putting a new key first in ``CUNFA_DATA_KEYS``; when it reports, the old key can be
dropped. It also encrypts values stored before encryption was turned on, and recomputes the
phone lookup hashes with the new key. Safe to run twice, and to run while the service is up:
each case is rewritten in its own short transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from cases import audit
from cases.crypto import ENCRYPTED_CASE_COLUMNS, keyring
from cases.models import TRACKER_EVENTS as EVENTS
from cases.models import Case, NotifyChannel, phone_lookup_key

BATCH = 500


@dataclass(frozen=True)
class RotationReport:
    cases: int
    conversation_events: int


def rotate_all(session: Session, *, actor: str = "cli") -> RotationReport:
    ids = list(session.scalars(select(Case.id).order_by(Case.id)))
    for case_id in ids:
        case = session.get(Case, case_id)
        for column in ENCRYPTED_CASE_COLUMNS:
            flag_modified(case, column)  # written again: the type encrypts with the first key
        key = phone_lookup_key(case.resident_phone)
        case.phone_hash = keyring().lookup_hash(key) if key else None
        session.commit()
    # Notification channels' targets (robot URLs with their keys, openids) and secrets are encrypted too.
    for channel in session.scalars(select(NotifyChannel)).all():
        flag_modified(channel, "target")
        flag_modified(channel, "secret")
    session.commit()
    events = 0
    if sa.inspect(session.get_bind()).has_table("events"):
        last = 0
        while True:
            rows = session.execute(
                select(EVENTS.c.id, EVENTS.c.data).where(EVENTS.c.id > last).order_by(EVENTS.c.id).limit(BATCH)
            ).all()
            if not rows:
                break
            for row_id, data in rows:
                session.execute(update(EVENTS).where(EVENTS.c.id == row_id).values(data=keyring().rotate(data)))
            session.commit()
            events += len(rows)
            last = rows[-1][0]
    audit.record(session, actor=actor, action="data_keys_rotated", cases=len(ids), conversation_events=events)
    session.commit()
    return RotationReport(cases=len(ids), conversation_events=events)
