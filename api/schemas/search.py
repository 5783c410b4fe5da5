from __future__ import annotations

from typing import List

from pydantic import BaseModel

from api.schemas.common import HitOut


class SearchResponse(BaseModel):
    hits: List[HitOut]
