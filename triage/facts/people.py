"""Facts in one caller line: who is calling, from which village, against whom, and what they want.

Two ways to read a line. A *mention* is found in free speech ("俺叫王大山，青石湾村的") and must be
unmistakable, because a wrong name on a case is worse than an empty one the agent fills in. An
*answer* follows the agent's question ("您叫什么名字？" → "王大山") and may be as short as the caller
likes, because the question already says what it is. All functions take normalized text with the
spaces removed (dictation splits words with spaces) and return None when unsure.
"""

from __future__ import annotations

import re

# The ~200 commonest single-character surnames, plus the compound ones still met in villages. Free-speech
# names must start with one: "我叫他还钱" must not make "他还钱" a name.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
    "卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴"
    "霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑"
    "景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "慕容", "令狐", "夏侯", "公孙", "尉迟", "司徒")

_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
_NAME_END = re.compile(
    r"家住|家在|家里|今年|住在|[我俺你他她的了是在住啊呀吧呢嘛哦哈嘞噢么就说叫想要和跟把被给这那个村镇乡"
    r"，。！？、,.!?;；:：\d\s]"
)
_STRICT_END = re.compile(r"$|[，。！？、,.!?;；啊呀呢哈嘞噢哦]")
_FILLER = re.compile(
    r"^(?:[嗯啊哦噢喂哈呃额唉哎诶]|对|是的?|好的?|行|中|没错|你好|您好|谢谢|不知道|不清楚|不晓得|忘了|没有|在吗|在|"
    r"听得到吗?|能听到吗?|听见了?吗?|什么|啥)+$"
)
_PUNCT = re.compile(r"[，。！？、,.!?;；:：~～…\-—\s]+")
_QUESTIONISH = re.compile(r"[?？]|吗|怎么|咋|为什么|能不能|是不是|啥|什么|谁|哪|多少|几个|呢$")
_CORRECTION = re.compile(
    r"不对|说错|错了|改成|改一下|应该是|更正|重新说|搞错|打错|写错|弄错|说岔|说快了|不是[^，。,.]{1,8}是|"
    r"刚才(?:那个|说的|给的|留的)|(?:我|俺)自己的(?:号|电话|手机)?(?:是|号)|别打(?:那个|这个)"
)


def is_filler(text: str) -> bool:
    """Acknowledgements and greetings that carry nothing to file or search ("嗯嗯", "对对对", "喂你好")."""
    core = _PUNCT.sub("", text)
    return not core or bool(_FILLER.match(core))


def is_correction(text: str) -> bool:
    return bool(_CORRECTION.search(text))


def _segments(text: str) -> list[str]:
    return [s for s in _PUNCT.split(text) if s]


def _starts_with_surname(text: str) -> int:
    """Length of the surname ``text`` starts with (0 when none): 2 for 欧阳, 1 for 王."""
    if text.startswith(COMPOUND_SURNAMES):
        return 2
    return 1 if text[:1] in SURNAMES else 0


def _trim_name(rest: str) -> str:
    """The name at the start of ``rest``: up to the first word that cannot be part of it, at most 3 characters
    (4 with a compound surname)."""
    limit = 4 if rest.startswith(COMPOUND_SURNAMES) else 3
    m = _NAME_END.search(rest, 1)
    return rest[: m.start() if m and m.start() <= limit else limit]


def _valid_name(name: str, *, min_len: int = 2) -> bool:
    return (
        min_len <= len(name) <= 4
        and bool(_HAN.match(name))
        and not is_filler(name)
        and not _QUESTIONISH.search(name)
        and not re.search(
            r"村|镇|乡|电话|手机|号码|律师|调解|老板|邻居|[他她你我俺咱]|闺女|儿子|女儿|媳妇|老婆|老公|男人", name
        )
    )


_CALLED = re.compile(r"(?:我|俺|本人)(?:的?名字|姓名)?(?:就|全名)?(?:叫做?|名叫|是叫)|叫我|我的?名字是|姓名是")
_SURNAME_ONLY = re.compile(r"(?:我|俺|本人)姓(?P<surname>[\u4e00-\u9fff]{1,2})")
_I_AM = re.compile(r"(?:我是|俺是|我就是|这里是|这边是)")
_NICKNAME = re.compile(r"^[老小阿][\u4e00-\u9fff]")


