from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, Field


class HitOut(BaseModel):
    """One citable source: a statute article, a village-rule clause or a FAQ entry."""

    source: str = Field(..., description="statute | village_rule | faq")
    citation: str = Field(..., description="Canonical citation, e.g. 中华人民共和国民法典第八百三十九条")
    title: str
    article: str
    text: str = Field(..., description="Exact source text of the article, clause or FAQ answer")
    score: float
    village_id: Optional[str] = None
    faq_id: Optional[str] = None


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody
