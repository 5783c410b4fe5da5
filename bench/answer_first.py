"""Answer-first on everyday questions nobody tuned on, against today's main in the same run.

Data (``bench/data/answers/<batch>/``): ``questions.jsonl`` ({id, text, matter, also_ok, articles})
and ``followups.jsonl`` ({id, turns: [first, second], matter, section} where section is one of the
guide sections, or ``new_matter`` with ``new_matter``). ``heldout-1`` was written blind, before any
guide or threshold was tuned, and is never edited; ``dev-1`` was written blind too but is looked at
while tuning, so only ``heldout-*`` figures count.

Printed per system:

* ``answered``: the first reply answers (a guide's summary or cited articles), not a clarifying question;
* ``matter``: the matter answered is the labelled one (or one of ``also_ok``);
* ``hit3``: an article a lawyer would accept is among the first three cited;
* ``followups``: the follow-up is answered from the right section of the right matter's guide;
* ``new_matter``: a second message that raises another matter is answered as that matter.

Two ways to run:

* ``--engine`` (default): the policy in this process (``knowledge.guides.policy``) next to main's
  (``knowledge/answer.py`` at ``--baseline``: answer above a retrieval score, else ask back), on the
  built index. Main has no matters or follow-ups; it scores 0 there by construction, and its
  ``answered`` counts a confident statute or FAQ answer.
* ``--stack``: the real product through ``POST /v1/chat`` for this tree and for a worktree of
  ``--baseline``, NLU included (a question the NLU sends to the intake form is not answered).

Run: ``.venv/bin/python bench/answer_first.py --batch heldout-1 [--stack] [--json out.json]``.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from cunfa.settings import PROJECT_ROOT, get_settings
from knowledge.citations import normalize_citation
from knowledge.guides.model import SECTION_TITLES

DATA = Path(__file__).with_name("data") / "answers"
BASELINE_REF = "b259029"  # main before the matter guides (stop 15)


def load(batch: str) -> tuple[list[dict], list[dict]]:
    folder = DATA / batch
    read = lambda name: [json.loads(x) for x in (folder / name).read_text(encoding="utf-8").splitlines() if x.strip()]  # noqa: E731
    return read("questions.jsonl"), read("followups.jsonl")


# One reply, as both modes see it: did it answer, under which matter, citing what, from which section.
Reply = dict
Ask = Callable[[str, str | None], Reply]  # (text, conversation id) -> reply


def score(questions: list[dict], followups: list[dict], ask: Callable[[], Ask], show: bool = False) -> dict:
    answered = matter = hit3 = 0
    for q in questions:
        reply = ask()(q["text"], None)
        good = {q["matter"], *q.get("also_ok", [])}
        accept = {normalize_citation(a) for a in q["articles"]}
        answered += reply["answered"]
        matter += reply["matter"] in good
        hit3 += any(normalize_citation(c) in accept for c in reply["citations"][:3])
        if show and (not reply["answered"] or reply["matter"] not in good):
            print(f"QUESTION {q['matter']} -> {reply['matter']} ({reply.get('intent')}): {q['text']}")
    same = [f for f in followups if f["section"] != "new_matter"]
    new = [f for f in followups if f["section"] == "new_matter"]
    right_section = moved = 0
    for f in same + new:
        turn = ask()
        first = turn(f["turns"][0], "first")
        second = turn(f["turns"][1], "second")
        if f["section"] == "new_matter":
            ok = second["answered"] and second["matter"] == f["new_matter"]
            moved += ok
        else:
            ok = first["matter"] == f["matter"] and second["section"] == f["section"]
            right_section += ok
        if show and not ok:
            print(f"FOLLOW-UP {f['section']} {f['matter']}: {first['matter']}/{second['matter']} "
                  f"{second['section']} ({second.get('intent')}): {f['turns']}")  # fmt: skip
    n = len(questions)
    return {
        "questions": n,
        "answered": round(answered / n, 4),
        "matter": round(matter / n, 4),
        "hit3": round(hit3 / n, 4),
        "followups": round(right_section / len(same), 4) if same else None,
        "followups_n": len(same),
        "new_matter": round(moved / len(new), 4) if new else None,
        "new_matter_n": len(new),
    }


# --- in process ---------------------------------------------------------------------------------


def current_asker() -> Callable[[], Ask]:
    from knowledge import shared_knowledge_base
    from knowledge.guides.policy import Turn
    from knowledge.guides.service import shared_advisor

    settings = get_settings()
    advisor = shared_advisor(settings, shared_knowledge_base(settings))

    def conversation() -> Ask:
        state: dict = {"matter": None, "pending": None}

        def ask(text: str, _: str | None) -> Reply:
            advice = advisor.advise(Turn(text, current_matter=state["matter"], pending_question=state["pending"]))
            if advice.kind == "clarify":
                state["pending"] = advice.query
            else:
                state["pending"] = None
                state["matter"] = advice.matter if advice.kind == "answer" else state["matter"]
            return {
                "answered": advice.kind in ("answer", "section"),
                "matter": advice.matter,
                "citations": [h.citation for h in advice.citations],
                "section": advice.sections[0] if advice.sections else None,
            }

        return ask

    return conversation


def baseline_asker(ref: str) -> Callable[[], Ask]:
    """``knowledge/answer.py`` as it was at ``ref``: answer above the score bar, else ask back."""
    from knowledge import shared_knowledge_base

    source = subprocess.run(
        ["git", "show", f"{ref}:knowledge/answer.py"], cwd=PROJECT_ROOT, check=True, capture_output=True, text=True
    ).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False, encoding="utf-8") as f:
        f.write(source)
    spec = importlib.util.spec_from_file_location("baseline_answer", f.name)
    module = importlib.util.module_from_spec(spec)
    sys.modules["baseline_answer"] = module
    spec.loader.exec_module(module)
    kb = shared_knowledge_base(get_settings())

    def conversation() -> Ask:
        def ask(text: str, _: str | None) -> Reply:
            answer = module.answer_question(kb, text)
            answered = answer.kind in ("faq", "statutes")
            return {
                "answered": answered,
                "matter": None,
                "citations": [h.citation for h in answer.citations] if answered else [],
                "section": None,
            }

        return ask

    return conversation


# --- through the running product ------------------------------------------------------------------

_SECTION_BY_TITLE = {f"【{title}】": name for name, title in SECTION_TITLES.items()}


def stack_asker(api_url: str) -> Callable[[], Ask]:
    import httpx

    client = httpx.Client(base_url=api_url, timeout=60)

    def conversation() -> Ask:
        user = f"bench-{uuid.uuid4().hex[:12]}"

        def ask(text: str, _: str | None) -> Reply:
            body = client.post("/v1/chat", json={"user_id": user, "text": text, "channel": "web"}).json()
            citations = [c["citation"] for r in body.get("replies", []) for c in r.get("citations", [])]
            texts = "\n".join(r.get("text", "") for r in body.get("replies", []))
            shown = sorted((texts.index(title), name) for title, name in _SECTION_BY_TITLE.items() if title in texts)
            section = shown[0][1] if shown else None
            return {
                "answered": bool(citations),
                "matter": body.get("matter"),
                "citations": citations,
                "section": section,
                "intent": (body.get("intent") or {}).get("name"),
            }

        return ask

    return conversation


def run_engine(batch: str, baseline: str, show: bool = False) -> dict:
    questions, followups = load(batch)
    return {
        "current": score(questions, followups, current_asker(), show),
        f"main@{baseline}": score(questions, followups, baseline_asker(baseline)),
    }


def run_stack(batch: str, baseline: str, show: bool = False, current_only: bool = False) -> dict:
    from stack import baseline_checkout, running_stack

    questions, followups = load(batch)
    limits_off = {"CUNFA_RATE_LIMIT_PER_IP": "100000", "CUNFA_RATE_LIMIT_PER_USER": "100000"}
    systems = [("current", PROJECT_ROOT)]
    if not current_only:
        systems.append((f"main@{baseline}", baseline_checkout(baseline)))
    results = {}
    for name, root in systems:
        with running_stack(limits_off, root) as stack:
            results[name] = score(questions, followups, stack_asker(stack.api_url), show and name == "current")
    return results


def main() -> None:
    from stack import heldout_parser, refuse_show_on_heldout, report

    parser = heldout_parser(__doc__, BASELINE_REF)
    parser.add_argument("--stack", action="store_true", help="through the running product (POST /v1/chat)")
    parser.add_argument(
        "--show", action="store_true", help="print the misses (dev batches only: never tune on held-out)"
    )
    parser.add_argument("--current-only", action="store_true", help="skip the baseline (quicker, while tuning)")
    args = parser.parse_args()
    refuse_show_on_heldout(parser, args)
    if args.stack:
        results = run_stack(args.batch, args.baseline, args.show, args.current_only)
    else:
        results = run_engine(args.batch, args.baseline, args.show)
    report({"batch": args.batch, "mode": "stack" if args.stack else "engine", **results}, args.json)


if __name__ == "__main__":
    main()
