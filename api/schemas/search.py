from __future__ import annotations

from pydantic import BaseModel

from api.schemas.common import HitOut


class SearchResponse(BaseModel):
    hits: list[HitOut]
