"""The browser pages: the village kiosk, the staff console and the hotline assist screen.

Pages are static HTML files under ``api/web/`` with their scripts and styles in ``/static``, so
the Content-Security-Policy can forbid inline code. What the server must tell a page (the
kiosk's village and idle time, the case lifecycle) travels in escaped ``data-*`` attributes on
``<body>``; the lifecycle comes from ``cases.workflow`` so the console never offers a
transition the API would refuse.
"""

from __future__ import annotations

import html
import json
from functools import cache
from pathlib import Path
from string import Template
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api.deps import SettingsDep
from cases.workflow import OPEN_STATUSES, STATUS_LABELS, TRANSITIONS
from knowledge.villages import InvalidVillage, VillageStore, validate_village_id
from triage.dispute_types import DISPUTE_TYPE_LABELS

router = APIRouter(include_in_schema=False)
WEB_DIR = Path(__file__).resolve().parent.parent / "web"

#: The kiosk may be told to reset sooner (a demo, a test) but never later than configured.
MIN_IDLE_S = 2

#: How the console names who a case goes to (one entry per ``cases.routing.HANDLER_ROLES``).
HANDLER_ROLE_LABELS = {
    "mediator": "人民调解员",
    "lawyer": "村法律顾问",
    "legal_aid": "法律援助中心",
    "emergency": "紧急处置",
}


@cache
def _template(name: str) -> Template:
    return Template((WEB_DIR / f"{name}.html").read_text(encoding="utf-8"))


def _attrs(data: dict[str, object]) -> str:
    """``data-*`` attributes, every value escaped; non-strings are sent as JSON."""
    parts = []
    for key, value in data.items():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        parts.append(f'data-{key}="{html.escape(text, quote=True)}"')
    return " ".join(parts)


def render(name: str, **data: object) -> HTMLResponse:
    body = _template(name).substitute(body_attrs=_attrs(data))
    # Pages are tiny and change with configuration; never serve yesterday's village from a cache.
    return HTMLResponse(body, headers={"Cache-Control": "no-store"})


def _village_name(villages_dir: Path, village_id: str) -> str:
    if not village_id:
        return ""
    try:
        info = VillageStore(villages_dir).get(validate_village_id(village_id))
    except InvalidVillage:
        return ""
    return info.name if info else ""


def workflow() -> dict[str, object]:
    """The lifecycle table as the console reads it: labels, allowed next statuses, and which wait on a person."""
    return {
        "labels": {status.value: label for status, label in STATUS_LABELS.items()},
        "transitions": {status.value: sorted(t.value for t in targets) for status, targets in TRANSITIONS.items()},
        "open": sorted(status.value for status in OPEN_STATUSES),
    }


@router.get("/kiosk", response_class=HTMLResponse)
def kiosk(
    settings: SettingsDep,
    idle: Annotated[int | None, Query(ge=MIN_IDLE_S, description="Reset sooner than configured (seconds)")] = None,
) -> HTMLResponse:
    """The shared touch screen in the village service hall."""
    configured = settings.kiosk_idle_reset_s
    return render(
        "kiosk",
        page="kiosk",
        **{
            "village-id": settings.kiosk_village_id,
            "village-name": _village_name(settings.villages_dir, settings.kiosk_village_id),
            "idle-reset-s": str(min(idle, configured) if idle else configured),
        },
    )


@router.get("/console", response_class=HTMLResponse)
def console() -> HTMLResponse:
    """Staff console: login, my queue by SLA deadline, case detail, notes, transitions, follow-up."""
    return render(
        "console",
        page="console",
        workflow=workflow(),
        **{"dispute-types": DISPUTE_TYPE_LABELS, "handler-roles": HANDLER_ROLE_LABELS},
    )


@router.get("/my-data", response_class=HTMLResponse)
def my_data() -> HTMLResponse:
    """Residents see, or ask to delete, what a case holds about them (a one-time code to their channel)."""
    return render("my-data", page="my-data")


@router.get("/console/assist", response_class=HTMLResponse)
def assist() -> HTMLResponse:
    """Hotline agent assist: live suggestions and drafts while the call is transcribed."""
    labels = {"dispute-types": DISPUTE_TYPE_LABELS, "handler-roles": HANDLER_ROLE_LABELS}
    return render("assist", page="assist", **labels)
