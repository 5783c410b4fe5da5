"""The service's encoder learns from every FAQ question; an evaluation never sees its own split."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from knowledge import IndexInputs, KnowledgeBase
from knowledge.learn.evaluation import held_out_view
from knowledge.learn.index_build import build_index
from knowledge.splits import SPLITS, learning_splits, split_of
from tests.conftest import TEST_DATA

# Words no statute and no other question uses, twice so they pass the vocabulary's min_count.
TEST_ONLY_WORD = "确权"
DEV_ONLY_WORD = "邻居"


def test_an_evaluated_split_is_never_learned_from() -> None:
    assert learning_splits("dev") == ("train",)
    assert learning_splits("test") == ("train", "dev")
    assert learning_splits(None) == SPLITS
    for split in ("dev", "test"):
        assert split not in learning_splits(split)
    with pytest.raises(ValueError, match="unknown split"):
        learning_splits("train")  # type: ignore[arg-type]


def _inputs_with_every_split(tmp_path: Path) -> IndexInputs:
    shutil.copytree(TEST_DATA / "laws", tmp_path / "laws")
    items = json.loads((TEST_DATA / "faq.json").read_text(encoding="utf-8"))
    template = items[0]
    assert (split_of("110"), split_of("106")) == ("dev", "test")
    items.append({**template, "问题": f"{DEV_ONLY_WORD}占了路，{DEV_ONLY_WORD}不让怎么办？", "query_id": 110})
    items.append({**template, "问题": f"{TEST_ONLY_WORD}，{TEST_ONLY_WORD}找谁办？", "query_id": 106})
    (tmp_path / "faq.json").write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return IndexInputs(laws_dir=tmp_path / "laws", faq_file=tmp_path / "faq.json")


def _vocabulary(kb: KnowledgeBase) -> set[str]:
    return set(kb.index.dense.encoder.model[0].tokenizer.get_vocab())


def test_held_out_views_hide_their_split_from_the_faqs_and_the_encoder(tmp_path: Path) -> None:
    inputs = _inputs_with_every_split(tmp_path)
    encoders = tmp_path / "encoders"
    service = KnowledgeBase.from_directory(build_index(tmp_path / "index", inputs, encoders_root=encoders))
    assert service.faq_ids == {"7", "8", "110", "106"}
    assert TEST_ONLY_WORD in _vocabulary(service)

    test_view = held_out_view(service, inputs, encoders, "test")
    assert test_view.faq_ids == {"7", "8", "110"}
    assert TEST_ONLY_WORD not in _vocabulary(test_view)
    dev_view = held_out_view(service, inputs, encoders, "dev")
    assert dev_view.faq_ids == {"7", "8"}
    assert not {TEST_ONLY_WORD, DEV_ONLY_WORD} & _vocabulary(dev_view)
    assert DEV_ONLY_WORD in _vocabulary(test_view)

    # The view's corpus embeddings are cached beside the index and reused.
    again = held_out_view(service, inputs, encoders, "test")
    np.testing.assert_array_equal(again.index.dense.embeddings, test_view.index.dense.embeddings)
    assert [h.citation for h in test_view.search("工资拖欠", k=3, source="statute")]
