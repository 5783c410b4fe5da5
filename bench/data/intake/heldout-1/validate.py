#!/usr/bin/env python3
"""Validate heldout-1/conversations.jsonl. Exit code 1 on any error.

Checks: valid JSON per line, unique ids, enums, phone format/uniqueness,
expected name/phone/village/date/amount/affected person derivable from the
resident's own text, corrections consistent with expected, hardship answer
present exactly for legal_aid, registered-village ids consistent.
"""
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "conversations.jsonl"

REQUESTS = {"lawyer", "mediation", "legal_aid", "report"}
TYPES = {"land_contract", "homestead", "marriage_family", "support_elderly", "inheritance",
         "wage_arrears", "neighbor", "personal_injury", "traffic_accident", "debt", "consumer",
         "property_mgmt", "other"}
RELATIONS = {"self", "father", "mother", "son", "daughter", "husband", "wife", "brother",
             "sister", "other_relative", "neighbor", "other"}
REGISTERED = {"青石湾村": "sample-qingshiwan", "刘家庄村": "sample-liujiazhuang", "东滩村": "sample-dongtan"}
ANSWER_KEYS = {"name", "phone", "village", "description", "counterparty", "yes", "no", "unknown"}
WHEN = {"at_readback", "mid_way"}
PHONE_RE = re.compile(r"^1(3\d|5\d|7\d|8\d|9\d)\d{8}$")
CN_DIGIT = {"零": "0", "〇": "0", "洞": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3",
            "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}


def resident_texts(d):
    out = list(d["opening"]) + [v for v in d["answers"].values()]
    if d.get("combined"):
        out.append(d["combined"])
    for c in d.get("corrections", []):
        out.append(c["text"])
    return out


def digit_runs(text):
    s = "".join(CN_DIGIT.get(ch, ch) for ch in text)
    s = re.sub(r"(?<=\d)[\s\-]+(?=\d)", "", s)
    return re.findall(r"\d+", s)


def phone_derivable(phone, texts):
    for t in texts:
        for run in digit_runs(t):
            if run == phone or run == "86" + phone:
                return True
    return False


CN_NUM = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}


def parse_cn_amount(tok):
    """Colloquial Chinese amount: 三万二 = 32000, 一万八千五 = 18500, 十六万八 = 168000."""
    if tok.isdigit():
        return int(tok)
    total = section = 0
    num = None
    last_unit = None
    for ch in tok:
        if ch.isdigit():
            num = int(ch) if num is None else num * 10 + int(ch)
        elif ch in CN_NUM:
            num = CN_NUM[ch]
        elif ch == "万":
            total += (section + (num or 0)) * 10000
            section, num, last_unit = 0, None, 10000
        else:
            u = UNITS[ch]
            section += (1 if num is None else num) * u
            num, last_unit = None, u
    if num is not None:
        if last_unit and last_unit >= 100:
            num *= last_unit // 10
        section += num
    return total + section


def amounts_in(texts):
    found = set()
    for t in texts:
        for tok in re.findall(r"[零〇一二两三四五六七八九十百千万\d]+", t):
            try:
                found.add(parse_cn_amount(tok))
            except (KeyError, ValueError):
                pass
    return found


