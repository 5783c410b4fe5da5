"""Fixed texts of the WeChat channel: short, plain, and always with a way to a person.

The way to a person itself (110, 12348, and the rate-limit text, ``triage.safety.too_fast``, the same
as /v1/chat's 429: on WeChat it has to be a reply, an HTTP error would show as a failure) is worded
in ``triage.safety``, as on every other channel.
"""

from triage.safety import CALL_HOTLINE, DANGER_CALL_110, URGENT_CALLS

WELCOME = (
    "您好，欢迎关注村法助手！\n"
    "遇到借钱不还、土地宅基地、婚姻家庭、打工讨薪、邻里纠纷这些事，直接打字或按住说话告诉我就行，"
    "我会告诉您法律怎么规定，也可以帮您找调解员、律师或法律援助。\n"
    f"{DANGER_CALL_110}；法律咨询请{CALL_HOTLINE}。"
)
HOLDING = "正在查询，请稍候，答复将单独发给您。"
#: Without AppSecret the answer cannot be sent afterwards, so the resident is told to ask again.
HOLDING_NO_FOLLOW_UP = f"这个问题查得慢一些，请过一分钟再发一次；{URGENT_CALLS}"
ONLY_TEXT_VOICE = "我现在只看得懂文字和语音。请打字，或者按住说话，告诉我您遇到了什么事。"
VOICE_NOT_RECOGNISED = "这段语音没听清。请再说一次（慢一点、离手机近一点），或者直接打字告诉我。"
EMPTY_TEXT = "请打字或者按住说话，告诉我您遇到了什么事。"
CUT_SHORT = f"……（回答太长，后面的内容发不出来。您可以问得具体一些，或{CALL_HOTLINE}。）"
