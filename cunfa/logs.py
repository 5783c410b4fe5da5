"""Logging set-up shared by the CLI, the supervisor, the API and the action server.

Every record passes a redaction filter before it is written: residents type their phone and
ID-card numbers into free text, and that text can reach a log line through an exception
message or a warning. Masking at the handler means no call site has to remember to.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote

#: A record is only worth the masking pass when it holds a run of digits (Arabic or spoken).
_DIGITS = re.compile(r"[0-9０-９零〇一二三四五六七八九幺两]{3}")


class RedactIdentifiers(logging.Filter):
    """Masks phone and ID-card numbers in the message and in any traceback text."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Arguments are masked one by one rather than merged into the message: uvicorn's
        # access formatter unpacks ``record.args`` and would fail on an empty tuple.
        if isinstance(record.args, tuple):
            record.args = tuple(_masked_arg(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _masked_arg(v) for k, v in record.args.items()}
        if isinstance(record.msg, str):
            record.msg = _mask(record.msg)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = _mask(record.exc_text)
        return True


def _masked_arg(value: object) -> object:
    """Numbers stay numbers (``%d`` needs them); anything else is masked as the text it prints as."""
    if value is None or isinstance(value, bool | int | float):
        return value
    return _mask(value if isinstance(value, str) else str(value))


def _mask(text: str) -> str:
    if "%" in text:
        # Access-log paths arrive URL-encoded; "%81" + an ID number reads as one longer run.
        text = unquote(text)
    if not _DIGITS.search(text):
        return text
    from triage.contacts import mask_identifiers  # triage is Rasa-free and imports nothing of ours

    return mask_identifiers(text)


#: Loggers that write through handlers of their own instead of propagating to the root.
OWN_HANDLERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "rasa_sdk")


def install_redaction() -> None:
    """Add the filter, once, to every handler of the root logger and of the servers' own loggers."""
    for name in (None, *OWN_HANDLERS):
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, RedactIdentifiers) for f in handler.filters):
                handler.addFilter(RedactIdentifiers())


def configure(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    for noisy in ("jax", "absl", "urllib3", "httpx", "bm25s", "jieba", "faiss", "datasets", "sentence_transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    install_redaction()
