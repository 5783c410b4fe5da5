"""Load the legal FAQ (LeCoQA format): one ``Document`` per question with its lawyer's answer."""

from __future__ import annotations

import json
from pathlib import Path

from knowledge.types import Document


def load_faqs(path: Path) -> list[Document]:
    """Each FAQ entry is searchable by its question and keywords; its text is the answer.

    The statutes an entry relies on travel in ``extra["cited"]`` so an answer can point to them.
    """
    if not path.is_file():
        raise FileNotFoundError(f"FAQ file not found: {path} (set CUNFA_FAQ_FILE)")
    items = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(items, list):
        raise ValueError(f"{path}: expected a JSON list of FAQ entries, got {type(items).__name__}")
    docs: list[Document] = []
    for item in items:
        question = str(item["问题"]).strip()
        answer = str(item["答案文本"]).strip()
        faq_id = str(item.get("query_id", len(docs)))
        keywords = item.get("关键词") or ""
        docs.append(
            Document(
                doc_id=f"faq:{faq_id}",
                source="faq",
                citation=f"法律问答 #{faq_id}",
                title=question,
                article="",
                text=answer,
                search_text=f"{question} {keywords}",
                faq_id=faq_id,
                extra={"question": question, "cited": list(item.get("match_name") or [])},
            )
        )
    return docs
