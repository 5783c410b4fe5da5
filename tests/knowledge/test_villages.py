from __future__ import annotations

import time
from pathlib import Path

import pytest

from cunfa.settings import PROJECT_ROOT
from knowledge import KnowledgeBase
from knowledge.ingest.village_rules import RulesFormatError, clause_number, parse_village_rules
from knowledge.villages import REFRESH_SECONDS, InvalidVillage, VillageStore, seed_samples

RULES = """# 样例村村规民约

第1条：村民之间发生纠纷，先协商，
协商不成找调解委员会。

第二条 禁止焚烧秸秆。

第12条 饲养犬只应当拴养。
"""


def _within_two_seconds(kb: KnowledgeBase, query: str, village_id: str) -> list:
    """The village's hits for ``query`` once some appear, polling for two seconds (another process's write)."""
    deadline = time.monotonic() + 2.0
    hits: list = []
    while time.monotonic() < deadline and not hits:
        hits = kb.search(query, k=3, source="village_rule", village_id=village_id)
        time.sleep(0.05)
    return hits


class TestParsing:
    @pytest.mark.parametrize(
        "raw, article", [("1", "第一条"), ("12", "第十二条"), ("１０", "第十条"), ("三", "第三条")]
    )
    def test_clause_numbers_are_chinese_numerals(self, raw: str, article: str) -> None:
        assert clause_number(raw) == article

    def test_clauses_keep_their_exact_text(self) -> None:
        title, docs = parse_village_rules(RULES, village_id="v1", village_name="样例村")
        assert title == "样例村村规民约"
        assert [d.article for d in docs] == ["第一条", "第二条", "第十二条"]
        assert docs[0].text == "村民之间发生纠纷，先协商，\n协商不成找调解委员会。"
        assert docs[0].citation == "样例村村规民约第一条"
        assert all(d.source == "village_rule" and d.village_id == "v1" for d in docs)

    def test_plain_text_without_title_uses_the_village_name(self) -> None:
        title, docs = parse_village_rules("第一条 爱护公物。", village_id="v", village_name="东村")
        assert title == "东村村规民约" and docs[0].citation == "东村村规民约第一条"

    @pytest.mark.parametrize(
        "text, reason", [("随便写点什么", "no clause"), ("第1条 甲\n第一条 乙", "twice"), ("第1条", "empty")]
    )
    def test_bad_rules_are_refused_with_the_reason(self, text: str, reason: str) -> None:
        with pytest.raises(RulesFormatError, match=reason):
            parse_village_rules(text, village_id="v", village_name="村")


class TestStore:
    def test_put_then_list(self, tmp_path: Path) -> None:
        store = VillageStore(tmp_path)
        info = store.put("v1", "样例村", RULES)
        assert info.clauses == 3 and store.list() == [info]

    def test_bad_input_changes_nothing(self, tmp_path: Path) -> None:
        store = VillageStore(tmp_path)
        store.put("v1", "样例村", RULES)
        version = store.version()
        with pytest.raises(RulesFormatError):
            store.put("v1", "样例村", "没有条款")
        with pytest.raises(InvalidVillage):
            store.put("../etc", "x", RULES)
        assert store.version() == version and store.get("v1").clauses == 3

    def test_samples_are_seeded_once_and_marked(self, tmp_path: Path) -> None:
        store = VillageStore(tmp_path)
        added = seed_samples(store, PROJECT_ROOT / "samples" / "villages")
        assert len(added) == 3 and all(i.sample for i in store.list())
        assert all("样例" in i.title for i in store.list())
        assert seed_samples(store, PROJECT_ROOT / "samples" / "villages") == []


