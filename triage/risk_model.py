"""The trained half of the risk engine: a linear character n-gram model (``triage.ngram_model``) plus thresholds.

Danger is said in words no list anticipates (药都买好了, 刀磨好了, 河边风挺大); the model reads them
from n-grams. It gives P(level) for the five levels, and its level is the highest one whose
cumulative probability (that level or above) reaches the threshold fitted with it.

The weights live in ``risk_model.json`` next to this module. ``make risk-model`` (``cunfa risk
train``, ``triage/learn/risk_training.py``) fits them from the project's own data in
``data/risk/train/``; the file records the hash of that data and of the recipe, and a test fails
when the two drift apart.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

from triage.ngram_model import NgramModel
from triage.risk_levels import RISK_ORDER

__all__ = ["MODEL_FILE", "RiskModel", "load_model", "model_text"]

MODEL_FILE = Path(__file__).with_name("risk_model.json")

# Everyday words built on 打, 杀, 死, 火, 吊 … are rewritten to a harmless synonym before the model reads
# them, so that its n-grams for 打 and 死 learn the dangerous senses only: "我在打工" shares 在打 with
# "他在打我", and no amount of data fixes that by character n-grams alone. The cue list guards the same
# words (``triage.risk_cues``); this keeps the model from undoing it.
_EVERYDAY = {
    "打零工": "做零工", "打短工": "做短工", "打工": "做工", "打官司": "诉讼", "打电话": "通话", "打手机": "通话",
    "打疫苗": "接种", "打针": "注射", "打听": "询问", "打算": "准备", "打扫": "清扫", "打印": "印刷",
    "打车": "叫车", "打折": "优惠", "打卡": "签到", "打牌": "玩牌", "打麻将": "玩牌", "打游戏": "玩游戏",
    "打农药": "喷药", "打药": "喷药", "打井": "挖井", "打扰": "麻烦", "打招呼": "招呼", "打包": "包装",
    "打交道": "来往", "打下手": "帮忙", "打字": "输字", "打球": "玩球", "打鱼": "捕鱼", "打猎": "狩猎",
    "杀价": "讲价", "砍价": "讲价", "杀猪": "宰猪", "杀鸡": "宰鸡", "杀羊": "宰羊", "杀毒": "除毒",
    "砍树": "伐树", "砍柴": "劈柴", "火车": "列车", "火锅": "锅子", "上火": "上燥", "吊瓶": "输液",
    "死机": "卡机", "拼多多": "网店", "拼车": "合乘", "烧纸": "祭扫", "烧饭": "做饭", "烧水": "煮水",
    "救命钱": "积蓄", "刀郎": "歌手", "打不着火": "启动不了", "点不着火": "启动不了",
}  # fmt: skip
_EVERYDAY_RE = re.compile("|".join(sorted(map(re.escape, _EVERYDAY), key=len, reverse=True)))
# "累死了", "笑死我了", "气死人": a feeling, not a death.
_FEELING_DEATH = re.compile(r"([累笑气烦急饿热冷吓愁忙困渴馋憋闷])死(了|我了|人了|人|我)?")


def model_text(view: str) -> str:
    """What the risk model reads: a normalised view with everyday 打/杀/死 words made harmless."""
    return _FEELING_DEATH.sub(r"很\1", _EVERYDAY_RE.sub(lambda m: _EVERYDAY[m.group(0)], view))


@dataclass(frozen=True)
class RiskModel:
    model: NgramModel
    #: level → minimum probability that the message is at that level or above
    thresholds: dict[str, float]
    recipe_sha256: str = ""
    data_sha256: str = ""

    def probabilities(self, view: str) -> dict[str, float]:
        return self.model.probabilities(model_text(view))

    def level(self, probabilities: dict[str, float]) -> str:
        at_least = 0.0
        for level in reversed(RISK_ORDER):
            at_least += probabilities.get(level, 0.0)
            if level != "none" and at_least >= self.thresholds.get(level, 1.01):
                return level
        return "none"

    def contributions(self, view: str, level: str, top: int = 3) -> list[str]:
        return self.model.contributions(model_text(view), level, top)

    @classmethod
    def from_dict(cls, data: dict) -> RiskModel:
        model = NgramModel.from_dict(data)
        if set(model.classes) != set(RISK_ORDER):
            raise ValueError(f"risk model classes {model.classes} are not the five risk levels")
        return cls(
            model=model,
            thresholds={k: float(v) for k, v in data["thresholds"].items()},
            recipe_sha256=data.get("recipe_sha256", ""),
            data_sha256=data.get("data_sha256", ""),
        )

    def to_dict(self) -> dict:
        return {
            **self.model.to_dict(),
            "thresholds": self.thresholds,
            "recipe_sha256": self.recipe_sha256,
            "data_sha256": self.data_sha256,
        }


@functools.lru_cache(maxsize=1)
def load_model(path: Path = MODEL_FILE) -> RiskModel | None:
    """The shipped model, read once per process; None when the file is missing (cues alone then decide)."""
    if not path.is_file():
        return None
    return RiskModel.from_dict(json.loads(path.read_text(encoding="utf-8")))
