#!/usr/bin/env python3
"""Print counts (markdown) for heldout-1/conversations.jsonl; used to fill README.md."""
import json
import re
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
rows = [json.loads(l) for l in (HERE / "conversations.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
CN = set("零〇洞一幺二两三四五六七八九")


def digits_in(text):
    return re.sub(r"[^\d]", "", "".join({"零": "0", "〇": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3",
                                          "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}.get(c, c) for c in text))


def table(title, counter, order=None):
    print(f"\n**{title}**\n\n| value | count |\n|---|---|")
    keys = order or sorted(counter, key=lambda k: (-counter[k], str(k)))
    for k in keys:
        print(f"| {k} | {counter[k]} |")


print(f"Total conversations: **{len(rows)}**")
table("By requested kind", Counter(r["expected"]["requested"] for r in rows),
      ["lawyer", "mediation", "legal_aid", "report"])
table("By dispute type", Counter(r["expected"]["dispute_type"] for r in rows))
table("By contact_relation", Counter(r["expected"]["contact_relation"] for r in rows))

f = Counter()
for r in rows:
    x, a, style = r["expected"], r["answers"], r["style"]
    comb = r.get("combined")
    if "story-first" in style:
        f["story-first opening (whole story before any question)"] += 1
    if "implicit request" in style:
        f["implicit request (kind never named; expected = most fitting)"] += 1
    if len(r["opening"]) == 2:
        f["two-message opening"] += 1
    if comb:
        f["combined message"] += 1
        parts = []
        if x["name"] in comb or any(n in comb for n in re.findall(r"[\u4e00-\u9fff]{2,4}", a["name"])):
            parts.append("name")
        if re.search(r"1\d{10}", digits_in(comb)):
            parts.append("phone")
        if x["village"][:-1] in comb:
            parts.append("village")
        f["combined: " + "+".join(parts)] += 1
    if r.get("corrections"):
        f["has a correction"] += 1
        for c in r["corrections"]:
            f[f"correction {c['when']} / {c['field']}"] += 1
    if x["contact_relation"] != "self":
        f["contact is not the affected person (relative/neighbour)"] += 1
    if x["village_id"]:
        f["registered village"] += 1
    else:
        f["unknown village"] += 1
    if x["village"] not in a["village"]:
        f["village said without its full normalised name (e.g. no 村)"] += 1
    if "组" in a["village"]:
        f["village answer mentions a group (组)"] += 1
    if any(ch in CN for ch in a["phone"]) or (comb and any(ch in CN for ch in comb) and re.search(r"1\d{10}", digits_in(comb))):
        f["phone spoken in Chinese digits somewhere"] += 1
    if re.search(r"\d[ \-]+\d", a["phone"]):
        f["phone with spaces or dashes (digits)"] += 1
    if "+86" in a["phone"]:
        f["phone with +86 prefix"] += 1
    if x["amount_yuan"] is not None:
        f["amount_yuan set"] += 1
    if x["incident_date"] is not None:
        f["incident_date set"] += 1
    if "typo" in style:
        f["typo in resident text"] += 1
    if any(p in "".join(r["opening"]) for p in "，。？"):
        f["opening uses full-width punctuation"] += 1
    if x["name"] not in a["name"] or "大名" in a["name"] or "姓" in a["name"] or "家的" in a["name"]:
        f["name not given plainly (姓X / nickname+大名 / 老X家的 / corrected)"] += 1
    for tag, label in [("northeastern", "dialect: northeastern"), ("southwestern", "dialect: southwestern"),
                       ("southern", "dialect: southern"), ("northern", "dialect: northern/central plains"),
                       ("Henan", "dialect: northern/central plains")]:
        if tag in style and not (tag == "northern" and "northeastern" in style and "northern dialect" not in style):
            f[label] += 1
            break
    if x["requested"] == "legal_aid":
        f["legal_aid with hardship answer"] += 1

table("By feature", f, sorted(f, key=lambda k: (k.split(":")[0], k)))
