"""Matter guides: the schema, every article they cite (exists, in force, quoted verbatim), the matter model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cunfa.settings import PROJECT_ROOT
from knowledge.citations import normalize_citation, normalize_title
from knowledge.guides import (
    SECTIONS,
    SUMMARY_MAX_CHARS,
    GuideFormatError,
    citation_problems,
    load_guides,
    parse_guide,
    read_guide,
    statute_lookup,
)
from knowledge.guides.matter import MATTER_MODEL_FILE
from knowledge.learn import matter_training
from knowledge.repeal import in_force, repealed_titles
from tests.conftest import SHARED_DATA, TEST_DATA
from triage import DISPUTE_TYPES
from triage.followup import follow_up_sections, looks_like_follow_up

GUIDES_DIR = PROJECT_ROOT / "data" / "guides"


def minimal(**overrides: object) -> dict:
    data: dict = {
        "id": "wage_arrears",
        "title": "拖欠工资",
        "dispute_type": "wage_arrears",
        "triggers": ["工钱", "工资", "欠薪"],
        "articles": ["劳动法第五十条"],
        "summary": {"text": "工资要按月发。", "basis": ["劳动法第五十条"]},
        **{name: [{"text": f"{name} 的说明"}] for name in SECTIONS},
        "examples": [f"问题{i}" for i in range(8)],
    }
    data.update(overrides)
    return data


class TestSchema:
    def test_a_minimal_guide_parses(self) -> None:
        guide = parse_guide(minimal(), dispute_types=DISPUTE_TYPES)
        assert guide.summary.basis == ("劳动法第五十条",)
        assert list(guide.sections) == list(SECTIONS)
        assert guide.cited() == ["劳动法第五十条"]

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"id": "Wage"}, "id must match"),
            ({"dispute_type": "wages"}, "dispute_type must be one of"),
            ({"summary": {"text": "长" * (SUMMARY_MAX_CHARS + 1)}}, "the first screen allows"),
            ({"where": []}, "where must be a non-empty list"),
            ({"triggers": ["工钱"]}, "at least 3"),
            ({"examples": ["一个"]}, "at least 8"),
            ({"steps": [{"text": "x", "source": "y"}]}, "mapping with 'text'"),
            ({"colour": "red"}, "unknown key"),
        ],
    )
    def test_a_bad_guide_names_the_problem(self, overrides: dict, message: str) -> None:
        with pytest.raises(GuideFormatError, match=message):
            parse_guide(minimal(**overrides), dispute_types=DISPUTE_TYPES)

    def test_the_file_name_must_be_the_id(self, tmp_path: Path) -> None:
        (tmp_path / "other.yml").write_text("id: wage_arrears\n", encoding="utf-8")
        with pytest.raises(GuideFormatError, match="file is named other.yml"):
            read_guide(tmp_path / "other.yml")

    def test_unreadable_yaml_is_a_clear_error(self, tmp_path: Path) -> None:
        (tmp_path / "x.yml").write_text("id: [unclosed\n", encoding="utf-8")
        with pytest.raises(GuideFormatError, match="cannot be read as YAML"):
            read_guide(tmp_path / "x.yml")


class TestTheGuides:
    @pytest.fixture(scope="class")
    def book(self):
        return load_guides(GUIDES_DIR, dispute_types=DISPUTE_TYPES)

    def test_at_least_forty_guides_cover_every_dispute_type(self, book) -> None:
        assert len(book) >= 40
        assert {g.dispute_type for g in book} == set(DISPUTE_TYPES)

    def test_every_guide_has_every_section_and_a_short_first_screen(self, book) -> None:
        for guide in book:
            assert len(guide.summary.text) <= SUMMARY_MAX_CHARS
            assert all(guide.sections[name] for name in SECTIONS)
            assert guide.summary.basis, f"{guide.id}: the summary must say what law it rests on"

    @pytest.mark.skipif(not (SHARED_DATA / "laws").is_dir(), reason="shared statute collection not present")
    def test_every_cited_article_exists_and_is_in_force(self, book) -> None:
        from knowledge.ingest import load_statutes

        statutes = statute_lookup(load_statutes(SHARED_DATA / "laws"))
        problems = [line for guide in book for line in citation_problems(guide, statutes)]
        assert problems == []


@pytest.mark.skipif(not (SHARED_DATA / "laws").is_dir(), reason="shared statute collection not present")
def test_every_repealed_title_is_in_the_collection() -> None:
    """A typo in repealed.txt would silently leave a repealed law citable."""
    from knowledge.ingest import load_statutes

    titles = {normalize_title(d.title) for d in load_statutes(SHARED_DATA / "laws")}
    assert repealed_titles() and repealed_titles() <= titles
    assert not in_force("最高人民法院关于适用《中华人民共和国婚姻法》若干问题的解释（一）")
    assert in_force("中华人民共和国民法典")


def test_a_repealed_citation_is_a_problem(tiny_kb) -> None:
    from knowledge.types import Document

    doc = Document("d", "statute", "最高人民法院关于适用《中华人民共和国婚姻法》若干问题的解释（一）第一条",
                   "最高人民法院关于适用《中华人民共和国婚姻法》若干问题的解释（一）", "第一条", "…")  # fmt: skip
    guide = parse_guide(minimal(articles=["最高人民法院关于适用《婚姻法》若干问题的解释（一）第一条"]))
    statutes = {normalize_citation(doc.citation): doc}
    problems = citation_problems(guide, statutes)
    assert any("repealed" in p for p in problems) and any("not an article" in p for p in problems)


def test_the_test_guides_cite_the_tiny_corpus() -> None:
    from knowledge.ingest import load_statutes

    statutes = statute_lookup(load_statutes(TEST_DATA / "laws"))
    book = load_guides(TEST_DATA / "guides", dispute_types=DISPUTE_TYPES)
    assert [line for guide in book for line in citation_problems(guide, statutes)] == []


def test_the_shipped_matter_model_is_fresh() -> None:
    """Editing a guide (or the no-matter list, or the NLU data) without `make matter-model` fails here."""
    from cunfa.settings import get_settings

    data = json.loads(MATTER_MODEL_FILE.read_text(encoding="utf-8"))
    settings = get_settings()
    assert data["recipe_sha256"] == matter_training.Recipe().sha256()
    expected = matter_training.inputs_sha256(
        settings.guides_dir, settings.faq_file, matter_training.NO_MATTER_FILE, matter_training.NLU_DIR
    )
    assert data["data_sha256"] == expected, "guides changed: run `make matter-model`"
    assert set(data["classes"]) == {g.stem for g in GUIDES_DIR.glob("*.yml")} | {matter_training.NO_MATTER}


@pytest.mark.parametrize(
    ("text", "section"),
    [
        ("那俺该上哪告他去", "where"),
        ("要花钱不", "cost"),
        ("起诉要花钱不", "cost"),
        ("得多长时间", "time_limits"),
        ("过了两年还能告不", "time_limits"),
        ("要带啥材料", "evidence"),
        ("详细说说", "steps"),
        ("要是起诉的话都有哪些步骤", "steps"),
        ("找谁管", "where"),
        ("那咋办", "steps"),
    ],
)
def test_follow_ups_ask_for_the_section_asked_last(text: str, section: str) -> None:
    assert follow_up_sections(text)[0] == section
    assert looks_like_follow_up(text)


def test_a_long_story_is_not_a_follow_up() -> None:
    assert not looks_like_follow_up("俺在县城工地上干了八个月包工头跑了工钱一分没给俺们六个人都没拿到钱咋整")
