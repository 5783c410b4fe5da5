"""The villagers' question bank: its format, every article it names, and that it never copies what we evaluate on."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from cunfa.settings import PROJECT_ROOT, Settings
from knowledge.bank import (
    BankEntry,
    BankFormatError,
    bank_digest,
    bank_problems,
    expansions,
    load_bank,
    parse_line,
)
from knowledge.guides import statute_lookup
from knowledge.learn.encoder_training import training_pairs
from knowledge.recipe import EncoderRecipe
from knowledge.types import Document

SETTINGS = Settings()
BANK_DIR = PROJECT_ROOT / "data" / "bank" / "laws"
BENCH_DATA = PROJECT_ROOT / "bench" / "data"
#: Character-bigram Jaccard at or above which a bank question counts as a copy of an evaluated one.
NEAR_DUPLICATE = 0.6
_NOT_WORD = re.compile(r"[\W_]+")


def _statute(citation: str, text: str = "正文") -> Document:
    title, _, number = citation.partition("第")
    return Document(doc_id=citation, source="statute", citation=citation, title=title, article=f"第{number}", text=text)


class TestFormat:
    def test_a_well_formed_line(self) -> None:
        entry = parse_line(
            json.dumps({"law": "中华人民共和国民法典", "article": "第一千零七十九条", "questions": ["甲", "乙"]}),
            "x.jsonl:1",
        )
        assert entry == BankEntry("中华人民共和国民法典", "第一千零七十九条", ("甲", "乙"), (), "x.jsonl:1")

    @pytest.mark.parametrize(
        ("line", "message"),
        [
            ("{not json", "not JSON"),
            (json.dumps({"law": "民法典", "article": "第一条", "questions": ["只有一个"]}), "write 2 to 6"),
            (json.dumps({"law": "", "article": "第一条", "questions": ["a", "b"]}), "non-empty strings"),
            (json.dumps({"law": "民法典", "article": "第一条", "questions": ["a", ""]}), "questions must be"),
            (json.dumps({"law": "民法典", "article": "第一条", "questions": ["a", "b"], "answer": "x"}), "unknown"),
            (json.dumps({"law": "民法典", "article": "第一条", "questions": ["a", "长" * 121]}), "longer than"),
        ],
    )
    def test_bad_lines_are_refused_with_the_place(self, line: str, message: str) -> None:
        with pytest.raises(BankFormatError, match=message) as raised:
            parse_line(line, "law.jsonl:7")
        assert "law.jsonl:7" in str(raised.value)

    def test_missing_articles_repeats_and_repealed_laws_are_problems(self) -> None:
        statutes = statute_lookup(
            [
                _statute("中华人民共和国民法典第一条"),
                _statute("最高人民法院关于适用《中华人民共和国婚姻法》若干问题的解释（一）第一条"),
            ]
        )
        entries = [
            BankEntry("中华人民共和国民法典", "第一条", ("a", "b"), (), "f:1"),
            BankEntry("民法典", "第一条", ("c", "d"), (), "f:2"),
            BankEntry("中华人民共和国民法典", "第九千条", ("a", "b"), (), "f:3"),
            BankEntry(
                "最高人民法院关于适用《中华人民共和国婚姻法》若干问题的解释（一）", "第一条", ("a", "b"), (), "f:4"
            ),
        ]
        problems = bank_problems(entries, statutes)
        assert any("f:2" in p and "already has questions at f:1" in p for p in problems)
        assert any("f:3" in p and "not an article" in p for p in problems)
        assert any("f:4" in p and "repealed" in p for p in problems)
        assert len(problems) == 3

    def test_the_digest_follows_every_file(self, tmp_path: Path) -> None:
        before = bank_digest(tmp_path)
        (tmp_path / "a.jsonl").write_text("", encoding="utf-8")
        added = bank_digest(tmp_path)
        (tmp_path / "a.jsonl").write_text("\n", encoding="utf-8")
        assert len({before, added, bank_digest(tmp_path)}) == 3


class TestUse:
    def test_expansion_is_for_the_article_only_and_leaves_its_text(self) -> None:
        docs = [
            _statute("中华人民共和国民法典第一千二百四十五条", "饲养的动物造成他人损害的"),
            _statute("中华人民共和国民法典第一条"),
        ]
        entry = BankEntry("民法典", "第一千二百四十五条", ("狗把娃咬了咋赔", "邻居狗咬人"), ("狗咬人",))
        assert expansions(docs, [entry]) == {0: "狗把娃咬了咋赔 邻居狗咬人 狗咬人"}
        assert docs[0].text == "饲养的动物造成他人损害的"

    def test_bank_questions_become_training_pairs_and_nothing_else_changes(self) -> None:
        statutes = [
            _statute("中华人民共和国民法典第一千二百四十五条", "饲养的动物造成他人损害的，动物饲养人应当承担侵权责任")
        ]
        entry = BankEntry("中华人民共和国民法典", "第一千二百四十五条", ("狗把娃咬了咋赔", "邻居狗咬人"), ())
        recipe = EncoderRecipe()
        without = training_pairs(statutes, [], recipe)
        with_bank = training_pairs(statutes, [], recipe, [entry], bank_repeats=2)
        added = [pair for pair in with_bank if pair[0] in entry.questions]
        assert len(added) == 4 and {p for _, p in added} == {statutes[0].text}
        assert sorted(set(with_bank) - set(added)) == sorted(set(without))


@pytest.fixture(scope="module")
def bank() -> list[BankEntry]:
    entries = load_bank(BANK_DIR)
    if not entries:
        pytest.skip("no bank files yet")
    return entries


@pytest.mark.skipif(not SETTINGS.laws_dir.is_dir(), reason="shared statute collection not present")
def test_every_bank_article_exists_and_is_in_force(bank: list[BankEntry]) -> None:
    from knowledge.ingest import load_statutes

    problems = bank_problems(bank, statute_lookup(load_statutes(SETTINGS.laws_dir)))
    assert not problems, "\n".join(problems[:20])


def _bigrams(text: str) -> set[str]:
    flat = _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).lower())
    return {flat[i : i + 2] for i in range(len(flat) - 1)} or {flat}


def _evaluated_questions() -> list[str]:
    """Every question the product is measured on: the LeCoQA FAQ (all splits) and the bench's sets."""
    texts: list[str] = []
    if SETTINGS.faq_file.is_file():
        texts += [str(item["问题"]) for item in json.loads(SETTINGS.faq_file.read_text(encoding="utf-8"))]
    for path in sorted(BENCH_DATA.rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            texts += [str(item[key]) for key in ("q", "text", "question") if isinstance(item.get(key), str)]
    return texts


def _matrix(texts: list[str], vocabulary: dict[str, int]) -> sparse.csr_matrix:
    rows, cols = [], []
    for i, text in enumerate(texts):
        for gram in _bigrams(text):
            rows.append(i)
            cols.append(vocabulary.setdefault(gram, len(vocabulary)))
    return sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(texts), 1 << 20))


