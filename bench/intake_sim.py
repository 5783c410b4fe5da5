"""Intake conversations played by a user simulator, against today's main in the same run.

Data (``bench/data/intake/<batch>/conversations.jsonl``, format in ``heldout-1/README.md``): each
resident's opening messages, how they answer each question, an optional message that gives several
facts at once, corrections, and the case fields expected at the end. ``heldout-1`` was written blind
before the form was changed and is never edited; ``dev-1`` was written blind too but is looked at.

The simulator reads what the bot asks (name, phone, village, what happened, the other side, the
type of matter, the legal-aid hardship check, the read-back) from the bot's words, and answers from
the resident's facts, so the figures do not depend on the order of the questions. It confirms the
read-back (or sends the correction due there) and stops when a case is filed or after ``MAX_TURNS``.

Printed per system, through the running product (``POST /v1/chat``):

* ``filed_right``: a case was filed and its requested kind, dispute type, name, phone and village
  (name and registered id) are the expected ones;
* ``filed``: a case was filed at all;
* ``median_turns``: the resident's messages up to the filed case (filed conversations);
* ``repeated_asks``: per conversation, how often the bot asked for something the resident had
  already given (in an answer, in the combined message or in the opening story);
* field by field, for filed cases: counterparty, contact relation and affected person, amount;
* ``assist``: the hotline assist's case draft for the same facts told as a call
  (``POST /v1/assist``), field by field.

Run: ``.venv/bin/python bench/intake_sim.py --batch heldout-1 [--json out.json]``.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from cases import CaseStore, crypto
from cunfa.settings import PROJECT_ROOT

DATA = Path(__file__).with_name("data") / "intake"
BASELINE_REF = "b259029"  # main before the listening intake (stop 15)
MAX_TURNS = 25
_CASE_NUMBER = re.compile(r"\d{4}-[A-Z0-9]+-\d{6}")
_SPOKEN = str.maketrans("零〇洞一幺二两三四五六拐七八九", "000112234567789")
#: The payload of the button a resident taps to ask for a person, by what they want.
REQUEST_BUTTON = {"lawyer": "/request_lawyer", "mediation": "/request_mediation", "legal_aid": "/legal_aid",
                  "report": "/report_dispute"}  # fmt: skip
_DISCLAIMER = "以上是一般性法律信息，不是针对您个案的法律意见；具体情况请找村法律顾问，或拨打12348公共法律服务热线。"

# What the bot is asking, from its words (the last question in a reply decides).
_ASKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("readback", re.compile(r"请核对|核对一下|确认提交")),
    ("legal_aid_hardship", re.compile(r"经济困难|困难户|低保|收入")),
    ("name", re.compile(r"称呼|名字|姓名|叫什么")),
    ("phone", re.compile(r"电话|手机|号码")),
    ("village", re.compile(r"哪个村|村名|哪里人|住哪|村的")),
    ("counterparty", re.compile(r"对方|跟谁|和谁|是谁")),
    ("dispute_type", re.compile(r"哪方面|哪类|什么类|类型")),
    ("description", re.compile(r"经过|发生了什么|什么事|说说|具体")),
)


_REQUEST = re.compile(r"请(?:简单)?(?:留|说|多说|回答|问|核对|告诉|再说|重新说|点)")


def load(batch: str) -> list[dict]:
    path = DATA / batch / "conversations.jsonl"
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def digits(text: str) -> str:
    return re.sub(r"\D", "", (text or "").translate(_SPOKEN))


def asked_field(reply: str) -> str | None:
    """The field the bot's reply asks for.

    The last question (a sentence ending in ？) decides, read from its start: hints after it
    ("对方是谁？说姓名、和您的关系…") name other fields without asking for them. A reply with no
    question mark ("请留一个能打通的电话…。") is read sentence by sentence the same way.
    """
    reply = reply.replace(_DISCLAIMER, "")
    if _ASKS[0][1].search(reply):
        return "readback"  # a read-back names every field; it asks for the confirmation
    sentences = [s for s in re.split(r"(?<=[？?。！!\n])", reply) if s.strip()]
    questions = [s for s in sentences if s.rstrip().endswith(("？", "?"))]
    # Without a question mark only a request counts ("请留一个能打通的电话…"), not an answer's text.
    requests = [s for s in sentences if _REQUEST.search(s)]
    for sentence in reversed(questions or requests):
        found = [(m.start(), field) for field, pattern in _ASKS for m in pattern.finditer(sentence)]
        if found:
            return min(found)[1]
    return None


def given_in(text: str, resident: dict) -> set[str]:
    """Which expected facts a message of the resident's contains."""
    expected, out = resident["expected"], set()
    if expected.get("name") and expected["name"] in text:
        out.add("name")
    if expected.get("phone") and expected["phone"] in digits(text):
        out.add("phone")
    village = (expected.get("village") or "").removesuffix("村")
    if village and village in text:
        out.add("village")
    if expected.get("counterparty") and expected["counterparty"][:2] in text:
        out.add("counterparty")
    if len(text) >= 15:
        out.add("description")
    return out


