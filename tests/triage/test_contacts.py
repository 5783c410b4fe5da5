"""Phone extraction, parsing of form answers, and masking for logs."""

from __future__ import annotations

import re

import pytest

from triage import extract_phones, last4, mask_identifiers, mask_phone, parse_phone


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我电话13912345678谢谢", ["13912345678"]),
        ("139 1234 5678", ["13912345678"]),
        ("139-1234-5678", ["13912345678"]),
        ("+86 139 1234 5678", ["13912345678"]),
        ("１３９１２３４５６７８", ["13912345678"]),  # full-width
        ("座机0371-65432100", ["0371-65432100"]),
        ("座机0371 6543 2100", ["0371-65432100"]),
        ("北京的010-12345678", ["010-12345678"]),
        ("幺三九一二三四五六七八", ["13912345678"]),  # spoken, 幺 for 1
        ("一三九一二三四五六七八", ["13912345678"]),
        ("幺三九 幺二三四 五六七八", ["13912345678"]),  # spoken with pauses
        ("一八八两两三三四四五五", ["18822334455"]),  # 两 for 2
        ("打0371-65432100或者13812345678，再不行13812345678", ["0371-65432100", "13812345678"]),
        ("12345678901", []),  # invalid prefix
        ("1391234567", []),  # too short
        ("139123456789", []),  # too long
        ("身份证410105199001011234", []),  # digits inside an ID are not a phone
        ("我今年六十三岁，住了三十年", []),
        ("赔了五万块", []),
        ("", []),
    ],
)
def test_extract_phones(text: str, expected: list[str]) -> None:
    assert extract_phones(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我电话是139 1234 5678", "13912345678"),
        ("幺三九一二三四五六七八", "13912345678"),
        ("一三九一二三四五六七八", "13912345678"),
        ("1 3 9 1 2 3 4 5 6 7 8", "13912345678"),
        ("就打这个 0371-65432100", "0371-65432100"),
        ("13912345678，不行就打13812345678", "13912345678"),
        ("我没有电话", None),
        ("12345678901", None),
        ("1391234567", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_phone(text: str | None, expected: str | None) -> None:
    assert parse_phone(text) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("13912345678", "139****5678"),
        ("0371-65432100", "0371-****2100"),
        ("010-1234567", "010-***4567"),
        ("139 1234 5678", "139****5678"),
        ("4001234567", "400*****67"),
        ("12348", "1***8"),
        ("1234", "****"),
        ("", ""),
    ],
)
def test_mask_phone(phone: str, expected: str) -> None:
    assert mask_phone(phone) == expected


def test_mask_phone_never_shows_more_than_five_characters() -> None:
    for value in ["abcdefghijklmnop", "98765432109876", "hello"]:
        masked = mask_phone(value)
        assert len(masked) == len(value)
        assert sum(ch != "*" for ch in masked) <= 5


@pytest.mark.parametrize(
    ("phone", "expected"),
    [("13912345678", "5678"), ("0371-65432100", "2100"), ("139 1234 5678", "5678"), ("12", "12"), ("", "")],
)
def test_last4(phone: str, expected: str) -> None:
    assert last4(phone) == expected


def test_mask_identifiers_masks_in_place() -> None:
    text = "张三，电话13912345678，身份证41010519900101123X，座机0371-65432100。"
    assert mask_identifiers(text) == "张三，电话139****5678，身份证410*************3X，座机0371-****2100。"


_LEAK_TEXTS = [
    "我电话13912345678",
    "电话139 1234 5678身份证410105199001011234",
    "身份证号 410105 19900101 123x 电话 +86 138-1234-5678",
    "幺三九一二三四五六七八是我号码",
    "１３９１２３４５６７８和１２３４５６７８９０１",
    "号码12345678901也别留",
    "ID:11010119800101001X,tel:15012345678;19912345678",
    "旧身份证410105900101123",
]


@pytest.mark.parametrize("text", _LEAK_TEXTS)
def test_no_mobile_or_id_survives_mask_identifiers(text: str) -> None:
    masked = mask_identifiers(text)
    digits_only = re.sub(r"[\s\-]", "", masked).translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    assert not re.search(r"1\d{10}", digits_only), masked
    assert not re.search(r"\d{17}[\dXx]", digits_only), masked
    assert not re.search(r"\d{15}", digits_only), masked
    assert not re.search(r"[幺一][三八五][九]", masked), masked


def test_mask_identifiers_leaves_other_text_alone() -> None:
    text = "赔偿5万元，2023年3月5日，家里6口人"
    assert mask_identifiers(text) == text
    assert mask_identifiers("") == ""


def test_id_and_bank_card_numbers_are_masked_before_storage_and_phones_kept() -> None:
    from triage import mask_cards

    text = "俺身份证410523198803154411 卡号6222 0212 3456 7890 123 电话13912345678 欠了三万五"
    masked = mask_cards(text)
    assert "410523198803154411" not in masked and "6222 0212 3456 7890 123" not in masked
    assert "13912345678" in masked and "欠了三万五" in masked
    assert mask_cards("身份证号41052319880315441X") == "身份证号410*************1X"