def test_no_bank_question_copies_a_question_we_evaluate_on(bank: list[BankEntry]) -> None:
    evaluated = _evaluated_questions()
    assert len(evaluated) > 1000, "the LeCoQA file or the bench sets were not found"
    questions = [q for entry in bank for q in entry.questions]
    vocabulary: dict[str, int] = {}
    ours, theirs = _matrix(questions, vocabulary), _matrix(evaluated, vocabulary)
    shared = (ours @ theirs.T).tocoo()
    size_ours = np.asarray(ours.sum(1)).ravel()
    size_theirs = np.asarray(theirs.sum(1)).ravel()
    jaccard = shared.data / (size_ours[shared.row] + size_theirs[shared.col] - shared.data)
    copies = [
        f"{questions[i]!r} ~ {evaluated[j]!r} ({score:.2f})"
        for i, j, score in zip(shared.row, shared.col, jaccard, strict=True)
        if score >= NEAR_DUPLICATE
    ]
    assert not copies, "\n".join(copies[:20])


def test_the_near_duplicate_check_can_fail() -> None:
    vocabulary: dict[str, int] = {}
    a = _matrix(["包工头跑了工钱找谁要"], vocabulary)
    b = _matrix(["包工头跑了 工钱找谁要啊"], vocabulary)
    shared = float((a @ b.T).toarray()[0, 0])
    assert shared / (a.sum() + b.sum() - shared) >= NEAR_DUPLICATE
