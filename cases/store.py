"""Filing and looking up cases.

``CaseStore.create`` commits before it returns: the bot only tells a resident "your case number
is …" after the row is durable, and a retry with the same ``idempotency_key`` returns the
same case instead of a second one. Brief database outages are retried with backoff; if they
last, ``StoreUnavailable`` is raised so the caller can say so honestly.

``CaseStore.transaction`` gives the same retry to any unit of work that must land whole: the
staff handling of a case (``cases.handling``) changes it, writes its history and its audit row in
one transaction, so the log never shows a change that did not happen, nor misses one that did.
"""

from __future__ import annotations

import hmac
import logging
import re
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from cases import outbox
from cases.db import make_engine, upgrade
from cases.errors import CaseNotFound, InvalidIntake, InvalidNote, StoreUnavailable
from cases.intake import MAX_DESCRIPTION, RISK_LEVELS, CaseIntake, CaseReceipt, ResidentStatus
from cases.models import Case, CaseEvent
from cases.routing import contact_promise, handler_role_for, notification_topic, sla_for
from cases.workflow import Status, advance, status_label
from triage import last4, level_rank, mask_cards

log = logging.getLogger(__name__)
T = TypeVar("T")

CASE_NUMBER = re.compile(r"^(\d{4})-([A-Z]{2,4})-(\d{6,})$")


def village_code(village_id: str | None, explicit: str | None = None) -> str:
    """Three capital letters for the case number (``2026-QSW-000123``).

    A village may carry its own code; otherwise it is derived from the id, so that staff can
    tell at a glance which village a number belongs to. Unknown village: ``GEN``.
    """
    if explicit and re.fullmatch(r"[A-Za-z]{2,4}", explicit):
        return explicit.upper()
    if not village_id:
        return "GEN"
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", village_id) if p and p.lower() != "sample"]
    letters = "".join(p[0] for p in parts if p[0].isalpha()) if len(parts) >= 3 else ""
    if len(letters) < 3:
        letters = re.sub(r"[^A-Za-z]", "", "".join(parts))[:3]
    return (letters.upper() + "XXX")[:3] if letters else "GEN"


