"""What staff do to a case, each step one transaction: the check, the change and its audit row.

Lawyers and mediators see and change only the cases assigned to them; grid workers see the
cases they filed; admins see all. Someone else's case answers exactly like a missing one, so a
number's existence is never revealed. Personal data is shown in full only to the assignee and
admins (``cases.views`` does the masking).

Every function here runs in one transaction under the store's outage retry
(``CaseStore.transaction``): the audit row commits with the read or the change it records, or not
at all, and a refused step (not yours, an illegal jump, a conflict) leaves nothing behind. The
routes in ``api/routes/cases.py`` only parse, call and render.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import assignment, audit
from cases.assignment import Assignment
from cases.crypto import keyring
from cases.errors import CaseNotFound, NotPermitted, UnknownVillage
from cases.intake import CaseIntake, CaseReceipt
from cases.models import Case, phone_lookup_key
from cases.store import CaseStore, set_village, write_note
from cases.views import case_detail, case_summary
from cases.workflow import Status, advance
from triage import assess_risk, max_level

#: The longest queue one request returns; a list longer than that is a search, not a queue.
MAX_LISTED = 500


class StaffMember(Protocol):
    """Who is acting, as the API's login gives it (``api.security.Staff``)."""

    @property
    def username(self) -> str: ...

    @property
    def role(self) -> str: ...


class Village(Protocol):
    """A registered village, as ``knowledge.villages.VillageStore.get`` returns it."""

    @property
    def village_id(self) -> str: ...

    @property
    def name(self) -> str: ...


def _is_admin(staff: StaffMember) -> bool:
    return staff.role == "admin"


def may_see(case: Case, staff: StaffMember) -> bool:
    if _is_admin(staff):
        return True
    if staff.role == "grid_worker":
        return case.filed_by == staff.username
    return case.assignee == staff.username


def may_change(case: Case, staff: StaffMember) -> bool:
    """Only the assignee or an admin changes a case, and only they see its personal data unmasked."""
    return _is_admin(staff) or case.assignee == staff.username


def _load(session: Session, staff: StaffMember, number: str, *, lock: bool = False) -> Case:
    query = select(Case).where(Case.number == number.strip().upper())
    case = session.scalar(query.with_for_update() if lock else query)
    if case is None or not may_see(case, staff):
        raise CaseNotFound(f"no case {number} for you")
    return case


def _load_to_change(session: Session, staff: StaffMember, number: str) -> Case:
    """The case, its row locked until the commit, if ``staff`` may change it."""
    case = _load(session, staff, number, lock=True)
    if not may_change(case, staff):
        raise NotPermitted("only the assignee or an admin may change this case")
    return case


def list_cases(
    store: CaseStore, staff: StaffMember, *, status: str | None = None, phone: str | None = None
) -> list[dict[str, Any]]:
    """The staff member's queue, soonest SLA deadline first (admins: every case).

    ``phone`` finds a caller's cases by keyed hash: phones are stored encrypted, so the clear
    number is never in a query, an index or the database.
    """

    def work(session: Session) -> list[dict[str, Any]]:
        query = select(Case).order_by(Case.first_contact_due_at, Case.id)
        if phone is not None:
            key = phone_lookup_key(phone)
            query = query.where(Case.phone_hash.in_(keyring().lookup_hashes(key) if key else []))
        if staff.role == "grid_worker":
            query = query.where(Case.filed_by == staff.username)
        elif not _is_admin(staff):
            query = query.where(Case.assignee == staff.username)
        if status:
            query = query.where(Case.status == status)
        cases = session.scalars(query.limit(MAX_LISTED)).all()
        audit.record(session, actor=staff.username, action="list_cases", count=len(cases), by_phone=phone is not None)
        return [case_summary(c, reveal=may_change(c, staff)) for c in cases]

    return store.transaction(work)


