"""Fixed texts of the WeChat channel: short, plain, and always with a way to a person."""

WELCOME = (
    "您好，欢迎关注村法助手！\n"
    "遇到借钱不还、土地宅基地、婚姻家庭、打工讨薪、邻里纠纷这些事，直接打字或按住说话告诉我就行，"
    "我会告诉您法律怎么规定，也可以帮您找调解员、律师或法律援助。\n"
    "有危险请马上拨打110；法律咨询热线12348。"
)
HOLDING = "正在查询，请稍候，答复将单独发给您。"
#: Without AppSecret the answer cannot be sent afterwards, so the resident is told to ask again.
HOLDING_NO_FOLLOW_UP = "这个问题查得慢一些，请过一分钟再发一次；急事请拨打12348，有危险请拨打110。"
ONLY_TEXT_VOICE = "我现在只看得懂文字和语音。请打字，或者按住说话，告诉我您遇到了什么事。"
VOICE_NOT_RECOGNISED = "这段语音没听清。请再说一次（慢一点、离手机近一点），或者直接打字告诉我。"
EMPTY_TEXT = "请打字或者按住说话，告诉我您遇到了什么事。"
#: The same words as /v1/chat's 429: on WeChat it has to be a reply, an HTTP error would show as a failure.
TOO_FAST = "您发得太快了，请{wait}秒后再发。急事请拨打110或12348。"
CUT_SHORT = "……（回答太长，后面的内容发不出来。您可以问得具体一些，或拨打12348。）"
