from __future__ import annotations

from pydantic import BaseModel


class VillageOut(BaseModel):
    village_id: str
    name: str
    title: str
    clauses: int
    updated_at: str
    sample: bool = False
