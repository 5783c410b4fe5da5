"""The personal-information notice residents get before the first personal question, and their consent.

个人信息保护法 asks that people are told what is collected, why, who sees it, for how long and how to
have it deleted before it is collected (第十七条), that going on is a real choice (第十三、十四条), and
that sensitive information (injuries and health, minors, violence at home, criminal matters, accounts)
gets a separate consent (第二十八、二十九条). One wording for every channel (chat, kiosk, WeChat, and the
script the hotline agent reads), versioned so a case records which wording the resident agreed to.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any

from triage.safety import CALL_HOTLINE, DANGER_CALL_110

#: Bump when the wording changes: a case keeps the version its resident agreed to.
NOTICE_VERSION = "pi-notice-1"

#: Matter guides whose cases hold sensitive personal information (health, minors, violence, crime, money).
SENSITIVE_MATTERS = frozenset(
    {
        "domestic_violence", "child_custody", "minors", "medical_dispute", "personal_injury", "helper_injury",
        "work_injury", "hit_and_run", "traffic_compensation", "animal_injury", "fraud", "public_security",
        "online_loans",
    }
)  # fmt: skip
SENSITIVE_TYPES = frozenset({"personal_injury", "traffic_accident"})
_SENSITIVE_WORDS = re.compile(
    r"家暴|打[俺我她他人]|挨打|动手|伤|医院|住院|看病|病|残疾|怀孕|孩子|娃|未成年|学生|坐牢|判刑|犯罪|报警|派出所|"
    r"身份证|银行卡|欠.{0,4}贷|网贷"
)


def years(days: int) -> str:
    return f"{days // 365}年" if days % 365 == 0 else f"{days}天"


def short_notice(closed_case_days: int) -> str:
    """The first screen (under 120 characters): what, why, who, how long, how to refuse or delete."""
    return (
        "登记前说明：您说的姓名、电话、村和事情经过只用来办这件事，只有经办人和县调解中心能看，"
        f"结案后保存{years(closed_case_days)}。接着回答就是同意；不同意请说“不同意”，照样可以问法律问题；"
        "想了解详情或删除，说“个人信息”。"
    )


def spoken_notice(closed_case_days: int) -> str:
    """What the hotline agent reads before asking for a name or a number (the same content, spoken)."""
    return (
        "先跟您说明一下：您的姓名、电话和事情经过只用来办这件事，只有经办人和县调解中心能看，"
        f"结案后保存{years(closed_case_days)}；您不愿意留也没关系，照样给您解答。"
    )


def emergency_notice() -> str:
    """After 110/120, never before: in danger the law allows processing without consent (第十三条第一款第四项)."""
    return "（您留的电话和情况只用于这次救助，只有值班人员和经办人能看。）"


def notice_details(conversation_days: int, closed_case_days: int) -> str:
    """The whole notice, given when the resident asks ("个人信息怎么用", "隐私")."""
    return "\n".join(
        [
            "关于您的个人信息（依照《个人信息保护法》）：",
            "1. 收集什么：称呼、电话、村、事情经过、对方、金额和时间，以及这次对话的内容。",
            "2. 做什么用：只用来登记和办理您这件事：联系您、调解、法律咨询或法律援助。",
            "3. 谁能看：接案的调解员、法律顾问或法律援助律师，和监督办案的县调解中心；"
            "别的工作人员看到的是遮盖后的信息。",
            f"4. 存多久：没有登记案件的对话保存{years(conversation_days)}；"
            f"案件办结后保存{years(closed_case_days)}，到期删除或去掉身份信息。",
            "5. 身份证号、银行卡号不要在这里说；说了也会被遮盖后才保存。",
            "6. 您的权利：凭受理回执上的案件编号、电话后四位和发到您微信或手机的验证码，可以在 /my-data "
            "页面查看登记的信息、申请删除；也可以跟经办人或县调解中心说。正在办理或有法院期限的案件，办完后才能删。",
            "涉及家暴、伤病、孩子、犯罪的事，提交前会再单独问您一次同不同意。",
            f"不同意也没关系：法律问题照样可以问我，也可以{CALL_HOTLINE}；{DANGER_CALL_110}。",
        ]
    )


def declined_reply() -> str:
    return (
        "好的，不登记，您的姓名、电话这些个人信息不会保存。法律问题照样可以问我；"
        f"想找人帮忙可以{CALL_HOTLINE}，{DANGER_CALL_110}。"
    )


def sensitive_notice() -> str:
    """One sentence in the read-back: confirming is the separate consent (第二十九条)."""
    return "这件事涉及伤病、孩子、家庭暴力或违法犯罪等敏感信息，只交给经办人处理；点“确认提交”就表示您单独同意。"


def is_sensitive(dispute_type: str | None, matter: str | None, description: str | None) -> bool:
    """Whether the case needs the separate consent: its type, its matter guide, or the story's words."""
    return (
        (dispute_type or "") in SENSITIVE_TYPES
        or (matter or "") in SENSITIVE_MATTERS
        or bool(_SENSITIVE_WORDS.search(description or ""))
    )


@dataclass(frozen=True)
class Consent:
    """What the resident agreed to, recorded with the case: the wording's version, when, on which channel."""

    version: str
    at: str
    channel: str
    sensitive: bool = False
    #: "consent", or "emergency" when a life was at risk and the notice came after the help.
    basis: str = "consent"

    @classmethod
    def given_now(cls, channel: str, *, sensitive: bool = False, basis: str = "consent") -> Consent:
        at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        return cls(NOTICE_VERSION, at, channel, sensitive, basis)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