def mention_name(text: str) -> str | None:
    """The caller's name when they say it outright: "我叫王大山", "俺姓李，叫李秀英", "我是陈桂兰。"."""
    for m in _CALLED.finditer(text):
        rest = text[m.end() :]
        if _starts_with_surname(rest) or _NICKNAME.match(rest):
            name = _trim_name(rest)
            if _valid_name(name):
                return name
    said = _SURNAME_ONLY.search(text)
    if said:
        surname = said.group("surname")
        surname = surname if surname in COMPOUND_SURNAMES else surname[0]
        return surname if _starts_with_surname(surname) else None
    for m in _I_AM.finditer(text):
        rest = text[m.end() :]
        if _starts_with_surname(rest):
            name = _trim_name(rest)
            if 2 <= len(name) <= 3 and _STRICT_END.match(rest, len(name)) and _valid_name(name):
                return name
    return None


_ANSWER_PREFIX = re.compile(
    r"^(?:[嗯啊哦噢呃额]|对|好)*(?:我叫|我是|俺叫|俺是|我姓|俺姓|叫我|名字叫|名字是|姓名是?|我的名字是|就叫|叫|姓)?"
)
_ANSWER_SUFFIX = re.compile(r"(?:就行了?|就好|就可以了?|吧|啊|呀|哈|嘞|呢|的)+$")


_FORMAL_NAME = re.compile(r"(?:大名|学名|身份证上|户口上|正名|全名)(?:叫|是|写的是|上是)?")


def answer_name(text: str) -> str | None:
    """The caller's name in an answer to "您叫什么名字？": "王大山", "陈桂兰，耳东陈", "姓李", "叫我老王就行".

    The name a clerk writes wins: "俺叫武二旦，大名武建民" is 武建民, and "我姓邓，邓小梅" is 邓小梅.
    """
    for m in _FORMAL_NAME.finditer(text):
        rest = text[m.end() :].lstrip("：:，, ")
        if _starts_with_surname(rest):
            name = _trim_name(rest)
            if _valid_name(name):
                return name
    found = mention_name(text)
    if found and len(found) == 1:
        # Only a surname so far ("我姓邓"): a full name in another clause that starts with it is better.
        for segment in _segments(text):
            name = _ANSWER_SUFFIX.sub("", _ANSWER_PREFIX.sub("", segment))
            if name.startswith(found) and _valid_name(name):
                return name
    if found:
        return found
    names = [_ANSWER_SUFFIX.sub("", _ANSWER_PREFIX.sub("", segment)) for segment in _segments(text)]
    # A whole name in any clause beats a bare surname in an earlier one ("姓胡，胡长贵").
    for name in names:
        if _valid_name(name, min_len=2):
            return name
    for name in names:
        if len(name) == 1 and _starts_with_surname(name):
            return name
    return None


_VILLAGE = re.compile(
    r"(?P<prefix>[\u4e00-\u9fff]{1,14}?)(?P<suffix>村(?![委里长民干子口头部支务规庄小医卫道路口上中外])|家庄|社区)"
)
_VILLAGE_LEAD = re.compile(
    r"^.*(?:我是|俺是|我在|俺在|住在|住喺|家住|家在|来自|我们|俺们|咱们|我家|俺家|他家|就是|那个|这个|从|到|去|在|喺|是|的|了)"
)
# Words of a sentence, not of a name: "前年借给同村刘二…" names no village.
_NOT_IN_VILLAGE_NAME = re.compile(r"[了的是在把被给借不没还要跟说过着就都也又欠打找让叫年我俺咱]|[同本邻外全各]$")
_NOT_VILLAGE = frozenset(
    "农 本 外 同 全 邻 各 每个 哪个 什么 这个 那个 隔壁 其他 别的 整个 一个 两个 个 乡 新农 啥 "
    "我们 他们 你们 咱 该 此 原 城中 下 上 大 小 老 这 那 哪 回 进 出 满 半 附近 周边 邻近".split()
)


# "马坊三组的", "俺是石门沟二队的": a village's group said without 村 (the group is not kept).
_GROUP_VILLAGE = re.compile(
    r"(?:^|[，,。\s]|是|在|住|家)(?P<prefix>[\u4e00-\u9fff]{2,4}?)[一二三四五六七八九十\d]{1,2}(?:组|队|社)(?=的|$|[，,。\s])"
)


_NOT_GROUP_OWNER = re.compile(r"[他她们第这那]")  # "他们第三组": a group of people, not a village


