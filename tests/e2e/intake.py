"""A resident who answers whatever the intake form asks, from their facts: tests that do not depend on the order."""

from __future__ import annotations

import re

from knowledge.answer import DISCLAIMER

#: What the form is asking, read from its words; the question that comes last in a reply decides.
ASKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("readback", re.compile(r"请核对|确认提交")),
    ("legal_aid_eligible", re.compile(r"低保户|经济困难")),
    ("name", re.compile(r"称呼|名字")),
    ("phone", re.compile(r"电话|号码")),
    ("village", re.compile(r"哪个村|村名")),
    ("counterparty", re.compile(r"对方是谁")),
    ("dispute_type", re.compile(r"哪方面的事|哪类事")),
    ("description", re.compile(r"发生了什么|多说几句")),
)


def asked(reply: str) -> str | None:
    reply = reply.replace(DISCLAIMER, "")
    best: tuple[int, str] | None = None
    for field, pattern in ASKS:
        for m in pattern.finditer(reply):
            if best is None or m.start() > best[0]:
                best = (m.start(), field)
    if best and ASKS[0][1].search(reply):
        return "readback"
    return best[1] if best else None


class Resident:
    """Answers each question from ``facts``; records every question asked, to count repeats."""

    def __init__(self, talk, facts: dict[str, str]) -> None:  # test_dialogue_flows.Conversation
        self.talk = talk
        self.facts = facts
        self.asked: list[str] = []
        self.replies: list[dict] = []

    def say(self, text: str) -> dict:
        body = self.talk.say(text)
        self.replies.append(body)
        return body

    def text(self, body: dict) -> str:
        return "\n".join(reply["text"] for reply in body["replies"])

    def file(self, *opening: str, confirm: str = "确认提交") -> dict:
        """Send the opening, answer until the read-back, confirm; the body that filed the case."""
        body = {}
        for text in opening:
            body = self.say(text)
        return self.file_from(body, confirm=confirm)

    def until(self, body: dict, wanted: str, max_turns: int = 12) -> dict:
        """Answer from the facts until the bot asks for ``wanted``; the body that asks it."""
        for _ in range(max_turns):
            field = asked(self.text(body))
            if field == wanted:
                return body
            assert field is not None, f"the bot asked nothing it can answer: {self.text(body)}"
            self.asked.append(field)
            body = self.say(self.facts[field])
        raise AssertionError(f"never asked for {wanted}; asked {self.asked}")

    def file_from(
        self, body: dict, *, name_and_phone: str | None = None, confirm: str = "确认提交", max_turns: int = 14
    ) -> dict:
        """Answer from ``body`` on until a case is filed; ``name_and_phone`` answers the first of the two asked."""
        for _ in range(max_turns):
            if body.get("case"):
                return body
            field = asked(self.text(body))
            assert field is not None, f"the bot asked nothing it can answer: {self.text(body)}"
            self.asked.append(field)
            if field in ("name", "phone") and name_and_phone:
                text, name_and_phone = name_and_phone, None
            elif field == "readback":
                text = confirm
            else:
                text = self.facts[field]
            body = self.say(text)
        assert body.get("case"), f"no case after {max_turns} turns; asked {self.asked}"
        return body
