from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from knowledge import IndexInputs, IndexNotBuilt, load_index
from knowledge.learn.index_build import build_index, prune_indexes
from tests.conftest import TEST_DATA


def _copy_inputs(tmp_path: Path) -> IndexInputs:
    shutil.copytree(TEST_DATA / "laws", tmp_path / "laws")
    shutil.copy(TEST_DATA / "faq.json", tmp_path / "faq.json")
    return IndexInputs(laws_dir=tmp_path / "laws", faq_file=tmp_path / "faq.json")


def test_unchanged_inputs_are_not_rebuilt(tmp_path: Path) -> None:
    inputs = _copy_inputs(tmp_path)
    first = build_index(tmp_path / "index", inputs)
    stamp = (first / "manifest.json").stat().st_mtime_ns
    second = build_index(tmp_path / "index", inputs)
    assert second == first
    assert (second / "manifest.json").stat().st_mtime_ns == stamp


def test_changed_statute_gives_a_new_index(tmp_path: Path) -> None:
    inputs = _copy_inputs(tmp_path)
    first = build_index(tmp_path / "index", inputs)
    law = inputs.laws_dir / "民法典" / "婚姻家庭编.md"
    law.write_text(
        law.read_text(encoding="utf-8") + "\n第一千零八十六条 离婚后，不直接抚养子女的父或者母，有探望子女的权利。\n"
    )
    second = build_index(tmp_path / "index", inputs)
    assert second != first
    assert any(d.article == "第一千零八十六条" for d in load_index(second).documents)


def test_manifest_records_counts(tmp_path: Path) -> None:
    loaded = load_index(build_index(tmp_path / "index", _copy_inputs(tmp_path)))
    assert loaded.manifest["documents"] == {"statute": 6, "faq": 2}
    assert loaded.manifest["retrievers"][0]["type"] == "bm25"


def test_loading_a_missing_index_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(IndexNotBuilt, match="cunfa index build"):
        load_index(tmp_path / "nothing")


def test_no_half_built_directories_are_left(tmp_path: Path) -> None:
    build_index(tmp_path / "index", _copy_inputs(tmp_path))
    assert not [p for p in (tmp_path / "index").iterdir() if p.name.startswith(".building-")]


def test_superseded_indexes_are_pruned_keeping_one_spare(tmp_path: Path) -> None:
    root = tmp_path / "index"
    for i, name in enumerate(["old1", "old2", "old3", "current"]):
        (root / name).mkdir(parents=True)
        (root / name / "manifest.json").write_text("{}")
        os.utime(root / name / "manifest.json", (1_000 + i, 1_000 + i))
    (root / ".building-x").mkdir()
    (root / ".building-x" / "manifest.json").write_text("{}")  # a concurrent build about to land
    assert sorted(prune_indexes(root, keep={"current"})) == ["old1", "old2"]
    assert sorted(p.name for p in root.iterdir()) == [".building-x", "current", "old3"]