def mention_village(text: str, *, min_len: int = 2) -> str | None:
    """A village named in passing: "俺是青石湾村的" → "青石湾村", "住在刘家庄" → "刘家庄"."""
    found = _mention_village(text, min_len=min_len)
    if found:
        return found
    for m in _GROUP_VILLAGE.finditer(text):
        prefix = m.group("prefix")
        if (
            prefix not in _NOT_VILLAGE
            and not _NOT_IN_VILLAGE_NAME.search(prefix)
            and not _NOT_GROUP_OWNER.search(prefix)
        ):
            return prefix
    return None


def _mention_village(text: str, *, min_len: int) -> str | None:
    for m in _VILLAGE.finditer(text):
        prefix, suffix = _VILLAGE_LEAD.sub("", m.group("prefix")), m.group("suffix")
        if suffix == "家庄":  # 刘家庄, 王家庄: the surname is the whole prefix
            prefix = prefix[-1:] if prefix[-1:] in SURNAMES else ""
            if prefix:
                return prefix + suffix
        elif len(prefix) >= min_len and prefix not in _NOT_VILLAGE and not _NOT_IN_VILLAGE_NAME.search(prefix):
            return prefix + suffix
    return None


_VILLAGE_ANSWER_PREFIX = re.compile(
    r"^(?:[嗯啊哦噢呃额]|对|好)*(?:我是|俺是|我在|俺在|住在|住喺|我们是|俺们是|咱是|就是|在|喺)?"
)
_VILLAGE_ANSWER_SUFFIX = re.compile(r"(?:的人|的|人|那边|这边|那块|那儿|这儿|呀|啊|嘞)+$")


def answer_village(text: str) -> str | None:
    """The village in an answer to "您是哪个村的？": "青石湾的" → "青石湾"; a named village wins."""
    found = mention_village(text, min_len=1)
    if found:
        return found
    for segment in _segments(text):
        value = _VILLAGE_ANSWER_SUFFIX.sub("", _VILLAGE_ANSWER_PREFIX.sub("", segment))
        # A village's name is short; a long answer is a sentence about something else.
        if (
            2 <= len(value) <= 8
            and _HAN.match(value)
            and not is_filler(value)
            and not _QUESTIONISH.search(value)
            and not _NOT_IN_VILLAGE_NAME.search(value)  # "千万别打那个": a sentence, not a village
        ):
            return value
    return None


_ROLES = sorted(
    "隔壁 邻居 对门 包工头 工头 老板 厂长 开发商 物业公司 物业 村委会 村干部 村长 村支书 支书 "
    "前夫 前妻 老公 丈夫 男人 媳妇 老婆 儿子 儿媳妇 儿媳 女儿 闺女 女婿 大哥 二哥 三哥 哥哥 "
    "大姐 二姐 姐姐 弟弟 妹妹 大伯 叔叔 二叔 三叔 婶子 舅舅 亲戚 房东 承包户 司机 商家 卖家 "
    "店老板 店主 公司 厂里 单位 婆婆 公公 继母 后妈 后爹 继父 侄子 外甥 本家 对方".split(),
    key=len,
    reverse=True,
)
_ROLE = re.compile("|".join(_ROLES))
_CONFLICT = (
    r"(?:拖欠|克扣|霸占|强占|不还|不给|不管|不养|不认|威胁|家暴|合伙|欠|借|占|打|骂|赖|推|砸|吵|闹|撞|骗|偷|抢|毁|拆|堵|挡|扣|把|跑|"
    r"非要|总|老是|天天|经常|又|还)"
)
_AFTER_NAME = re.compile(rf"$|{_CONFLICT}|[的了家他她给跟和不没都也就说是在，。！？、,.!?]")
_CONFLICT_AFTER = re.compile(rf"^(?:家的?|的|他们|她们|他|她|一家)?.{{0,2}}?{_CONFLICT}")
_CONFLICT_BEFORE = re.compile(r"(?:跟|和|与|同|被|找|告|对|让)$")
# A bare name at the start of a clause counts only before an unmistakable act against the caller.
_STRONG_CONFLICT = re.compile(r"(?:家)?(?:拖欠|欠|霸占|占了|骗|偷|打了?我|借了?我|不还|不给|天天|总是|老是)")
_FUNCTION_CHARS = re.compile(r"[被把给了的在是也都就还又]")
_CONNECTOR = re.compile(r"^(?:家的?|的|那个|这个)")