class Simulator:
    """One resident talking to the bot until a case is filed."""

    def __init__(self, resident: dict, send) -> None:  # send(text) -> body
        self.r = resident
        self.send = send
        self.turns = 0
        self.given: set[str] = set()
        self.repeats = 0
        self.case: dict | None = None
        self.combined_used = False
        self.corrections = {c["when"]: c for c in resident.get("corrections") or []}
        self.mid_way_sent = False
        self.readback_corrected = False
        self.readbacks = 0
        self.repeated: list[str] = []
        self.log: list[tuple[str, str]] = []

    def say(self, text: str) -> str:
        self.turns += 1
        body = self.send(text)
        if body.get("case") and body["case"].get("handler_role") != "emergency":
            self.case = body["case"]
        reply = "\n".join(reply.get("text", "") for reply in body.get("replies", []))
        self.log += [("resident", text), ("bot", reply)]
        return reply

    def answer(self, field: str) -> str:
        answers = self.r["answers"]
        if field in ("name", "phone") and self.r.get("combined") and not self.combined_used:
            self.combined_used = True
            return self.r["combined"]
        if field == "readback":
            self.readbacks += 1
            correction = self.corrections.get("at_readback")
            if correction and not self.readback_corrected:
                self.readback_corrected = True
                return correction["text"]
            # Asked to confirm again: a resident then taps the "确认提交" button the page shows.
            return "/affirm" if self.readbacks > 1 + self.readback_corrected else answers.get("yes") or "对"
        if field == "dispute_type":
            return answers.get("description") or answers.get("unknown") or "不知道"
        return answers.get(field) or answers.get("unknown") or "不知道"

    def run(self) -> dict:
        reply = ""
        for text in self.r["opening"]:
            self.given |= given_in(text, self.r)
            reply = self.say(text)
        pressed = False
        while self.case is None and self.turns < MAX_TURNS:
            field = asked_field(reply)
            if field is None:
                if pressed:
                    break
                # The bot answered instead of asking: a resident who wants a person taps the button for one.
                pressed = True
                reply = self.say(REQUEST_BUTTON[self.r["expected"]["requested"]])
                continue
            if field in self.given and field not in ("readback", "legal_aid_hardship"):
                self.repeats += 1
                self.repeated.append(field)
            text = self.answer(field)
            self.given |= given_in(text, self.r) | ({field} if field != "readback" else set())
            reply = self.say(text)
            mid = self.corrections.get("mid_way")
            if mid and not self.mid_way_sent and mid.get("after") in self.given and self.case is None:
                self.mid_way_sent = True
                reply = self.say(mid["text"])
            if field == "readback" and self.case is None and not re.search(r"核对|确认提交|改", reply):
                # Confirmed but not filed (an outage, a refusal): one retry is what a resident does.
                reply = self.say(self.r["answers"].get("yes") or "对")
        return {"case": self.case, "turns": self.turns, "repeats": self.repeats, "repeated": self.repeated,
                "log": self.log}  # fmt: skip


def _norm_village(name: str | None) -> str:
    return (name or "").strip().removesuffix("村") + "村" if name else ""


def check(resident: dict, filed: dict | None, store: CaseStore) -> dict:
    """Field-by-field comparison of the filed case with the expected one."""
    expected = resident["expected"]
    if not filed:
        return {"filed": False}
    case = store.get(filed["case_id"])
    context = case.context or {}
    fields = {
        "requested": case.requested == expected["requested"],
        "dispute_type": case.dispute_type == expected["dispute_type"],
        "name": (case.resident_name or "") == expected["name"],
        "phone": digits(case.resident_phone or "") == expected["phone"],
        "village": _norm_village(case.village_name) == _norm_village(expected["village"])
        and (case.village_id or None) == expected.get("village_id"),
    }
    extra = {
        "counterparty": _lenient(case.counterparty, expected.get("counterparty")),
        "contact_relation": (getattr(case, "contact_relation", None) or context.get("contact_relation") or "self")
        == expected.get("contact_relation", "self"),
        "affected_person": _lenient(
            getattr(case, "affected_person", None) or context.get("affected_person"), expected.get("affected_person")
        ),
        "amount": expected.get("amount_yuan") is None or str(expected["amount_yuan"]) in digits(case.amount or ""),
    }
    got = {"dispute_type": case.dispute_type, "name": case.resident_name, "village": case.village_name,
           "counterparty": case.counterparty, "relation": getattr(case, "contact_relation", None),
           "affected": getattr(case, "affected_person", None), "amount": case.amount}  # fmt: skip
    return {"filed": True, "right": all(fields.values()), "fields": fields, "extra": extra, "got": got}


def _lenient(got: str | None, want: str | None) -> bool:
    if not want:
        return not got or got in ("不清楚", "本人")
    return bool(got) and (want in got or got in want or want[-2:] in got)


