"""The one risk engine: how urgently a message needs a human, the same on every channel.

Web chat, the kiosk, WeChat (its holding reply too), the hotline assist, staff-filed cases and the
gateway's degraded mode all call :func:`assess_risk`, so the same words get the same level wherever
they are said. Rasa's NLU does not decide danger: ``rasa_components.risk_override`` only makes the
intent agree with this verdict (see ``docs/risk.md`` for why the classifier's own ``emergency``
guess is not an input).

How a message is judged:

1. **Explicit cues** (``triage.risk_cues``): phrases staff can audit, with negation and abstract legal
   questions handled. The highest cue sets a floor.
2. **The trained model** (``triage.risk_model``): character n-grams and a linear model fitted on the
   project's own danger messages and hard negatives, for wording no list anticipates. Its level is
   the highest one whose cumulative probability passes the threshold fitted with it.
3. **Guards** that neither may override: a message that only gives a name, a phone, a village, an
   ID or a case number is ``none``; an abstract question about the law, hearsay about strangers
   (news, videos, rumours, with the speaker nowhere in it) and a story that is over (a past time, a
   resolution, nothing happening now) are at most ``low``.

The result is the higher of 1 and 2 after 3. Levels never go down within a conversation or a call:
callers keep the running maximum with :func:`triage.risk_levels.max_level`.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass

from triage.risk_cues import RiskCue, find_cues, is_abstract_question, is_academic, is_hearsay, is_over
from triage.risk_levels import RISK_ORDER, RiskLevel, level_rank, max_level
from triage.risk_model import load_model
from triage.text import _normalize_aligned, _safe_str

__all__ = ["RISK_ORDER", "RiskAssessment", "RiskCue", "RiskLevel", "assess_risk", "is_identity_only", "max_level"]

logger = logging.getLogger(__name__)

# What a form answer is made of: numbers, case numbers, "俺叫/姓/是", kinship words, places, fillers.
_IDENTITY_PARTS = re.compile(
    r"\d{4}-[A-Za-z]{2,6}-\d{3,}|[A-Za-z]{0,3}\d[\d\-]*|[零〇一幺二两三四五六七八九]{3,}|"
    r"案件|案子|编号|单号|回执|尾号|号码|手机号?|电话号?|身份证号?|微信号?|联系方式|座机|后四位|号是|号|"
    r"(?:我|俺|咱|他|她|您|你)(?:们|家|的)?|叫做?|姓|是|名字|称呼|当事人|本人|家属|"
    r"爹|娘|爸|妈|儿子|闺女|女儿|媳妇|老婆|男人|老公|丈夫|哥|弟|姐|妹|爷爷|奶奶|孙子|孙女|舅|姨|叔|婶|大爷|大娘|"
    r"[\u4e00-\u9fff]{1,4}(?:村|屯|组|队|镇|乡|县|区|庄|湾|沟|寨|营|街|路|单元|室)|"
    r"住在?|家住|在|的|了|啊|呀|哈|嗯|哦|吧|呢|对|好|行|没错|不对|错了|改成|应该是|这个|那个|就是|"
    r"弓长|木子|口天|耳东|立早|[\W_]"
)
# Something that says "who" for sure: a number, a case number, or a name being given.
_IDENTITY_MARK = re.compile(
    r"\d{5,}|\d{4}-[A-Za-z]{2,6}-\d|[零〇一幺二两三四五六七八九]{5,}|叫|姓|名字|尾号|编号|案件号"
)
# Left over next to a name, these are a cry for help, not part of a form answer.
_URGENT_CHARS = re.compile(r"[快救帮求死打杀刀火药血命跑丢拼砍捅烧抢]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
#: A name is 2–4 characters; anything longer left over is words about something else.
_IDENTITY_RESIDUE_MAX = 4


@dataclass(frozen=True)
class RiskAssessment:
    """Overall level plus the reasons in text order, so staff can see why.

    ``model_level`` and ``probability`` are what the trained model said on its own (the probability
    that the message is at ``model_level`` or above), kept for the record and for tuning.
    """

    level: str
    cues: tuple[RiskCue, ...]
    model_level: str = "none"
    probability: float = 0.0

    @property
    def labels(self) -> tuple[str, ...]:
        """``level:label`` of every cue, as stored on cases and shown in the console."""
        return tuple(f"{cue.level}:{cue.label}" for cue in self.cues)


def is_identity_only(view: str) -> bool:
    """True when a (normalised, space-free) message only says who and where: a form answer, not an event.

    "俺是他闺女 叫李秀兰 手机15937651234" or "案件号2026-QIN-000123 尾号5678" must never raise an alarm.
    It must carry a sure sign of identity (a number, a case number, a name being given), and what remains
    once numbers, kinship words, places and "俺叫/是/姓" are taken out must be at most a name, with
    nothing urgent in it ("俺叫王芳 快来" is not a form answer).
    """
    if not _IDENTITY_MARK.search(view):
        return False
    residue = _IDENTITY_PARTS.sub("", view)
    return (
        len(_CJK.findall(residue)) <= _IDENTITY_RESIDUE_MAX
        and len(residue) <= _IDENTITY_RESIDUE_MAX + 2
        and not _URGENT_CHARS.search(residue)
    )


@functools.lru_cache(maxsize=1)
def _model_missing_logged() -> bool:
    logger.error("risk model file missing: explicit cues alone decide risk (run `make risk-model`)")
    return True


# Cached: within one process the same message is judged several times (level, cues, emergency action).
@functools.lru_cache(maxsize=8192)
def assess_risk(text: str) -> RiskAssessment:
    """Rate how urgently a message needs a human (see the module docstring).

    Args:
        text: The resident's or caller's message, in any script or width; ``None`` counts as empty.

    Returns:
        The assessment; level ``"none"`` with no cues when nothing points to danger.
    """
    original = _safe_str(text)
    view, origin = _normalize_aligned(original, keep_spaces=False)
    if not view:
        return RiskAssessment("none", ())
    found = find_cues(view)
    if not found and is_identity_only(view):
        return RiskAssessment("none", ())

    detached = is_abstract_question(view) or is_academic(view) or is_hearsay(view) or is_over(view)
    cap = level_rank("low") if detached else level_rank("emergency")
    cues: list[RiskCue] = []
    for start, end, rank, label in found:
        o_start, o_end = origin[start], origin[end - 1] + 1
        cues.append(RiskCue(RISK_ORDER[min(rank, cap)], label, o_start, o_end, original[o_start:o_end]))

    model = load_model()
    model_level, probability = "none", 0.0
    if model is None:
        _model_missing_logged()
    else:
        probabilities = model.probabilities(view)
        model_level = model.level(probabilities)
        rank = level_rank(model_level)
        probability = sum(probabilities[level] for level in RISK_ORDER[rank:])
        capped = RISK_ORDER[min(rank, cap)]
        if level_rank(capped) > max((level_rank(c.level) for c in cues), default=0):
            why = "、".join(model.contributions(view, model_level)) or original[:20]
            cues.append(RiskCue(capped, "model", 0, len(original), why))
    level = max_level(*(c.level for c in cues))
    return RiskAssessment(level, tuple(cues), model_level, round(probability, 4))
