from __future__ import annotations

import pytest

from knowledge import InvalidQuery, KnowledgeBase, UnknownSource
from tests.conftest import TEST_DATA


class TestKnowledgeBaseSearch:
    def test_everyday_question_finds_the_article(self, tiny_kb: KnowledgeBase) -> None:
        hits = tiny_kb.search("离婚以后孩子抚养费谁出", k=3, source="statute")
        assert hits[0].citation == "中华人民共和国民法典第一千零八十五条"
        assert hits[0].source == "statute"
        assert hits == sorted(hits, key=lambda h: -h.score)

    def test_source_filter_returns_only_that_source(self, tiny_kb: KnowledgeBase) -> None:
        hits = tiny_kb.search("拖欠工资", k=10, source="faq")
        assert hits and {h.source for h in hits} == {"faq"}
        assert hits[0].faq_id == "7"
        assert hits[0].to_dict()["cited"] == ["中华人民共和国劳动法第五十条"]

    def test_unfiltered_search_mixes_statutes_and_faqs(self, tiny_kb: KnowledgeBase) -> None:
        sources = {h.source for h in tiny_kb.search("拖欠工资", k=10)}
        assert sources == {"statute", "faq"}

    def test_hit_shape_is_the_public_contract(self, tiny_kb: KnowledgeBase) -> None:
        data = tiny_kb.search("工资", k=1, source="statute")[0].to_dict()
        assert set(data) == {"source", "citation", "title", "article", "text", "score"}

    @pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense", "rrf"])
    def test_quoted_text_is_exactly_the_source(self, tiny_kb: KnowledgeBase, mode: str) -> None:
        """Every paragraph quoted appears verbatim in the file the citation names, under its number."""
        files = {}
        for path in (TEST_DATA / "laws").rglob("*.md"):
            text = path.read_text(encoding="utf-8")
            files.setdefault(text.splitlines()[0].lstrip("# "), []).append(text)
        hits = tiny_kb.search("婚姻 抚养 赡养 工资", k=10, source="statute", mode=mode)
        assert hits
        for hit in hits:
            first, *rest = hit.text.split("\n\n")
            assert any(f"{hit.article} {first}" in text and all(p in text for p in rest) for text in files[hit.title])

    def test_unmatched_words_give_no_hits(self, tiny_kb: KnowledgeBase) -> None:
        assert tiny_kb.search("zzzz qqqq", k=5) == []

    @pytest.mark.parametrize("k", [0, -1, 101])
    def test_k_out_of_range_raises(self, tiny_kb: KnowledgeBase, k: int) -> None:
        with pytest.raises(InvalidQuery, match="k must be between"):
            tiny_kb.search("工资", k=k)

    @pytest.mark.parametrize("query", ["", "   "])
    def test_empty_query_raises(self, tiny_kb: KnowledgeBase, query: str) -> None:
        with pytest.raises(InvalidQuery):
            tiny_kb.search(query)

    def test_unknown_source_raises(self, tiny_kb: KnowledgeBase) -> None:
        with pytest.raises(UnknownSource, match="'law'"):
            tiny_kb.search("工资", source="law")


def test_everyday_words_reach_statutory_text(tiny_kb: KnowledgeBase) -> None:
    """No article says 工钱 or 老板; the colloquial map bridges to 工资 / 劳动者."""
    hits = tiny_kb.search("老板欠工钱不给", k=3, source="statute", mode="bm25")
    assert hits and hits[0].citation.startswith("中华人民共和国劳动法")
