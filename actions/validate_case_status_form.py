"""Checks the case number and the last four phone digits a resident gives for a status lookup."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions._slots import value_before_latest_message
from triage import normalize

_NUMBER = re.compile(r"(\d{4})\s*[-－—_ ]?\s*([A-Za-z]{2,4})\s*[-－—_ ]?\s*(\d{6,})")
_SPOKEN = str.maketrans("零〇一幺二两三四五六七八九", "0011223456789")


def parse_case_number(text: str) -> str | None:
    match = _NUMBER.search(normalize(text))
    if not match:
        return None
    year, code, seq = match.groups()
    return f"{year}-{code.upper()}-{seq}"


_LAST4_WORDS = re.compile(r"(电话|手机|号码)?(的)?(后|尾|最后)(四|4)位(数字)?|尾号")


def parse_last4(text: str) -> str | None:
    digits = re.sub(r"\D", "", _LAST4_WORDS.sub("", normalize(text)).translate(_SPOKEN))
    return digits if len(digits) == 4 else None


class ValidateCaseStatusForm(FormValidationAction):
    def name(self) -> str:
        return "validate_case_status_form"

    def validate_case_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The number as the resident typed it when the entity span is not a whole number.

        DIET may cut an unfamiliar village code out of its span ("2026-", "-000001"); the number
        has a fixed shape, so the message text itself is read next.
        """
        spans = value if isinstance(value, list) else [value]
        text = (tracker.latest_message or {}).get("text") or ""
        number = next(filter(None, (parse_case_number(str(s or "")) for s in [*spans, text])), None)
        if number is None and tracker.get_slot("requested_slot") != "case_number":
            # Digits tagged in passing (the "0000" that answers the phone question) are not a
            # new case number and must not wipe the one already given.
            previous = value_before_latest_message(tracker, "case_number")
            if previous:
                return {"case_number": previous}
        if number is None:
            dispatcher.utter_message(text="编号格式好像不对，应该像 2026-QSW-000123 这样，在登记回执上能找到。")
        return {"case_number": number}

    def validate_phone_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        last4 = parse_last4(str(value or ""))
        if last4 is None:
            dispatcher.utter_message(text="请只说电话号码的最后四位数字。")
        return {"phone_last4": last4}
