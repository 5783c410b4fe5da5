"""The personal-information notice and what a case keeps of the resident's consent and story."""

from __future__ import annotations

import pytest

from cases import CaseIntake, CaseStore
from cases.consent import (
    NOTICE_VERSION,
    Consent,
    is_sensitive,
    notice_details,
    short_notice,
    spoken_notice,
)


@pytest.mark.parametrize("days", [365, 1095, 1825, 400])
def test_first_screen_notice_says_what_why_who_how_long_and_how_to_refuse_in_120_characters(days: int) -> None:
    notice = short_notice(days)
    assert len(notice) <= 120
    for said in ("姓名", "电话", "只用来办这件事", "经办人", "县调解中心", "保存", "不同意", "删除"):
        assert said in notice, said
    assert ("3年" in notice) == (days == 1095) and ("400天" in notice) == (days == 400)


def test_details_name_the_rights_the_refusal_and_the_numbers() -> None:
    details = notice_details(30, 1095)
    for said in ("30天", "3年", "删除", "身份证号", "单独", "12348", "110"):
        assert said in details, said
    assert "不愿意留也没关系" in spoken_notice(1095)


@pytest.mark.parametrize(
    ("dispute_type", "matter", "story", "sensitive"),
    [
        ("marriage_family", "domestic_violence", "他喝了酒就打俺", True),
        ("personal_injury", None, "摔了一跤", True),
        ("other", None, "娃才三岁 判给谁", True),
        ("homestead", "homestead", "隔壁把院墙砌到俺家地上", False),
        ("wage_arrears", "wage_arrears", "包工头欠了三万块", False),
    ],
)
def test_sensitive_matters_are_told_apart(dispute_type: str, matter: str | None, story: str, sensitive: bool) -> None:
    assert is_sensitive(dispute_type, matter, story) is sensitive


def test_a_case_stores_no_id_or_bank_card_number_and_keeps_the_consent(database_url: str) -> None:
    store = CaseStore(database_url)
    story = "俺身份证410523198803154411 工钱打到卡6222 0212 3456 7890 123 电话13912345678"
    consent = Consent.given_now("wechat", sensitive=False).to_dict()
    number = store.create(
        CaseIntake(
            description=story,
            channel="wechat",
            requested="lawyer",
            dispute_type="wage_arrears",
            phone="13912345678",
            resident_name="王建国",
            consent=consent,
            transcript=({"speaker": "resident", "text": story},),
        )  # fmt: skip
    ).number
    case = store.get(number)
    for kept in (case.description, case.context["transcript"][0]["text"]):
        assert "410523198803154411" not in kept and "6222 0212 3456 7890 123" not in kept
        assert "410*************11" in kept and "13912345678" in kept  # the handler still calls back
    assert case.context["consent"]["version"] == NOTICE_VERSION
    assert case.context["consent"]["channel"] == "wechat" and case.context["consent"]["basis"] == "consent"