def _name_at(text: str, start: int) -> str:
    """A person's name starting at ``start`` ("老李", "张三", "王大山"), shortest that a verb or particle follows."""
    rest = text[start:]
    if _NICKNAME.match(rest) and rest[1] in SURNAMES and _AFTER_NAME.match(rest, 2):
        return rest[:2]
    surname = _starts_with_surname(rest)
    if not surname or rest.startswith(("对方", "老板", "老婆", "老公", "小孩")):
        return ""
    for length in (surname + 1, surname + 2):
        if len(rest) >= length and _HAN.match(rest[:length]) and _AFTER_NAME.match(rest, length):
            return rest[:length]
    return ""


def mention_counterparty(text: str) -> str | None:
    """Who the caller is in dispute with: "包工头张三欠了…" → "包工头张三", "隔壁老李把俺家…" → "隔壁老李".

    A party in the position of the other side ("跟X吵", "被X打", "X欠我") beats one merely mentioned;
    a bare name counts only in that position, since villagers name many people in passing.
    """
    best: tuple[int, int, str] | None = None  # (-score, start, value)
    for m in _ROLE.finditer(text):
        if text[max(0, m.start() - 2) : m.start()] in ("我是", "俺是"):
            continue  # the caller's own role
        end = m.end()
        connector = _CONNECTOR.match(text, end)
        name = _name_at(text, connector.end() if connector else end)
        if name:
            end = (connector.end() if connector else end) + len(name)
            value = text[m.start() : end]
        else:
            value = m.group()
        conflict = bool(_CONFLICT_AFTER.match(text[end:]) or _CONFLICT_BEFORE.search(text[: m.start()]))
        candidate = (-(2 if conflict else 1), m.start(), value)
        best = min(best, candidate) if best else candidate
    for m in re.finditer(r"(?:跟|和|与|同|被|告)", text):
        name = _name_at(text, m.end())
        if name and _CONFLICT_AFTER.match(text[m.end() + len(name) :]):
            candidate = (-2, m.end(), name)
            best = min(best, candidate) if best else candidate
    for start in range(len(text)):
        if best and best[0] == -2 and start >= best[1]:
            break
        if start and _HAN.match(text[start - 1]) and text[start - 1] not in "的是":
            continue
        name = _name_at(text, start)
        if name and not _FUNCTION_CHARS.search(name) and _STRONG_CONFLICT.match(text, start + len(name)):
            if not _ROLE.match(text, start):
                candidate = (-2, start, name)
                best = min(best, candidate) if best else candidate
    return best[2] if best else None


_PARTY_PREFIX = re.compile(r"^(?:[嗯啊哦噢呃额]|对|好)*(?:对方是|对方叫|就是|他叫|她叫|那人叫|是|叫)?")


def answer_counterparty(text: str) -> str | None:
    """The other side in an answer to "对方是谁？": "包工头张三", "隔壁老李家", "不知道叫啥" → None."""
    found = mention_counterparty(text)
    for segment in _segments(text):
        value = _ANSWER_SUFFIX.sub("", _PARTY_PREFIX.sub("", segment))
        if 2 <= len(value) <= 20 and _HAN.match(value) and not is_filler(value) and not _QUESTIONISH.search(value):
            if found and found in _ROLES and value != found and found not in value:
                return found + value  # "张三，包工头" → "包工头张三"
            return found or value
    return found


_REQUESTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("legal_aid", re.compile(r"法律援助|法援|请不起律师|没钱请律师|免费的?律师")),
    (
        "report",
        re.compile(
            r"(?:我|俺|咱)(?:们)?(?:要|想)?(?:反映|登记|上报|报个|备案|投诉|举报)|帮(?:我|俺)(?:登记|反映|上报)"
        ),
    ),
    ("lawyer", re.compile(r"(?:找|请|要|想|需要|帮我|给我|安排|联系|问问)[\u4e00-\u9fff]{0,4}?(?:律师|法律顾问)")),
    (
        "mediation",
        re.compile(
            r"(?:找|请|要|想|需要|帮我|给我|安排|联系)[\u4e00-\u9fff]{0,4}?调[解节]|(?:能不能|可不可以|可以|能)调[解节]"
        ),
    ),
)
_REQUEST_NEGATED = re.compile(r"(?:不用|不要|不想|不需要|别|没必要|用不着)$")


def requested_help(text: str) -> str | None:
    """What the caller asks for (``legal_aid``, ``report``, ``lawyer``, ``mediation``), None if they did not."""
    for kind, pattern in _REQUESTS:
        m = pattern.search(text)
        if m and not _REQUEST_NEGATED.search(text[max(0, m.start() - 4) : m.start()]):
            return kind
    return None
