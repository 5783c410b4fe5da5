from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request

from api.deps import KnowledgeDep, SettingsDep, StateDep
from api.schemas.common import ErrorResponse
from api.schemas.villages import VillageOut
from api.security import current_staff
from cases import audit
from knowledge.errors import RulesFormatError
from knowledge.villages import MAX_RULES_BYTES, VillageStore

router = APIRouter(prefix="/v1/villages", tags=["villages"])


def require_admin(state: StateDep, authorization: Annotated[str | None, Header()] = None) -> str:
    """A staff admin's token, or the deployment's ``CUNFA_ADMIN_TOKEN`` (for scripts; unset = off).

    Returns who acted, for the audit log.
    """
    expected = state.settings.admin_token
    given = (authorization or "").removeprefix("Bearer ").strip()
    if expected and given and secrets.compare_digest(given.encode(), expected.encode()):
        return "admin-token"
    if given.count(".") == 2:  # a JWT: a staff member logged in
        staff = current_staff(state, authorization)
        if staff.is_admin:
            return staff.username
        raise HTTPException(status_code=403, detail=f"role {staff.role} may not change village rules")
    raise HTTPException(status_code=401, detail="admin login or admin token required (Authorization: Bearer …)")


@router.get("", response_model=list[VillageOut], summary="Villages whose rules are searchable")
def list_villages(settings: SettingsDep) -> list[dict]:
    return [info.to_dict() for info in VillageStore(settings.villages_dir).list()]


@router.put(
    "/{village_id}/rules",
    response_model=VillageOut,
    responses={401: {"model": ErrorResponse}, 422: {"model": ErrorResponse}},
    summary="Add or replace one village's rules (村规民约)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "Markdown or plain text (UTF-8), one clause per 第N条 (digits or Chinese numerals)",
            "content": {"text/markdown": {"schema": {"type": "string"}}, "text/plain": {"schema": {"type": "string"}}},
        }
    },
)
async def put_rules(
    village_id: str,
    request: Request,
    settings: SettingsDep,
    kb: KnowledgeDep,
    state: StateDep,
    actor: Annotated[str, Depends(require_admin)],
    name: Annotated[str | None, Query(max_length=64, description="Village name; required for a new village")] = None,
) -> dict:
    """The rules are searchable for this village as soon as the call returns, in every process
    sharing the data directory within 2 s. Invalid rules are refused and nothing is changed."""
    raw = await request.body()
    if len(raw) > MAX_RULES_BYTES:
        raise RulesFormatError(f"rules text is larger than {MAX_RULES_BYTES // 1024} KiB")
    try:
        rules = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RulesFormatError("rules must be UTF-8 text") from exc
    store = VillageStore(settings.villages_dir)
    existing = store.get(village_id)
    name = (name or "").strip() or None
    if name is None and existing is None:
        raise HTTPException(status_code=422, detail="name is required for a new village")
    info = store.put(village_id, name or existing.name, rules)
    if kb.villages is not None:
        kb.villages.refresh(force=True)
    with state.case_store().session() as session:
        audit.record(session, actor=actor, action="put_village_rules", village_id=village_id, clauses=info.clauses)
        session.commit()
    return info.to_dict()
