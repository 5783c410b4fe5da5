"""normalize(): the one place that decides what "the same text" means for every lexicon."""

from __future__ import annotations

import pytest

from triage import normalize
from triage.text import _normalize_aligned


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("宅機地被鄰居佔了", "宅机地被邻居占了"),
        ("離婚後孩子撫養費", "离婚后孩子抚养费"),
        ("１３９１２３４５６７８", "13912345678"),
        ("ＡＢＣ，ｘｙｚ！", "ABC,xyz!"),
        ("我\u3000家\t\t宅基地\n\n", "我 家 宅基地"),
        ("  前后空白  ", "前后空白"),
        ("a\x00b\x07c\x1bd\x7fe\x85f", "abcde f"),
        ("零宽\u200b字符\ufeff", "零宽字符"),
        ("", ""),
        ("   ", ""),
        ("plain ascii", "plain ascii"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize("raw", ["\ud800", "宅\udfff基地", "\ud83d\ude00好", "\udc00\ud800", "😀\ud800"])
def test_normalize_drops_lone_surrogates_and_output_encodes(raw: str) -> None:
    out = normalize(raw)
    out.encode("utf-8")  # would raise on a surviving surrogate
    assert not any(0xD800 <= ord(ch) <= 0xDFFF for ch in out)


def test_normalize_keeps_astral_characters() -> None:
    assert normalize("😀好") == "😀好"


def test_aligned_offsets_point_into_original() -> None:
    raw = "\x00我 家 宅機地\u200b，"
    view, origin = _normalize_aligned(raw, keep_spaces=False)
    assert view == "我家宅机地,"
    assert len(origin) == len(view) + 1
    assert origin[-1] == len(raw)
    start = view.index("宅机地")
    assert raw[origin[start] : origin[start + 2] + 1] == "宅機地"


def test_normalize_rejects_non_str() -> None:
    with pytest.raises(TypeError):
        normalize(None)  # type: ignore[arg-type]
