"""Channel targets as they may be shown: in listings, logs, errors and the outbox's ``last_error``.

A robot URL is a credential (whoever has it can post to the group), an openid names a person, and a
provider's error text may echo the URL it was called with. Nothing of ours prints a target or a
secret any other way than through these functions.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

#: Query parameters that carry credentials in provider URLs (WeCom ``key``, DingTalk ``access_token``
#: and ``sign``, WeChat's token fetch ``secret``), masked wherever they appear in a text.
_CREDENTIAL_PARAM = re.compile(r"(?i)\b(key|access_token|token|secret|sign|appsecret)=([^&\s'\"<>]+)")


def _tail(value: str, keep: int = 4) -> str:
    if len(value) <= keep * 2:
        return "***"
    return f"***{value[-keep:]}"


def mask_target(kind: str, target: str) -> str:
    """The target with its credentials hidden: scheme, host and path stay readable, values do not."""
    if kind == "wechat_template":
        return f"{target[:3]}***{target[-3:]}" if len(target) > 8 else "***"
    try:
        parts = urlsplit(target)
    except ValueError:
        return "***"
    if not parts.scheme or not parts.netloc:
        return "***"
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    # Path segments long enough to be tokens (Slack-style hook paths) are cut to their last characters.
    path = "/".join(_tail(seg) if len(seg) >= 16 else seg for seg in parts.path.split("/"))
    query = "&".join(f"{name}={_tail(value)}" for name, value in parse_qsl(parts.query, keep_blank_values=True))
    return f"{parts.scheme}://{host}{path}" + (f"?{query}" if query else "")


def scrub(text: str, *secrets: str | None) -> str:
    """``text`` with every given secret value and every credential query parameter masked."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return _CREDENTIAL_PARAM.sub(lambda m: f"{m.group(1)}=***", text)