def main():
    errors, warnings = [], []
    ids, phones_expected, all_phones_seen = set(), {}, {}
    lines = DATA.read_text(encoding="utf-8").splitlines()
    for ln, line in enumerate(lines, 1):
        if not line.strip():
            errors.append(f"line {ln}: blank line")
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"line {ln}: invalid JSON: {exc}")
            continue
        cid = d.get("id", f"line{ln}")
        E = lambda msg: errors.append(f"{cid}: {msg}")
        if not re.fullmatch(r"i1-\d{3}", cid):
            E("bad id format")
        if cid in ids:
            E("duplicate id")
        ids.add(cid)
        if not isinstance(d.get("opening"), list) or not 1 <= len(d["opening"]) <= 2 or not all(isinstance(x, str) and x for x in d["opening"]):
            E("opening must be a list of 1-2 non-empty strings")
        a = d.get("answers", {})
        missing = ANSWER_KEYS - set(a)
        if missing:
            E(f"answers missing {sorted(missing)}")
        extra = set(a) - ANSWER_KEYS - {"legal_aid_hardship"}
        if extra:
            E(f"answers has unknown keys {sorted(extra)}")
        x = d.get("expected", {})
        for k in ["requested", "dispute_type", "name", "phone", "village", "village_id", "contact_relation",
                  "affected_person", "counterparty", "amount_yuan", "incident_date", "description_keywords"]:
            if k not in x:
                E(f"expected missing {k}")
        if errors and errors[-1].startswith(f"{cid}: expected missing"):
            continue
        if x["requested"] not in REQUESTS:
            E(f"bad requested {x['requested']}")
        if x["dispute_type"] not in TYPES:
            E(f"bad dispute_type {x['dispute_type']}")
        if x["contact_relation"] not in RELATIONS:
            E(f"bad contact_relation {x['contact_relation']}")
        if (x["requested"] == "legal_aid") != ("legal_aid_hardship" in a):
            E("legal_aid_hardship must be present exactly when requested == legal_aid")
        if not isinstance(d.get("style"), str) or not d["style"]:
            E("style missing")

        texts = resident_texts(d)
        joined = "\n".join(texts)

        # phone
        ph = x["phone"]
        if not PHONE_RE.match(ph):
            E(f"expected phone not an 11-digit 13x/15x/17x/18x/19x number: {ph}")
        if ph in phones_expected:
            E(f"phone duplicates {phones_expected[ph]}")
        phones_expected[ph] = cid
        if not phone_derivable(ph, texts):
            E(f"expected phone {ph} not derivable from resident text")
        # every phone-like run in the resident's text must be valid and not another resident's
        for t in texts:
            for run in digit_runs(t):
                if len(run) == 11 and run.startswith("1"):
                    if not PHONE_RE.match(run):
                        E(f"invalid phone-like number in text: {run}")
                    all_phones_seen.setdefault(run, set()).add(cid)

        # name
        if not x["name"] or x["name"] not in joined:
            E(f"expected name {x['name']} not found in resident text")
        if not 2 <= len(x["name"]) <= 4:
            warnings.append(f"{cid}: unusual name length {x['name']}")

        # village
        v = x["village"]
        if not v or not v.endswith("村"):
            E(f"normalised village should end with 村: {v}")
        core = v[:-1] if v.endswith("村") and len(v) > 2 else v
        if core not in joined:
            E(f"village {v} not found in resident text")
        if x["village_id"] != REGISTERED.get(v):
            E(f"village_id {x['village_id']} inconsistent with village {v}")

        # relation / affected person
        if x["contact_relation"] == "self":
            if x["affected_person"] is not None:
                E("affected_person must be null when contact_relation is self")
        else:
            if not x["affected_person"]:
                E("affected_person required when contact is not the affected person")
            elif x["affected_person"] not in joined:
                warnings.append(f"{cid}: affected_person '{x['affected_person']}' not literally in text")

        # amount
        amt = x["amount_yuan"]
        if amt is not None:
            if not isinstance(amt, int) or isinstance(amt, bool) or amt <= 0:
                E(f"amount_yuan must be a positive integer or null: {amt}")
            elif amt not in amounts_in(texts):
                E(f"amount {amt} not stated in resident text")

        # date
        dt = x["incident_date"]
        if dt is not None and dt not in joined:
            E(f"incident_date '{dt}' not found verbatim in resident text")

        # counterparty
        if x["counterparty"] is not None and not x["counterparty"]:
            E("counterparty must be null or non-empty")

        # keywords
        kws = x["description_keywords"]
        if not isinstance(kws, list) or not 2 <= len(kws) <= 4:
            E("description_keywords must have 2-4 items")
        else:
            for k in kws:
                if k not in joined:
                    E(f"keyword '{k}' not in resident text")

        # combined
        if "combined" in d and (not isinstance(d["combined"], str) or not d["combined"]):
            E("combined must be a non-empty string")

        # corrections
        for c in d.get("corrections", []):
            if c.get("when") not in WHEN:
                E(f"correction when must be one of {sorted(WHEN)}")
            if c.get("when") == "mid_way" and c.get("after") not in ANSWER_KEYS | {"combined"}:
                E("mid_way correction needs after=<answer key>")
            f = c.get("field")
            if f not in x:
                E(f"correction field {f} not an expected key")
            elif x[f] != c.get("value"):
                E(f"correction value {c.get('value')} != expected {f} {x[f]}")
            if not c.get("text"):
                E("correction text empty")

    for num, owners in all_phones_seen.items():
        if len(owners) > 1:
            errors.append(f"phone {num} appears in several conversations: {sorted(owners)}")

    for w in warnings:
        print("WARN", w)
    for e in errors:
        print("ERROR", e)
    print(f"{len(lines)} conversations, {len(errors)} errors, {len(warnings)} warnings")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
