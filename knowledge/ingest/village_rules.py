"""Parse a village's rules (村规民约) into one ``Document`` per clause.

Villages write their rules by hand: Markdown or plain text, clauses numbered ``第3条`` or
``第三条``, sometimes ``第3条：`` with a colon. Clause numbers are normalised to Chinese
numerals so that a citation reads like a statute's (``青石湾村村规民约第三条``).
"""

from __future__ import annotations

import re

import cn2an

from knowledge.errors import RulesFormatError
from knowledge.types import Document

_CLAUSE = re.compile(r"^\s*第\s*([0-9０-９]+|[零〇一二三四五六七八九十百两]+)\s*条\s*[：:、.．]?\s*(.*)$")
_HEADING = re.compile(r"^\s*#+\s*(.*?)\s*#*\s*$")


def clause_number(raw: str) -> str:
    """``3`` / ``３`` / ``三`` → ``第三条``."""
    digits = raw.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if digits.isdigit():
        return f"第{cn2an.an2cn(str(int(digits)))}条"
    return f"第{raw.replace('两', '二')}条"


def parse_village_rules(text: str, *, village_id: str, village_name: str) -> tuple[str, list[Document]]:
    """Return the rules' title and their clauses; raises ``RulesFormatError`` with the reason.

    A clause's text is the source lines from its number to the next clause or heading, kept
    exactly as written (line breaks included), so what is quoted is what the village adopted.
    """
    title = ""
    clauses: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        stripped = line.strip()
        match = _CLAUSE.match(stripped)
        heading = None if match else _HEADING.match(stripped)
        if heading:
            title = title or heading.group(1)
            if clauses:
                clauses.append(("", []))  # a heading ends the open clause
            continue
        if match:
            clauses.append((clause_number(match.group(1)), [match.group(2).rstrip()]))
        elif clauses and clauses[-1][0]:
            clauses[-1][1].append(line.rstrip())
        elif stripped and not title and not clauses:
            title = stripped  # a plain-text first line names the rules
    clauses = [c for c in clauses if c[0]]
    if not clauses:
        raise RulesFormatError("no clause found: number each rule as 第一条 … or 第1条 … at the start of a line")
    title = title or f"{village_name}村规民约"
    seen: set[str] = set()
    docs = []
    for article, lines in clauses:
        if article in seen:
            raise RulesFormatError(f"clause {article} appears twice")
        seen.add(article)
        body = "\n".join(lines).strip()
        if not body:
            raise RulesFormatError(f"clause {article} is empty")
        docs.append(
            Document(
                doc_id=f"village_rule:{village_id}:{article}",
                source="village_rule",
                citation=f"{title}{article}",
                title=title,
                article=article,
                text=body,
                search_text=f"{title} {body}",
                village_id=village_id,
            )
        )
    return title, docs
