"""The five risk levels, with the colours county mediation centres use for early warning (民转刑预警).

Every channel speaks these levels, and what each one sets in motion (who is told, how fast) is
decided from them in ``cases.routing``; ``docs/risk.md`` explains them for staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["LEVELS", "RISK_ORDER", "LevelInfo", "RiskLevel", "level_rank", "max_level"]

RiskLevel = Literal["none", "low", "medium", "high", "emergency"]
RISK_ORDER: tuple[str, ...] = ("none", "low", "medium", "high", "emergency")
_RANK: dict[str, int] = {level: i for i, level in enumerate(RISK_ORDER)}


@dataclass(frozen=True)
class LevelInfo:
    level: str
    colour: str  # the early-warning colour's name, as staff say it
    label: str  # what the console shows
    meaning: str


LEVELS: dict[str, LevelInfo] = {
    info.level: info
    for info in (
        LevelInfo(
            "emergency", "red", "红色·紧急",
            "危及生命、正在发生：有轻生念头或手边有农药绳子、正在打或拿着凶器、说了什么时候动手、放火、孩子走失、聚众斗殴",
        ),
        LevelInfo(
            "high", "orange", "橙色·高风险",
            "可能转为刑事案件：反复家暴、已经受伤、放狠话（没说时间）、有告诫书或保护令、想报复、要带着怨气上访",
        ),
        LevelInfo("medium", "yellow", "黄色·中风险", "矛盾在升级：越吵越凶、断水断电、扬言毁坏财物、伤者已在救治"),
        LevelInfo("low", "blue", "蓝色·低风险", "有纠纷、有情绪，但没有伤害和威胁"),
        LevelInfo("none", "none", "无风险", "没有危险迹象"),
    )
}  # fmt: skip


def level_rank(level: str | None) -> int:
    """0 for ``none`` … 4 for ``emergency``; unknown strings and ``None`` rank as ``none``."""
    return _RANK.get(level, 0) if isinstance(level, str) else 0


def max_level(*levels: str | None) -> str:
    """Combine levels from several sources (lines of a call, turns of a chat, a form answer) without trusting them.

    Unknown strings and ``None`` count as ``"none"``, so a typo upstream can never raise, nor lower, a level
    another source reported.
    """
    return RISK_ORDER[max((level_rank(level) for level in levels), default=0)]
