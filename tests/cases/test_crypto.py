"""Personal data encrypted at rest, looked up by keyed hash, and re-encrypted when keys rotate."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from cases import CaseIntake, CaseStore, crypto
from cases.crypto import PREFIX, DataKeyError
from cases.key_rotation import rotate_all
from cases.models import Case, phone_lookup_key
from tests.conftest import TEST_DATA_KEY

STORY = "男人喝了酒就打俺 俺身上还青着"


def _file(store: CaseStore, **overrides: object) -> str:
    fields: dict[str, object] = {
        "description": STORY, "channel": "wechat", "requested": "mediation", "dispute_type": "marriage_family",
        "resident_name": "张桂芝", "phone": "13912345678", "counterparty": "丈夫李大军", "affected_person": "张桂芝",
        "transcript": ({"speaker": "resident", "text": STORY},),
    }  # fmt: skip
    fields.update(overrides)
    return store.create(CaseIntake(**fields)).number  # type: ignore[arg-type]


def _raw(store: CaseStore, number: str) -> dict:
    with store.engine.connect() as connection:
        row = connection.execute(sa.text("SELECT * FROM cases WHERE number = :n"), {"n": number}).mappings().one()
    return dict(row)


@pytest.fixture
def restore_keys():
    yield
    crypto.configure([TEST_DATA_KEY])


def test_the_database_holds_no_name_phone_story_or_transcript_in_clear(database_url: str) -> None:
    store = CaseStore(database_url)
    number = _file(store)
    raw = _raw(store, number)
    for column in ("resident_name", "resident_phone", "counterparty", "affected_person", "description", "context"):
        assert raw[column].startswith(PREFIX), column
    dump = " ".join(str(v) for v in raw.values())
    for secret in ("张桂芝", "13912345678", "李大军", "喝了酒"):
        assert secret not in dump
    case = store.get(number)
    assert case.resident_name == "张桂芝" and case.description == STORY
    assert case.context["transcript"][0]["text"] == STORY and case.phone_last4 == "5678"


def test_a_phone_is_found_by_its_keyed_hash_however_it_is_written(database_url: str) -> None:
    store = CaseStore(database_url)
    number = _file(store)
    _file(store, phone="13800001111", resident_name="王五")
    assert _raw(store, number)["phone_hash"] not in (None, "13912345678")
    with store.session() as session:
        hashes = crypto.keyring().lookup_hashes(phone_lookup_key("139 1234 5678"))
        found = session.scalars(select(Case.number).where(Case.phone_hash.in_(hashes))).all()
    assert found == [number]


def test_rotation_moves_every_field_to_the_new_key_and_lookups_keep_working(database_url: str, restore_keys) -> None:
    old, new = crypto.new_key(), crypto.new_key()
    crypto.configure([old])
    store = CaseStore(database_url)
    number = _file(store)
    with store.engine.begin() as connection:  # a row from before encryption was turned on
        connection.execute(sa.text("UPDATE cases SET counterparty = '邻居赵四' WHERE number = :n"), {"n": number})
    crypto.configure([new])
    with pytest.raises(DataKeyError, match="none of the configured keys"):
        store.get(number)
    crypto.configure([new, old])
    with store.session() as session:
        report = rotate_all(session)
    assert report.cases == 1
    crypto.configure([new])  # the old key is gone: everything still opens
    case = store.get(number)
    assert case.resident_phone == "13912345678" and case.counterparty == "邻居赵四" and case.description == STORY
    assert _raw(store, number)["counterparty"].startswith(PREFIX)
    with store.session() as session:
        hashes = crypto.keyring().lookup_hashes(phone_lookup_key("13912345678"))
        assert session.scalars(select(Case.number).where(Case.phone_hash.in_(hashes))).all() == [number]


def test_keys_that_are_not_fernet_keys_are_refused_clearly(restore_keys) -> None:
    with pytest.raises(DataKeyError, match="not a Fernet key"):
        crypto.configure(["changethis"])
    with pytest.raises(DataKeyError, match="no data encryption key"):
        crypto.configure([])
