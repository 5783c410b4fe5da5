"""Who is asking for whom, and how a later message may change it."""

from __future__ import annotations

import pytest

from triage.facts import Relation, find_relation, merge_relation, read_facts


@pytest.mark.parametrize(
    ("said", "relation", "affected"),
    [
        ("帮俺兄弟问个事，俺爹走了以后老房子叫俺姐卖了", "brother", "兄弟"),
        ("俺叫孟庆海，给俺兄弟孟庆河问的", "brother", "孟庆河"),
        ("我替俺邻居刘大娘反映个事，她叫王翠兰，昨天叫摩托撞了", "neighbor", "王翠兰"),
        ("俺爹叫车撞了", "son", "父亲"),
        ("帮俺爹问个事，他叫张德福", "son", "张德福"),
    ],
)
def test_whom_the_contact_speaks_for(said: str, relation: str, affected: str) -> None:
    found = find_relation(said.replace("，", ""))
    assert found is not None and (found.contact_relation, found.affected_person) == (relation, affected)


def test_money_lent_to_a_relative_makes_them_no_affected_person() -> None:
    assert find_relation("我借给俺兄弟五万块钱") is None


def test_a_guess_fills_an_empty_relation_only() -> None:
    guess = Relation("son", "父亲")
    assert merge_relation(None, None, guess) == ("son", "父亲")
    assert merge_relation("brother", "兄弟", guess) is None


def test_a_name_replaces_a_way_of_calling_but_not_the_reverse() -> None:
    assert merge_relation("brother", "兄弟", Relation("brother", "孟庆河")) == ("brother", "孟庆河")
    assert merge_relation("brother", "孟庆河", Relation("brother", "兄弟")) is None


def test_said_outright_or_corrected_replaces_a_guess() -> None:
    assert merge_relation("son", "父亲", Relation("daughter", None, explicit=True)) == ("daughter", "父亲")
    assert merge_relation("son", "父亲", Relation("brother", "兄弟"), correction=True) == ("brother", "兄弟")


def test_a_button_payload_gives_no_facts() -> None:
    facts = read_facts("/report_dispute")
    assert not facts.story and facts.relation is None and facts.found == ()
