"""The one-time code a resident was last sent for a case, read back from the outbox (the tests' phone)."""

from __future__ import annotations

import re

from sqlalchemy import select

from cases import CaseStore
from cases.models import OutboxMessage


def sent_code(store: CaseStore, number: str) -> str:
    with store.session() as session:
        message = session.scalars(
            select(OutboxMessage).where(OutboxMessage.topic == "resident_code").order_by(OutboxMessage.id.desc())
        ).first()
    assert message is not None and message.payload["case_id"] == number
    return re.search(r"验证码(\d{6})", message.payload["text"]).group(1)
