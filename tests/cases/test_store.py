"""The case store against SQLite and a real PostgreSQL (see ``database_url`` in conftest)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import text

from cases import CaseIntake, CaseNotFound, CaseStore, InvalidIntake, StoreUnavailable
from cases.store import village_code


def intake(**overrides: object) -> CaseIntake:
    fields: dict[str, object] = {
        "description": "隔壁把院墙砌到俺家宅基地上了",
        "channel": "wechat",
        "requested": "mediation",
        "dispute_type": "homestead",
        "resident_name": "王大山",
        "phone": "13912345678",
        "village_id": "sample-qingshiwan",
        "village_name": "青石湾村",
        "counterparty": "邻居李四",
    }
    fields.update(overrides)
    return CaseIntake(**fields)  # type: ignore[arg-type]


class TestCreate:
    def test_commits_a_numbered_case_with_history(self, database_url: str) -> None:
        store = CaseStore(database_url)
        receipt = store.create(intake())
        assert receipt.number.startswith(f"{receipt.created_at.year}-QSW-") or receipt.number.count("-") == 2
        assert receipt.status == "received"
        assert receipt.handler_role == "mediator"
        assert receipt.first_contact_due_at - receipt.created_at == timedelta(hours=24)
        reopened = CaseStore(database_url)  # a second process sees it: it was committed
        case = reopened.get(receipt.number)
        assert case.resident_phone == "13912345678"
        assert case.phone_last4 == "5678"
        assert [e.kind for e in case.events] == ["created"]
        assert case.created_at.tzinfo is not None

    def test_same_idempotency_key_returns_the_same_case(self, database_url: str) -> None:
        store = CaseStore(database_url)
        first = store.create(intake(idempotency_key="wechat:u1:m1"))
        again = store.create(intake(idempotency_key="wechat:u1:m1", description="重试"))
        assert again.number == first.number
        with store.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM cases")).scalar() == 1

    def test_numbers_are_unique_under_concurrent_filing(self, database_url: str) -> None:
        store = CaseStore(database_url)
        numbers: list[str] = []
        errors: list[BaseException] = []

        def file(i: int) -> None:
            try:
                numbers.append(store.create(intake(idempotency_key=f"k{i}")).number)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=file, args=(i,)) for i in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert len(set(numbers)) == 12

    @pytest.mark.parametrize(
        ("requested", "dispute_type", "risk", "role"),
        [
            ("report", "neighbor", "none", "mediator"),
            ("report", "wage_arrears", "none", "lawyer"),
            ("lawyer", "neighbor", "none", "lawyer"),
            ("legal_aid", "debt", "none", "legal_aid"),
            ("mediation", "debt", "emergency", "emergency"),
        ],
    )
    def test_routing(self, database_url: str, requested: str, dispute_type: str, risk: str, role: str) -> None:
        receipt = CaseStore(database_url).create(
            intake(requested=requested, dispute_type=dispute_type, risk_level=risk)
        )
        assert receipt.handler_role == role

    def test_emergency_without_phone_has_a_15_minute_sla(self, database_url: str) -> None:
        receipt = CaseStore(database_url).create(
            intake(requested="emergency", risk_level="emergency", phone=None, description="他拿刀要砍人")
        )
        assert receipt.handler_role == "emergency"
        assert receipt.first_contact_due_at - receipt.created_at == timedelta(minutes=15)


class TestResidentStatus:
    def test_needs_number_and_last_four_digits(self, database_url: str) -> None:
        store = CaseStore(database_url)
        receipt = store.create(intake())
        status = store.resident_status(receipt.number.lower(), "5678")
        assert status is not None and status.status_label == "已受理"
        assert store.resident_status(receipt.number, "0000") is None
        assert store.resident_status("2026-QSW-999999", "5678") is None
        assert store.resident_status("garbage", "5678") is None

    def test_reveals_nothing_personal(self, database_url: str) -> None:
        store = CaseStore(database_url)
        receipt = store.create(intake())
        status = store.resident_status(receipt.number, "5678")
        assert set(vars(status)) == {"number", "status", "status_label", "handler_role", "updated_at"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"description": "  "}, "description"),
        ({"dispute_type": "fighting"}, "dispute_type"),
        ({"channel": "fax"}, "channel"),
        ({"phone": None}, "phone"),
        ({"description": "x" * 2001}, "description"),
    ],
)
def test_invalid_intake_names_the_field(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidIntake, match=field):
        intake(**overrides)


def test_unknown_case_raises(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CaseNotFound):
        CaseStore(f"sqlite:///{tmp_path / 'c.db'}").get("2026-QSW-000001")


def test_unreachable_database_raises_store_unavailable_after_retries() -> None:
    with pytest.raises(StoreUnavailable, match="after 2 attempts"):
        CaseStore("postgresql://nobody@127.0.0.1:1/none", attempts=2, backoff_s=0.01)


@pytest.mark.parametrize(
    ("village_id", "explicit", "code"),
    [("sample-qingshiwan", None, "QIN"), ("qing-shi-wan", None, "QSW"), (None, None, "GEN"), ("x", "dtc", "DTC")],
)
def test_village_code(village_id: str | None, explicit: str | None, code: str) -> None:
    assert village_code(village_id, explicit) == code


class TestLifecycle:
    PATH = ["assessed", "assigned", "in_progress", "resolved", "follow_up"]

    def test_full_path_records_actor_and_time(self, database_url: str) -> None:
        store = CaseStore(database_url)
        number = store.create(intake()).number
        for target in self.PATH:
            store.transition(number, target, actor="mediator-zhang")
        store.add_note(number, actor="mediator-zhang", text="双方同意按原地界重砌院墙")
        case = store.transition(number, "closed", actor="mediator-zhang", satisfaction=5, comment="满意")
        assert case.status == "closed" and case.satisfaction == 5
        assert case.first_contact_at is not None and case.resolved_at is not None and case.closed_at is not None
        kinds = [(e.kind, e.to_status) for e in case.events]
        assert kinds[0] == ("created", "received") and ("note", None) in kinds and kinds[-1] == ("transition", "closed")
        assert all(e.actor for e in case.events)

    @pytest.mark.parametrize(("path", "bad"), [([], "assigned"), ([], "closed"), (["assessed"], "received")])
    def test_illegal_jumps_are_refused(self, database_url: str, path: list[str], bad: str) -> None:
        from cases import IllegalTransition

        store = CaseStore(database_url)
        number = store.create(intake()).number
        for target in path:
            store.transition(number, target, actor="a")
        with pytest.raises(IllegalTransition):
            store.transition(number, bad, actor="a")
        assert store.get(number).status == (path[-1] if path else "received")

    def test_closing_needs_satisfaction(self, database_url: str) -> None:
        from cases import IllegalTransition

        store = CaseStore(database_url)
        number = store.create(intake()).number
        for target in self.PATH:
            store.transition(number, target, actor="a")
        with pytest.raises(IllegalTransition, match="satisfaction"):
            store.transition(number, "closed", actor="a", satisfaction=7)


class TestRiskLevels:
    """The risk level drives the first-contact deadline and how a case is announced (docs/risk.md)."""

    @pytest.mark.parametrize(
        ("risk", "due", "topic"),
        [
            ("none", timedelta(hours=24), "case_received"),
            ("low", timedelta(hours=24), "case_received"),
            ("medium", timedelta(hours=12), "case_received"),
            ("high", timedelta(hours=2), "high_risk_case"),
            ("emergency", timedelta(minutes=15), "emergency_case"),
        ],
    )
    def test_deadline_and_announcement_follow_the_level(
        self, database_url: str, risk: str, due: timedelta, topic: str
    ) -> None:
        from cases.models import OutboxMessage

        store = CaseStore(database_url)
        receipt = store.create(intake(risk_level=risk))
        assert receipt.first_contact_due_at - receipt.created_at == due
        with store.session() as session:
            assert [m.topic for m in session.query(OutboxMessage)] == [topic]

    def test_raise_risk_moves_the_deadline_earlier_and_tells_the_handler(self, database_url: str) -> None:
        from cases.models import OutboxMessage

        store = CaseStore(database_url)
        receipt = store.create(intake())
        assert store.raise_risk(receipt.number, "high", ("high:threat",))
        assert not store.raise_risk(receipt.number, "medium", ("medium:escalating_conflict",))  # never lowered
        case = store.get(receipt.number)
        assert case.risk_level == "high" and case.risk_cues == ["high:threat"]
        assert case.first_contact_due_at - case.created_at == timedelta(hours=2)
        assert [e.kind for e in case.events] == ["created", "risk_raised"]
        with store.session() as session:
            assert [m.topic for m in session.query(OutboxMessage).order_by(OutboxMessage.id)] == [
                "case_received",
                "risk_raised",
            ]
        with pytest.raises(InvalidIntake):
            store.raise_risk(receipt.number, "red")
        with pytest.raises(CaseNotFound):
            store.raise_risk("2026-XXX-000404", "high")

    def test_fill_in_completes_an_early_case_without_overwriting(self, database_url: str) -> None:
        store = CaseStore(database_url)
        early = store.create(
            intake(
                requested="emergency",
                risk_level="emergency",
                resident_name=None,
                phone=None,
                village_id=None,
                village_name=None,
                counterparty=None,
                dispute_type="other",
                description="他拿着刀在门口",
            )
        )
        later = intake(description="邻居为宅基地的事拿刀堵门", dispute_type="homestead", resident_name="王大山")
        assert store.fill_in(early.number, later, actor="agent1")
        case = store.get(early.number)
        assert case.resident_name == "王大山" and case.resident_phone == "13912345678" and case.phone_last4 == "5678"
        assert case.dispute_type == "homestead" and case.risk_level == "emergency"
        assert case.description.startswith("他拿着刀在门口\n") and "宅基地" in case.description
        assert [e.kind for e in case.events] == ["created", "details_added"]
        assert not store.fill_in(early.number, later, actor="agent1")  # nothing new the second time