def read_case(store: CaseStore, staff: StaffMember, number: str) -> dict[str, Any]:
    """One case with its history and the conversation that led to it, masked unless ``staff`` may change it."""

    def work(session: Session) -> dict[str, Any]:
        case = _load(session, staff, number)
        reveal = may_change(case, staff)
        audit.record(session, actor=staff.username, action="read_case", case_number=case.number, unmasked=reveal)
        return case_detail(case, reveal=reveal)

    return store.transaction(work)


def file_case(store: CaseStore, staff: StaffMember, intake: CaseIntake) -> CaseReceipt:
    """File a case on a resident's behalf, its audit row in the filing's own transaction.

    The risk level is the higher of what the worker chose and what the risk engine reads in the
    description, the same engine every channel uses: a grid worker who writes down "他说今晚要砍死
    我" files an emergency even if the level field was left at its default.
    """
    assessment = assess_risk(intake.description)
    intake = replace(
        intake,
        risk_level=max_level(intake.risk_level, assessment.level),
        risk_cues=tuple(dict.fromkeys([*intake.risk_cues, *assessment.labels])),
        filed_by=staff.username,
    )

    def audited(session: Session, case: Case) -> None:
        audit.record(session, actor=staff.username, action="file_case", case_number=case.number)

    return store.create(intake, alongside=audited)


def transition(
    store: CaseStore,
    staff: StaffMember,
    number: str,
    target: str,
    *,
    note: str | None = None,
    satisfaction: int | None = None,
    comment: str | None = None,
) -> dict[str, Any]:
    """Move the case along 受理 → 研判 → 交办 → 化解 → 回访 → 评价; returns the case as it now is."""

    def work(session: Session) -> dict[str, Any]:
        case = _load_to_change(session, staff, number)
        advance(session, case, target, actor=staff.username, when=datetime.now(timezone.utc), note=note,
                satisfaction=satisfaction, comment=comment)  # fmt: skip
        audit.record(session, actor=staff.username, action="transition", case_number=case.number, to=target)
        session.flush()  # the new history line is in the answer
        return case_detail(case, reveal=True)

    return store.transaction(work)


def add_note(store: CaseStore, staff: StaffMember, number: str, text: str) -> str:
    """Put a note on the case history (what was said on a call, what was agreed); returns the case number."""

    def work(session: Session) -> str:
        case = _load_to_change(session, staff, number)
        write_note(session, case, actor=staff.username, text=text, when=datetime.now(timezone.utc))
        audit.record(session, actor=staff.username, action="add_note", case_number=case.number)
        return case.number

    return store.transaction(work)


def assign(
    store: CaseStore,
    staff: StaffMember,
    number: str,
    *,
    username: str | None = None,
    override_reason: str | None = None,
) -> tuple[str, Assignment]:
    """Hand the case to the least-loaded person on the roster, or to a named one (a conflict needs a reason).

    An assessed case becomes assigned with it. Returns the case number and who got it.
    """

    def work(session: Session) -> tuple[str, Assignment]:
        case = _load(session, staff, number, lock=True)
        if not _is_admin(staff):
            raise NotPermitted("only an admin may assign a case")
        result = assignment.assign(
            session, case, actor=staff.username, username=username, override_reason=override_reason
        )
        if case.status == Status.assessed.value:
            case.status = Status.assigned.value
        audit.record(session, actor=staff.username, action="assign", case_number=case.number, assignee=result.username)
        return case.number, result

    return store.transaction(work)


def link_village(
    store: CaseStore,
    staff: StaffMember,
    number: str,
    village_id: str,
    *,
    registered: Callable[[str], Village | None],
) -> Case:
    """Link a case filed under a village the system did not know ("柳河村") to the registered village it is.

    ``registered`` looks the village up (the case store does not read the village registry itself).
    """

    def work(session: Session) -> Case:
        case = _load_to_change(session, staff, number)
        village = registered(village_id)
        if village is None:
            raise UnknownVillage(f"no registered village {village_id!r}")
        set_village(session, case, village.village_id, village.name, actor=staff.username,
                    when=datetime.now(timezone.utc))  # fmt: skip
        audit.record(session, actor=staff.username, action="link_village", case_number=case.number,
                     village_id=village.village_id)  # fmt: skip
        return case

    return store.transaction(work)
