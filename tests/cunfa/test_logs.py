"""No phone or ID-card number reaches a log line unmasked, whatever way it was logged."""

from __future__ import annotations

import io
import logging

import pytest

from cunfa.logs import RedactIdentifiers

PHONE, ID_CARD = "13912345678", "110101199003071234"


@pytest.fixture
def capture() -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.addFilter(RedactIdentifiers())
    logger = logging.getLogger(f"test-redact-{id(stream)}")
    logger.propagate = False
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    return logger, stream


def test_message_args_and_exceptions_are_masked(capture) -> None:
    logger, stream = capture
    logger.warning(f"resident said 电话{PHONE}")
    logger.warning("resident said %s and %r", f"身份证{ID_CARD}", ValueError(f"bad {PHONE}"))
    try:
        raise RuntimeError(f"could not file for {PHONE}")
    except RuntimeError:
        logger.exception("filing failed")
    out = stream.getvalue()
    assert PHONE not in out and ID_CARD not in out
    assert "139****5678" in out and "could not file" in out


def test_numbers_in_format_specs_still_format(capture) -> None:
    logger, stream = capture
    logger.info("attempt %d took %.2fs", 3, 0.25)
    logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", f"/v1/search?q={PHONE}", "1.1", 200)
    out = stream.getvalue()
    assert "attempt 3 took 0.25s" in out
    assert PHONE not in out and '" 200' in out


def test_url_encoded_numbers_in_access_paths_are_masked(capture) -> None:
    from urllib.parse import quote

    logger, stream = capture
    logger.info('%s - "%s %s"', "127.0.0.1:5", "GET", "/v1/search?q=" + quote(f"身份证{ID_CARD}电话{PHONE}"))
    out = stream.getvalue()
    assert ID_CARD not in out and PHONE not in out and "/v1/search?q=身份证" in out


def test_spoken_digits_are_masked(capture) -> None:
    logger, stream = capture
    logger.info("电话是幺三九一二三四五六七八")
    assert "幺三九一二三四五六七八" not in stream.getvalue()


def test_plain_text_is_untouched(capture) -> None:
    logger, stream = capture
    logger.info("案件 2026-QIN-000123 已受理，第一百二十三条")
    assert stream.getvalue().strip() == "案件 2026-QIN-000123 已受理，第一百二十三条"
