from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from knowledge.citations import normalize_citation, normalize_title, version_key
from knowledge.ingest import load_faqs, load_statutes, parse_law_file, select_current_versions
from tests.conftest import SHARED_DATA, TEST_DATA

LAWS = TEST_DATA / "laws"


class TestParseLawFile:
    def test_reads_title_part_and_date(self) -> None:
        law = parse_law_file(LAWS / "民法典" / "婚姻家庭编.md")
        assert law is not None
        assert law.title == "中华人民共和国民法典"
        assert law.part == "婚姻家庭编"
        assert law.version_date == date(2021, 1, 1)  # latest date of the history lines

    def test_multi_paragraph_article_stays_whole(self) -> None:
        law = parse_law_file(LAWS / "民法典" / "婚姻家庭编.md")
        articles = dict(law.articles)
        assert articles["第一千零四十一条"] == (
            "婚姻家庭受国家保护。\n\n实行婚姻自由、一夫一妻、男女平等的婚姻制度。\n\n"
            "保护妇女、未成年人、老年人、残疾人的合法权益。"
        )

    def test_heading_ends_an_article(self) -> None:
        law = parse_law_file(LAWS / "民法典" / "婚姻家庭编.md")
        assert "离婚" not in dict(law.articles)["第一千零六十七条"].split("\n\n")[-1][:2]
        assert [a for a, _ in law.articles] == ["第一千零四十一条", "第一千零六十七条", "第一千零八十五条"]

    def test_zhi_yi_article_is_its_own_unit(self) -> None:
        law = parse_law_file(LAWS / "社会法" / "劳动法(2018-12-29).md")
        numbers = [a for a, _ in law.articles]
        assert numbers == ["第五十条", "第五十条之一", "第五十一条"]
        assert dict(law.articles)["第五十条之一"].startswith("本条为测试用的之一条款")

    def test_file_name_date_wins(self) -> None:
        law = parse_law_file(LAWS / "社会法" / "劳动法(2009-08-27).md")
        assert law.version_date == date(2009, 8, 27)

    def test_index_pages_are_not_laws(self) -> None:
        assert parse_law_file(LAWS / "_index.md") is None


class TestVersionSelection:
    def test_only_newest_version_is_kept(self) -> None:
        docs = load_statutes(LAWS)
        labour = [d for d in docs if d.title == "中华人民共和国劳动法"]
        assert {d.article for d in labour} == {"第五十条", "第五十条之一", "第五十一条"}
        assert all("旧版本" not in d.text for d in labour)

    def test_trial_edition_groups_with_final(self, tmp_path: Path) -> None:
        body = "# {t}\n\n<!-- INFO END -->\n\n第一条 {x}\n"
        (tmp_path / "规则（试行）(2012-01-01).md").write_text(body.format(t="某规则（试行）", x="旧"))
        (tmp_path / "规则(2019-01-01).md").write_text(body.format(t="某规则", x="新"))
        current = select_current_versions([parse_law_file(p) for p in sorted(tmp_path.glob("*.md"))])
        assert [law.title for law in current] == ["某规则"]

    def test_citation_is_official_title_plus_article(self) -> None:
        docs = {d.doc_id: d for d in load_statutes(LAWS)}
        doc = docs["statute:民法典:第一千零八十五条"]
        assert doc.citation == "中华人民共和国民法典第一千零八十五条"
        assert doc.source == "statute"


class TestTitleNormalisation:
    @pytest.mark.parametrize(
        "a, b",
        [
            ("中华人民共和国民法典", "民法典"),
            (
                "最高人民法院关于适用《中华人民共和国民法典》有关担保制度的解释",
                "最高人民法院关于适用《民法典》有关担保制度的解释",
            ),
            ("建设工程施工合同解释（一）", "建设工程施工合同解释(一)"),
            ("中华人民共和国 劳动法", "劳动法"),
        ],
    )
    def test_variants_meet(self, a: str, b: str) -> None:
        assert normalize_title(a) == normalize_title(b)

    def test_trial_marker_only_ignored_for_versions(self) -> None:
        assert normalize_title("某规则（试行）") != normalize_title("某规则")
        assert version_key("某规则（试行）") == version_key("某规则")


def test_faqs_keep_answer_and_cited_statutes() -> None:
    faqs = load_faqs(TEST_DATA / "faq.json")
    assert [f.faq_id for f in faqs] == ["7", "8"]
    assert faqs[0].source == "faq"
    assert faqs[0].extra["cited"] == ["中华人民共和国劳动法第五十条"]
    assert faqs[1].search_text.startswith("离婚后孩子的抚养费谁出")


def test_missing_laws_dir_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="CUNFA_LAWS_DIR"):
        load_statutes(tmp_path / "nope")


@pytest.mark.skipif(not (SHARED_DATA / "laws").is_dir(), reason="shared statute collection not present")
class TestSharedCollection:
    """The real collection: every article the FAQ relies on must be citable, superseded ones not."""

    @pytest.fixture(scope="class")
    def docs(self):
        return load_statutes(SHARED_DATA / "laws")

    def test_size_and_unique_ids(self, docs) -> None:
        assert 55_000 < len(docs) < 62_000
        assert len({d.doc_id for d in docs}) == len(docs)

    def test_every_faq_label_resolves(self, docs) -> None:
        keys = {normalize_citation(d.citation) for d in docs}
        items = json.loads((SHARED_DATA / "lecoqa" / "train.json").read_text(encoding="utf-8"))
        labels = {name for item in items for name in item["match_name"]}
        missing = sorted(n for n in labels if normalize_citation(n) not in keys)
        assert missing == []

    def test_every_everyday_benchmark_answer_resolves(self, docs) -> None:
        """bench/everyday_questions.py counts a hit only on these citations: a typo would score a right answer wrong."""
        from cunfa.settings import PROJECT_ROOT

        keys = {normalize_citation(d.citation) for d in docs}
        path = PROJECT_ROOT / "bench" / "data" / "everyday_questions.jsonl"
        items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        assert len(items) >= 60
        missing = sorted(a for item in items for a in item["articles"] if normalize_citation(a) not in keys)
        assert missing == []

    def test_superseded_version_is_dropped(self, docs) -> None:
        women = [d for d in docs if d.title == "中华人民共和国妇女权益保障法"]
        assert women, "law missing"
        # The 2022 revision has 86 articles, the 2018 text 61.
        assert len(women) > 80

    def test_known_article_text(self, docs) -> None:
        doc = next(d for d in docs if d.citation == "中华人民共和国民法典第八百三十九条")
        assert doc.text.startswith("多式联运经营人可以与参加多式联运的各区段承运人")
