from __future__ import annotations

from fastapi import APIRouter, Query

from api.deps import KnowledgeDep
from api.schemas.common import ErrorResponse
from api.schemas.search import SearchResponse
from knowledge.base import MAX_K

router = APIRouter(prefix="/v1", tags=["search"])


@router.get(
    "/search",
    response_model=SearchResponse,
    response_model_exclude_none=True,
    responses={422: {"model": ErrorResponse}, 503: {"model": ErrorResponse}},
    summary="Search statutes, FAQs and village rules",
)
def search(
    kb: KnowledgeDep,
    q: str = Query(..., min_length=1, max_length=1000, description="The question, in everyday words"),
    k: int = Query(10, ge=1, le=MAX_K, description="How many hits"),
    source: str | None = Query(None, description="statute | village_rule | faq"),
    village_id: str | None = Query(None, max_length=64, description="Village whose rules may be returned"),
) -> SearchResponse:
    """The same hits as `cunfa search --json`. Village rules come back only for `village_id`."""
    hits = kb.search(q, k=k, source=source, village_id=village_id)
    return SearchResponse(hits=[h.to_dict() for h in hits])