class TestScopedSearch:
    @pytest.fixture
    def kb(self, tiny_kb: KnowledgeBase, tmp_path: Path) -> KnowledgeBase:
        store = VillageStore(tmp_path / "villages")
        store.put("v1", "样例村", RULES)
        store.put("v2", "别村", "第一条 焚烧秸秆罚款一百元。")
        store.put("v3", "喜事村", "第一条 红白喜事从简办理，婚事宴席一般不超过二十桌。\n第二条 禁止焚烧秸秆。")
        return KnowledgeBase(tiny_kb.index, villages=store)

    def test_rule_hits_only_for_their_own_village(self, kb: KnowledgeBase) -> None:
        hits = kb.search("能不能烧秸秆", k=5, source="village_rule", village_id="v1")
        assert hits and {h.village_id for h in hits} == {"v1"}
        assert hits[0].citation == "样例村村规民约第二条"
        assert hits[0].to_dict()["village_id"] == "v1"

    def test_a_shared_single_character_is_no_reason_to_cite_a_rule(self, kb: KnowledgeBase) -> None:
        # "不" is in the question and in the banquet clause ("一般不超过"); nothing else is shared.
        assert kb.search("包工头欠工钱一直不给", k=5, source="village_rule", village_id="v3") == []
        assert kb.search("喜事宴席能办多少桌", k=5, source="village_rule", village_id="v3")

    def test_no_rule_hits_without_a_village(self, kb: KnowledgeBase) -> None:
        assert kb.search("秸秆", k=5, source="village_rule") == []
        assert all(h.source != "village_rule" for h in kb.search("秸秆 工资", k=10))

    def test_mixed_search_includes_own_rules(self, kb: KnowledgeBase) -> None:
        sources = {h.source for h in kb.search("焚烧秸秆 工资", k=10, village_id="v2")}
        assert "village_rule" in sources

    def test_update_is_seen_by_another_reader_within_two_seconds(self, kb: KnowledgeBase, tmp_path: Path) -> None:
        other = KnowledgeBase(kb.index, villages=VillageStore(tmp_path / "villages"))
        assert other.search("宅基地", k=3, source="village_rule", village_id="v3") == []
        VillageStore(tmp_path / "villages").put("v3", "新村", "第一条 宅基地一户一宅。")
        hits = _within_two_seconds(other, "宅基地", "v3")
        assert hits and hits[0].citation == "新村村规民约第一条"
        assert REFRESH_SECONDS < 2.0


TOPIC = (
    '{"topic": "红白事与彩礼", "clause_words": ["彩礼", "婚事新办"], "keywords": ["出门子", "嫁闺女"], '
    '"questions": ["闺女出门子男方给的钱有没有数"], "typical_clauses": ["婚事新办，彩礼适度。"]}\n'
)
BANQUET_RULES = "第一条 婚事新办，彩礼不超过三万元。\n第二条 禁止焚烧秸秆。\n"


class TestBanks:
    """The topic bank and a village's own questions reach the clauses in words the clauses never use."""

    @pytest.fixture
    def store(self, tmp_path: Path) -> VillageStore:
        topics = tmp_path / "topics.jsonl"
        topics.write_text(TOPIC, encoding="utf-8")
        store = VillageStore(tmp_path / "villages", topics_file=topics)
        store.put("v1", "婚俗村", BANQUET_RULES)
        return store

    def test_a_topic_word_finds_the_clause_about_it(self, tiny_kb: KnowledgeBase, store: VillageStore) -> None:
        plain = KnowledgeBase(tiny_kb.index, villages=VillageStore(store.root))
        assert plain.search("出门子", k=3, source="village_rule", village_id="v1") == []
        hits = KnowledgeBase(tiny_kb.index, villages=store).search(
            "俺闺女出门子", k=3, source="village_rule", village_id="v1"
        )
        assert hits and hits[0].article == "第一条"
        assert hits[0].text == "婚事新办，彩礼不超过三万元。"  # the clause is quoted as written

    def test_a_villages_own_questions_are_searchable_at_once(self, tiny_kb: KnowledgeBase, store: VillageStore) -> None:
        kb = KnowledgeBase(tiny_kb.index, villages=store)
        assert kb.search("苞谷杆子", k=3, source="village_rule", village_id="v1") == []
        count = store.put_bank("v1", '{"article": "第二条", "questions": ["咱村苞谷杆子能烧不"]}\n')
        assert count == 1
        hits = _within_two_seconds(kb, "苞谷杆子", "v1")
        assert hits and hits[0].article == "第二条"

    @pytest.mark.parametrize(
        "text, reason",
        [
            ('{"article": "第九条", "questions": ["问"]}', "not a clause"),
            ('{"article": "第一条", "questions": []}', "write 1 to"),
            ("not json", "not JSON"),
        ],
    )
    def test_a_bad_bank_is_refused_and_nothing_changes(self, store: VillageStore, text: str, reason: str) -> None:
        from knowledge.bank import BankFormatError

        version = store.version()
        with pytest.raises(BankFormatError, match=reason):
            store.put_bank("v1", text)
        assert store.version() == version and not (store.root / "v1" / "bank.jsonl").exists()

    def test_a_bank_for_an_unknown_village_is_refused(self, store: VillageStore) -> None:
        with pytest.raises(InvalidVillage):
            store.put_bank("nobody", '{"article": "第一条", "questions": ["问"]}')

    def test_questions_for_clauses_the_new_rules_dropped_are_kept_but_unused(self, store: VillageStore) -> None:
        store.put_bank("v1", '{"article": "第二条", "questions": ["咱村苞谷杆子能烧不"]}\n')
        store.put("v1", "婚俗村", "第一条 婚事新办。\n")
        assert store.own_bank("v1", ["第一条"]) == []
        assert (store.root / "v1" / "bank.jsonl").is_file()
