"""Reading a resident's answers during intake: cancelling, correcting a field, plain values.

Pure functions (no Rasa) so they are tested directly; the form validation action only wires
them to slots.
"""

from __future__ import annotations

import re

from triage import DISPUTE_TYPE_LABELS, classify_dispute, normalize, normalize_dispute_value

FIELD_LABELS = {
    "resident_name": "称呼",
    "phone": "电话",
    "village": "村",
    "dispute_type": "事情类型",
    "description": "事情经过",
    "counterparty": "对方",
}
_FIELD_WORDS = {
    "resident_name": ("名字", "姓名", "称呼", "名"),
    "phone": ("电话", "手机", "号码", "座机"),
    "village": ("村",),
    "dispute_type": ("类型", "哪方面", "种类"),
    "description": ("经过", "情况", "描述", "事情"),
    "counterparty": ("对方",),
}
_CANCEL = re.compile(
    r"^(取消|取消登记|不登记了?|不办了|不弄了|不整了|算了吧?|不要了|退出|不用了|不想登记了|不想办了|不报了)[啊吧了呀嘛。！!,，\s]*$"
)
# Refusing the personal-information notice: short answers only ("对方不同意离婚" is a story, not a refusal).
_DECLINE = re.compile(
    r"^(我|俺)?(不同意|不愿意|不答应|不想留(个人)?信息|不留(个人)?信息|信息不想给|不想给信息)[啊吧了呀嘛。！!,，\s]*$"
)
_ABOUT_PRIVACY = re.compile(r"个人信息|隐私|信息安全|信息.{0,4}(谁看|给谁|删除|删掉|保存|存多久)")
_EDIT = re.compile(r"(改|错|不对|修改|重新|重说|写错)")
_CONFIRM = re.compile(
    r"^(对|对的|是|是的|没错|没问题|确认|确认提交|提交|可以|行|中|好|好的|妥|对头|嗯+|就这样)[啊吧了呀嘛的。！!\s]*$"
)
_UNKNOWN = re.compile(r"^(不清楚|不知道|不晓得|没有|说不清|不认识)")
_NAME_PREFIX = re.compile(r"^(我叫|我是|俺叫|俺是|我姓|俺姓|姓名|名字|叫我|叫)[是：:\s]*")
_VILLAGE_NOISE = re.compile(r"^(我是|俺是|我在|俺在|住在|我们是|咱是)|(的人|的|人|那边|这边)$")
_QUESTIONISH = re.compile(r"[?？]|吗|怎么|咋|为什么|能不能")

MAX_NAME = 12
MAX_VILLAGE = 30
MAX_DESCRIPTION = 500
MAX_COUNTERPARTY = 100


def declines_notice(text: str) -> bool:
    """The resident does not agree to give personal information: nothing is filed or kept."""
    return bool(_DECLINE.match(text.strip()))


def asks_about_privacy(text: str) -> bool:
    """'个人信息咋用' / '我的信息谁能看': the whole notice is given, then the form goes on."""
    return len(text) <= 40 and bool(_ABOUT_PRIVACY.search(text))


def is_cancel(text: str) -> bool:
    return bool(_CANCEL.match(normalize(text).strip()))


def is_confirm(text: str) -> bool:
    return bool(_CONFIRM.match(normalize(text).strip()))


def wants_edit(text: str) -> bool:
    return bool(_EDIT.search(normalize(text)))


def edit_target(text: str) -> str | None:
    """The field a short correction names ("电话写错了", "改一下村"), or None."""
    text = normalize(text)
    if len(text) > 14 or not _EDIT.search(text):
        return None
    for field in ("phone", "counterparty", "resident_name", "dispute_type", "village", "description"):
        if any(word in text for word in _FIELD_WORDS[field]):
            return field
    return None


def clean_name(text: str) -> str | None:
    value = _NAME_PREFIX.sub("", normalize(text).strip()).strip(" 。.!！,，")
    if not value or len(value) > MAX_NAME or any(ch.isdigit() for ch in value) or _QUESTIONISH.search(value):
        return None
    return value


def clean_village(text: str) -> str | None:
    value = normalize(text).strip(" 。.!！,，")
    value = _VILLAGE_NOISE.sub("", value).strip()
    value = _VILLAGE_NOISE.sub("", value).strip()
    if not value or len(value) > MAX_VILLAGE or _QUESTIONISH.search(value):
        return None
    return value


def clean_dispute_type(text: str) -> str | None:
    raw = normalize(text).strip(" 。.!！,，")
    if raw in DISPUTE_TYPE_LABELS:
        return raw
    if raw in ("其他", "其它", "别的", "都不是"):
        return "other"
    value = normalize_dispute_value(raw)
    if value:
        return value
    match = classify_dispute(raw)
    return match.value if match else None


def clean_description(text: str) -> str | None:
    value = " ".join(normalize(text).split())
    if len(value) < 4:
        return None
    return value[:MAX_DESCRIPTION]


def clean_counterparty(text: str) -> str | None:
    value = " ".join(normalize(text).split()).strip(" 。.!！,，")
    if not value:
        return None
    if _UNKNOWN.match(value):
        return "不清楚"
    return value[:MAX_COUNTERPARTY]


def substantive(text: str) -> bool:
    """Whether the message that started intake already describes the matter.

    "我要找律师" does not; "隔壁老王把我家宅基地占了想找调解员" does, and asking the resident
    to say it again would be the first sign that nobody listened.
    """
    text = normalize(text)
    return len(text) >= 12 and classify_dispute(text) is not None


_HARDSHIP_YES = re.compile(
    r"低保|特困|五保|建档立卡|贫困户|脱贫户|孤儿寡母|困难|残疾|没钱|没有钱|穷|请不起|收入(很)?低|没(有)?收入|贫困|没(有)?工作|"
    r"[一二三四五六七八九几]?[百十]多?块|养老金|靠.{0,6}(?:过|活|养)|看病|吃药|欠了?一屁股|揭不开锅|紧巴|拿不出|掏不出|凑不出"
)
_HARDSHIP_NO = re.compile(r"^(不是|没有(?!钱|收入|工作)|不困难|不算|还行|还可以|过得去|不)")


# Hardship said in the story itself, unmistakably: the pre-check is not asked again.
_HARDSHIP_TOLD = re.compile(
    r"低保户|特困户|五保户|建档立卡|贫困户|孤儿寡母|(?:没钱|没有钱)(?:打官司|请律师)|请不起律师|"
    r"家里(?:很|特别|非常)?困难|经济困难"
)


def hardship_told(text: str) -> bool:
    """Whether a story already says the family is hard up ("孤儿寡母的，没钱打官司")."""
    text = normalize(text)
    return bool(_HARDSHIP_TOLD.search(text)) and not re.search(r"不是(?:低保|贫困|特困)|不困难", text)


def hardship_answer(text: str, intent: str = "") -> str | None:
    """The legal-aid pre-check answer: "yes" (economic hardship), "no", or None (ask again).

    A leading negation wins ("不是低保户" is a no); otherwise any hardship word is a yes.
    """
    text = normalize(text).strip()
    if _HARDSHIP_NO.match(text):
        return "no"
    if intent == "affirm" or is_confirm(text) or _HARDSHIP_YES.search(text):
        return "yes"
    if intent == "deny":
        return "no"
    return None
