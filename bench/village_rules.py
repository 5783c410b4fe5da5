"""Village-rule search on held-out villages (``bench/data/villages/<batch>``), with and without the topic bank.

Every village of the batch is loaded into one village store, as a county's villages would be;
each question is searched in its own village. Reported per village and overall:

* accuracy@3: an accepted clause among the top 3, over the questions some clause answers;
* clean no-answers: questions no clause answers whose best clause stays under the answer
  policy's ``rule_min_score`` (so no clause is cited for them);
* foreign hits: clauses of another village among any results (must be 0).

Variants, same run: ``none`` (no village topic bank) and ``topics`` (``data/bank/villages``), over
the service's index or ``--index`` (one built with the bank in the encoder's training, say).
The writers of the held-out villages never saw the bank.

Run: ``.venv/bin/python bench/village_rules.py [--batch heldout-1] [--json out.json]``
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from cunfa.settings import get_settings
from knowledge.base import KnowledgeBase
from knowledge.citations import normalize_citation
from knowledge.guides.policy import AdvicePolicy
from knowledge.index import LoadedIndex, load_index
from knowledge.villages import VillageStore

DATA = Path(__file__).with_name("data") / "villages"


def load(batch: str) -> dict[str, tuple[str, str, list[dict]]]:
    """village id → (name, rules text, questions)."""
    out = {}
    for folder in sorted(p for p in (DATA / batch).iterdir() if p.is_dir()):
        rules = (folder / "rules.md").read_text(encoding="utf-8")
        name = rules.splitlines()[0].lstrip("# ").removesuffix("村规民约").strip() or folder.name
        questions = [json.loads(x) for x in (folder / "questions.jsonl").read_text(encoding="utf-8").splitlines() if x]
        out[folder.name] = (name, rules, questions)
    return out


def score(kb: KnowledgeBase, villages: dict[str, tuple[str, str, list[dict]]]) -> dict:
    floor = AdvicePolicy().rule_min_score
    report: dict = {}
    totals = {"answerable": 0, "hit3": 0, "unanswerable": 0, "clean": 0, "foreign": 0}
    for village_id, (_, _, questions) in villages.items():
        row = dict.fromkeys(totals, 0)
        for q in questions:
            hits = kb.search(q["question"], k=3, source="village_rule", village_id=village_id)
            row["foreign"] += sum(h.village_id != village_id for h in hits)
            accept = {normalize_citation(a) for a in q["answers"]}
            if accept:
                row["answerable"] += 1
                row["hit3"] += any(normalize_citation(h.article) in accept for h in hits)
            else:
                row["unanswerable"] += 1
                row["clean"] += not hits or hits[0].score < floor
        for key in totals:
            totals[key] += row[key]
        report[village_id] = _rates(row)
    report["all"] = _rates(totals)
    return report


def _rates(row: dict) -> dict:
    return {
        "accuracy@3": round(row["hit3"] / max(row["answerable"], 1), 4),
        "answerable": row["answerable"],
        "clean_no_answer": round(row["clean"] / max(row["unanswerable"], 1), 4),
        "unanswerable": row["unanswerable"],
        "foreign_hits": row["foreign"],
    }


def run(batch: str, topics: Path | None, index: LoadedIndex) -> dict:
    villages = load(batch)
    with tempfile.TemporaryDirectory() as tmp:
        store = VillageStore(Path(tmp), topics_file=topics)
        for village_id, (name, rules, _) in villages.items():
            store.put(village_id, name, rules)
        return score(KnowledgeBase(index, villages=store), villages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", default="heldout-1")
    parser.add_argument(
        "--index", type=Path, help="an index directory (e.g. one of bench/question_bank.py's); default: the service's"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    settings = get_settings()
    index = load_index(args.index) if args.index else KnowledgeBase.from_settings(settings).index
    encoder = index.dense.encoder.name if index.dense is not None else "none"
    results: dict = {"batch": args.batch, "encoder": encoder, "none": run(args.batch, None, index)}
    if settings.village_topics_file.is_file():
        results["topics"] = run(args.batch, settings.village_topics_file, index)
    print(json.dumps(results, ensure_ascii=False, indent=1))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