def play(stack, residents: list[dict], show: bool = False) -> dict:  # stack.RunningStack
    from stack_clients import StackClient

    client = StackClient(stack)
    outcomes, assist = [], []
    for resident in residents:
        user = f"intake-{uuid.uuid4().hex[:12]}"
        outcomes.append(Simulator(resident, lambda text, u=user: client.chat(u, text)).run())
        assist.append(assist_draft(client, resident))
    # Cases are read only once every conversation is over: opening the store migrates a baseline's database
    # to this tree's schema, which must not happen under the baseline's running action server.
    crypto.configure([stack.env["CUNFA_DATA_KEYS"]])  # the stack's key (a baseline's clear rows read as they are)
    store = CaseStore(stack.env.get("CUNFA_DATABASE_URL") or f"sqlite:///{stack.env['CUNFA_DATA_DIR']}/cunfa.db")
    results = []
    for resident, outcome in zip(residents, outcomes, strict=True):
        outcome.update(check(resident, outcome["case"], store))
        outcome["id"] = resident["id"]
        if show and (not outcome.get("right") or outcome["repeats"]):
            print(f"=== {resident['id']} repeated {outcome['repeated']} expected {resident['expected']}")
            print(f"    got {outcome.get('got')} {outcome.get('fields')} {outcome.get('extra')}")
            for who, said in outcome["log"]:
                print(f"    {who}: {said}")
        results.append(outcome)
    return summarise(results, assist)


_AGENT_ASKS = {
    "name": "您怎么称呼？",
    "phone": "留个电话，方便回头联系您。",
    "village": "您是哪个村的？",
    "counterparty": "对方是谁？",
    "description": "您说说是怎么回事？",
}


def assist_draft(client, resident: dict) -> dict:  # StackClient
    """The same facts told as a call; which fields of the assist's case draft are right."""
    lines = [("agent", "您好，这里是法律服务热线，请讲。")]
    lines += [("caller", text) for text in resident["opening"]]
    combined = resident.get("combined")
    for field, question in _AGENT_ASKS.items():
        lines.append(("agent", question))
        answer = combined if combined and field == "name" else resident["answers"].get(field)
        if combined and field == "phone" and resident["expected"]["phone"] in digits(combined):
            continue
        lines.append(("caller", answer or resident["answers"].get("unknown") or "不知道"))
    draft = client.assist(f"intake-{uuid.uuid4().hex[:12]}", lines)["case_draft"]
    expected = resident["expected"]
    return {
        "name": draft.get("name") == expected["name"],
        "phone": digits(draft.get("phone") or "") == expected["phone"],
        "village": _norm_village(draft.get("village")) == _norm_village(expected["village"]),
        "dispute_type": draft.get("dispute_type") == expected["dispute_type"],
        "contact_relation": (draft.get("contact_relation") or "self") == expected.get("contact_relation", "self"),
    }


def summarise(results: list[dict], assist: list[dict]) -> dict:
    n = len(results)
    filed = [r for r in results if r["filed"]]
    out = {
        "conversations": n,
        "filed": round(len(filed) / n, 4),
        "filed_right": round(sum(r.get("right", False) for r in results) / n, 4),
        "median_turns": statistics.median(r["turns"] for r in filed) if filed else None,
        "repeated_asks": round(sum(r["repeats"] for r in results) / n, 3),
    }
    for key in ("requested", "dispute_type", "name", "phone", "village"):
        out[f"field_{key}"] = round(sum(r["fields"][key] for r in filed) / max(1, len(filed)), 4)
    for key in ("counterparty", "contact_relation", "affected_person", "amount"):
        out[f"extra_{key}"] = round(sum(r["extra"][key] for r in filed) / max(1, len(filed)), 4)
    out["assist"] = {key: round(sum(a[key] for a in assist) / n, 4) for key in assist[0]} if assist else {}
    out["repeated_by_field"] = dict(Counter(f for r in results for f in r["repeated"]))
    out["misses"] = [r["id"] for r in results if not r.get("right")]
    return out


def main() -> None:
    from stack import baseline_checkout, heldout_parser, refuse_show_on_heldout, report, running_stack

    parser = heldout_parser(__doc__, BASELINE_REF)
    parser.add_argument("--current-only", action="store_true", help="skip the baseline (quicker, while tuning)")
    parser.add_argument("--show", action="store_true", help="print failed conversations (dev batches only)")
    args = parser.parse_args()
    refuse_show_on_heldout(parser, args)
    residents = load(args.batch)
    systems = [("current", PROJECT_ROOT)]
    if not args.current_only:
        systems.append((f"main@{args.baseline}", baseline_checkout(args.baseline)))
    limits_off = {"CUNFA_RATE_LIMIT_PER_IP": "100000", "CUNFA_RATE_LIMIT_PER_USER": "100000"}
    results = {}
    for name, root in systems:
        with running_stack(limits_off, root) as stack:
            results[name] = play(stack, residents, args.show and name == "current")
            if args.batch.startswith("heldout"):
                results[name].pop("misses")  # ids only, but misses are for dev batches
    report({"batch": args.batch, **results}, args.json)


if __name__ == "__main__":
    main()