class CaseStore:
    """One database, opened once per process (see ``open_store``)."""

    def __init__(self, url: str, *, attempts: int = 4, backoff_s: float = 0.25, migrate: bool = True) -> None:
        if attempts < 1:
            raise ValueError(f"attempts must be at least 1, got {attempts}")
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, future=True, expire_on_commit=False)
        self._attempts = attempts
        self._backoff_s = backoff_s
        if migrate:
            self._retry(lambda: upgrade(self.engine))

    def session(self) -> Session:
        return self._sessions()

    def transaction(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one transaction that commits only if it returns, under the outage retry.

        Everything ``work`` writes (a change, its history, its audit row, its notification) lands
        together or not at all. A retry runs ``work`` again from a fresh session, so it must not act
        outside the database; what it returns should be loaded (or rendered) before it returns.
        """

        def attempt() -> T:
            with self.session() as session:
                result = work(session)
                session.commit()
                return result

        return self._retry(attempt)

    def _retry(self, operation: Callable[[], T]) -> T:
        delay = self._backoff_s
        for attempt in range(1, self._attempts + 1):
            try:
                return operation()
            except (OperationalError, PoolTimeout) as exc:
                if attempt == self._attempts:
                    raise StoreUnavailable(f"case store unreachable after {attempt} attempts: {exc.orig!r}") from exc
                log.warning("case store: attempt %d failed (%s); retrying in %.2fs", attempt, exc.orig, delay)
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def create(
        self,
        intake: CaseIntake,
        *,
        now: datetime | None = None,
        alongside: Callable[[Session, Case], None] | None = None,
    ) -> CaseReceipt:
        """File a case and commit it; idempotent on ``intake.idempotency_key``.

        ``alongside`` writes what must commit with the new case or not at all (the staff console's
        audit row); it is not run when an earlier filing with the same key is handed back.
        """
        return self._retry(lambda: self._create_once(intake, now or datetime.now(timezone.utc), alongside))

    def _create_once(
        self, intake: CaseIntake, now: datetime, alongside: Callable[[Session, Case], None] | None
    ) -> CaseReceipt:
        with self.session() as session:
            if intake.idempotency_key:
                existing = session.scalar(select(Case).where(Case.idempotency_key == intake.idempotency_key))
                if existing is not None:
                    return _receipt(existing)
            role = handler_role_for(intake.dispute_type, intake.risk_level, intake.requested, intake.legal_aid_eligible)
            case = Case(
                idempotency_key=intake.idempotency_key,
                status=Status.received.value,
                requested=intake.requested,
                handler_role=role,
                dispute_type=intake.dispute_type,
                risk_level=intake.risk_level,
                risk_cues=list(intake.risk_cues),
                village_id=intake.village_id,
                village_name=intake.village_name,
                resident_name=intake.resident_name,
                resident_phone=intake.phone,
                phone_last4=_last4(intake.phone),
                contact_relation=intake.contact_relation,
                affected_person=intake.affected_person,
                counterparty=intake.counterparty,
                description=mask_cards(intake.description.strip()),
                amount=intake.amount,
                incident_date=intake.incident_date,
                channel=intake.channel,
                conversation_id=intake.conversation_id,
                filed_by=intake.filed_by,
                context={
                    "citations": list(intake.citations),
                    "transcript": [{**line, "text": mask_cards(line.get("text", ""))} for line in intake.transcript],
                    "legal_aid_eligible": intake.legal_aid_eligible,
                    **({"village_registered": False} if intake.village_registered is False else {}),
                    **({"consent": dict(intake.consent)} if intake.consent else {}),
                },
                created_at=now,
                updated_at=now,
                first_contact_due_at=now + sla_for(role, intake.risk_level),
            )
            session.add(case)
            try:
                session.flush()
                case.number = f"{now.year}-{village_code(intake.village_id, intake.village_code)}-{case.id:06d}"
                session.add(
                    CaseEvent(
                        case_id=case.id,
                        at=now,
                        actor=intake.filed_by,
                        kind="created",
                        to_status=Status.received.value,
                        detail={"channel": intake.channel, "handler_role": role, "risk_level": intake.risk_level},
                    )
                )
                if intake.village_registered is False and intake.village_name:
                    note = (
                        f"村名“{intake.village_name}”不在系统登记的村里：案件转县级名册，"
                        "核实后可在控制台把它关联到已登记的村。"
                    )
                    session.add(CaseEvent(case_id=case.id, at=now, actor=intake.filed_by, kind="note",
                                          detail={"text": note}))  # fmt: skip
                outbox.enqueue(
                    session,
                    topic=notification_topic(role, intake.risk_level),
                    payload={"case_id": case.number, "handler_role": role, "village_id": intake.village_id,
                             "risk_level": intake.risk_level,
                             "first_contact_due_at": case.first_contact_due_at.isoformat()},
                )  # fmt: skip
                if alongside is not None:
                    alongside(session, case)
                session.commit()
            except IntegrityError:
                # A concurrent retry with the same key won the race: hand back its case.
                session.rollback()
                if not intake.idempotency_key:
                    raise
                existing = session.scalar(select(Case).where(Case.idempotency_key == intake.idempotency_key))
                if existing is None:
                    raise
                return _receipt(existing)
            return _receipt(case)

    def add_resident_phone(self, number: str, phone: str, *, actor: str = "bot") -> bool:
        """Record a call-back number given after filing (an emergency is filed before any form).

        Only fills an empty contact: a number already on the case was confirmed by the resident
        and is not replaced by one typed later in passing. Returns whether the case changed.
        """

        def update() -> bool:
            with self.session() as session:
                case = session.scalar(select(Case).where(Case.number == number))
                if case is None:
                    raise CaseNotFound(f"no case {number!r}")
                if case.resident_phone:
                    return False
                now = datetime.now(timezone.utc)
                case.resident_phone, case.phone_last4, case.updated_at = phone, _last4(phone), now
                session.add(CaseEvent(case_id=case.id, at=now, actor=actor, kind="contact_added", detail={}))
                session.commit()
                return True

        return self._retry(update)

    def raise_risk(self, number: str, level: str, cues: tuple[str, ...] = (), *, actor: str = "bot") -> bool:
        """Raise a case's risk after filing (the resident said more later); never lowers it.

        The first-contact deadline moves earlier when the new level allows less time, and the raise is
        announced (``risk_raised``) to whoever handles the case, in the same transaction. Returns whether
        the case changed.
        """
        if level not in RISK_LEVELS:
            raise InvalidIntake(f"risk_level must be one of {', '.join(RISK_LEVELS)}; got {level!r}")

        def update() -> bool:
            with self.session() as session:
                case = session.scalar(select(Case).where(Case.number == number).with_for_update())
                if case is None:
                    raise CaseNotFound(f"no case {number!r}")
                if level_rank(level) <= level_rank(case.risk_level):
                    return False
                now = datetime.now(timezone.utc)
                previous, case.risk_level = case.risk_level, level
                case.risk_cues = list(dict.fromkeys([*(case.risk_cues or []), *cues]))
                due = case.created_at + sla_for(case.handler_role, level)
                if case.first_contact_at is None and due < case.first_contact_due_at:
                    case.first_contact_due_at = due
                case.updated_at = now
                detail = {"from": previous, "to": level, "cues": list(cues)}
                session.add(CaseEvent(case_id=case.id, at=now, actor=actor, kind="risk_raised", detail=detail))
                outbox.enqueue(
                    session, topic="risk_raised", recipient=case.assignee,
                    payload={"case_id": case.number, "handler_role": case.handler_role, "village_id": case.village_id,
                             "risk_level": level, "previous_risk_level": previous,
                             "first_contact_due_at": case.first_contact_due_at.isoformat()},
                )  # fmt: skip
                session.commit()
                return True

        return self._retry(update)

    def fill_in(self, number: str, intake: CaseIntake, *, actor: str) -> bool:
        """Complete a case filed before its facts were known (a hotline emergency filed the moment it was
        heard) with what the agent filed later: only empty fields are filled, nothing is overwritten, and
        the risk only goes up. Returns whether the case changed."""

        def update() -> bool:
            with self.session() as session:
                case = session.scalar(select(Case).where(Case.number == number).with_for_update())
                if case is None:
                    raise CaseNotFound(f"no case {number!r}")
                filled = []
                for column, value in (
                    ("resident_name", intake.resident_name), ("resident_phone", intake.phone),
                    ("village_id", intake.village_id), ("village_name", intake.village_name),
                    ("counterparty", intake.counterparty), ("amount", intake.amount),
                    ("incident_date", intake.incident_date),
                ):  # fmt: skip
                    if value and not getattr(case, column):
                        setattr(case, column, value)
                        filled.append(column)
                if "resident_phone" in filled:
                    case.phone_last4 = _last4(intake.phone)
                if case.dispute_type == "other" and intake.dispute_type != "other":
                    case.dispute_type = intake.dispute_type
                    filled.append("dispute_type")
                if intake.description.strip() and intake.description.strip() not in case.description:
                    case.description = f"{case.description}\n{intake.description.strip()}"[:MAX_DESCRIPTION]
                    filled.append("description")
                if level_rank(intake.risk_level) > level_rank(case.risk_level):
                    case.risk_level = intake.risk_level
                    filled.append("risk_level")
                if not filled:
                    return False
                now = datetime.now(timezone.utc)
                case.updated_at = now
                session.add(CaseEvent(case_id=case.id, at=now, actor=actor, kind="details_added",
                                      detail={"fields": [f for f in filled if f != "resident_phone"]}))  # fmt: skip
                session.commit()
                return True

        return self._retry(update)

    def link_village(self, number: str, village_id: str, village_name: str, *, actor: str) -> Case:
        """Link a case filed under a village the system did not know to the registered one it is."""

        def update(session: Session) -> Case:
            case = find(session, number, lock=True)
            set_village(session, case, village_id, village_name, actor=actor, when=datetime.now(timezone.utc))
            session.flush()
            _ = list(case.events)
            return case

        return self.transaction(update)

    def transition(
        self,
        number: str,
        target: str,
        *,
        actor: str,
        note: str | None = None,
        satisfaction: int | None = None,
        comment: str | None = None,
        now: datetime | None = None,
    ) -> Case:
        """Move a case along its lifecycle; what the table does not allow is refused (``workflow.advance``)."""
        when = now or datetime.now(timezone.utc)

        def update(session: Session) -> Case:
            case = find(session, number, lock=True)
            advance(session, case, target, actor=actor, when=when, note=note, satisfaction=satisfaction,
                    comment=comment)  # fmt: skip
            session.flush()
            _ = list(case.events)
            return case

        return self.transaction(update)

    def add_note(self, number: str, *, actor: str, text: str, now: datetime | None = None) -> None:
        """A note on the case history (what was said on a call, what was agreed)."""
        when = now or datetime.now(timezone.utc)
        self.transaction(lambda session: write_note(session, find(session, number), actor=actor, text=text, when=when))

    def get(self, number: str) -> Case:
        """The full case with its history (staff use; callers decide what to reveal)."""

        def load() -> Case:
            with self.session() as session:
                case = session.scalar(select(Case).where(Case.number == number.strip().upper()))
                if case is None:
                    raise CaseNotFound(f"no case {number!r}")
                _ = list(case.events)
                return case

        return self._retry(load)

    def resident_status(self, number: str, phone_last4: str) -> ResidentStatus | None:
        """Status for a resident who knows the number and the last 4 digits of the phone.

        Returns None both for an unknown number and a wrong phone, so the answer never tells a
        stranger whether a case exists.
        """
        number = number.strip().upper()
        if not CASE_NUMBER.match(number) or not re.fullmatch(r"\d{4}", phone_last4 or ""):
            return None

        def load() -> ResidentStatus | None:
            with self.session() as session:
                case = session.scalar(select(Case).where(Case.number == number))
                expected = (case.phone_last4 or "") if case is not None else "----"
                if case is None or not hmac.compare_digest(expected, phone_last4):
                    return None
                return ResidentStatus(
                    number=case.number,
                    status=case.status,
                    status_label=status_label(case.status),
                    handler_role=case.handler_role,
                    updated_at=case.updated_at,
                )

        return self._retry(load)


def find(session: Session, number: str, *, lock: bool = False) -> Case:
    """The case numbered ``number`` exactly; ``lock`` holds its row until the caller's transaction ends."""
    query = select(Case).where(Case.number == number)
    case = session.scalar(query.with_for_update() if lock else query)
    if case is None:
        raise CaseNotFound(f"no case {number!r}")
    return case


def write_note(session: Session, case: Case, *, actor: str, text: str, when: datetime) -> None:
    """Put a note on the case history in the caller's transaction (caller commits)."""
    if not text or not text.strip():
        raise InvalidNote("a note must not be empty")
    case.updated_at = when
    session.add(CaseEvent(case_id=case.id, at=when, actor=actor, kind="note", detail={"text": text.strip()}))


def set_village(
    session: Session, case: Case, village_id: str, village_name: str, *, actor: str, when: datetime
) -> None:
    """Link ``case`` to a registered village in the caller's transaction (caller commits).

    The history keeps the name the resident gave, so the link can be checked against what was said.
    """
    detail = {"from": case.village_name, "to": village_id}
    case.village_id, case.village_name, case.updated_at = village_id, village_name, when
    context = dict(case.context or {})
    context.pop("village_registered", None)
    case.context = context
    session.add(CaseEvent(case_id=case.id, at=when, actor=actor, kind="village_linked", detail=detail))


def _last4(phone: str | None) -> str | None:
    digits = last4(phone or "")
    return digits if len(digits) == 4 else None


def _receipt(case: Case) -> CaseReceipt:
    return CaseReceipt(
        number=case.number,
        status=case.status,
        handler_role=case.handler_role,
        dispute_type=case.dispute_type,
        risk_level=case.risk_level,
        created_at=case.created_at,
        first_contact_due_at=case.first_contact_due_at,
        contact_promise=contact_promise(case.handler_role, case.risk_level),
        facts={
            "resident_name": case.resident_name,
            "village": case.village_name or case.village_id,
            "dispute_type": case.dispute_type,
            "description": case.description,
            "counterparty": case.counterparty,
        },
    )


_stores: dict[str, CaseStore] = {}
_open_lock = threading.Lock()


def open_store(url: str) -> CaseStore:
    """The process-wide store for ``url`` (schema upgraded on first open).

    Locked because Alembic keeps its migration context in module globals: two threads opening
    the store at once (a request and the background duties) would corrupt each other's run.
    """
    with _open_lock:
        if url not in _stores:
            _stores[url] = CaseStore(url)
        return _stores[url]
