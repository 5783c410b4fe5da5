from __future__ import annotations

from pydantic import BaseModel, Field


class HitOut(BaseModel):
    """One citable source: a statute article, a village-rule clause or a FAQ entry."""

    source: str = Field(..., description="statute | village_rule | faq")
    citation: str = Field(..., description="Canonical citation, e.g. 中华人民共和国民法典第八百三十九条")
    title: str
    article: str
    text: str = Field(..., description="Exact source text of the article, clause or FAQ answer")
    score: float
    village_id: str | None = Field(None, description="Only on village_rule hits")
    faq_id: str | None = Field(None, description="Only on faq hits")
    question: str | None = Field(None, description="Only on faq hits: the question the answer belongs to")
    cited: list[str] | None = Field(None, description="Only on faq hits: statutes the answer relies on")


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody
