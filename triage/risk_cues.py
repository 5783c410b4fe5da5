"""Explicit danger cues: phrases that on their own set a floor under the risk level.

The cue list is the part of the risk engine staff can read and audit ("matched 拿着刀 at 5–8"); the
trained model (``triage.risk_model``) covers wording the list has never seen. A cue is the floor, not
the verdict: ``triage.risk`` combines both.

Rules (negated cues are dropped before overlaps are resolved):

1. Cues are matched on :func:`triage.text.normalize` output with whitespace removed; offsets and ``text``
   in each :class:`RiskCue` refer to the caller's original string.
2. Overlapping cues are resolved by keeping the higher level, then the longer match ("要去上访" is high,
   not the low "上访" inside it).
3. **Negation**: a cue at any level is dropped when it is *immediately* preceded by a negator (没/没有/
   不会/未/从没/不再/不曾 ...), optionally followed by a companion ("跟他") and an adverb ("再", "敢"),
   e.g. 没有打人, 没跟他动手, 不会打我. Imperatives such as 别打 / 不要杀我 are pleas, not negations, and
   stay emergencies. Negators further away, or across punctuation, do not count: "没人管，他拿刀" is still
   an emergency. Reported speech is not negation: "他说要杀了我" is a threat.
4. **Abstract legal questions**: when the message contains a legal-question marker (罪, 判几年, 犯法,
   怎么判, 法律规定 ...) and no situational marker (我/俺/咱, 他/她, 家人称谓, 现在/刚才/今天, 救命 ...),
   every cue is capped at "low". "故意伤害罪判几年" or "打人犯法吗" is a question about the law; "他打我
   犯法吗" is a report.
5. **Hearsay and the past**, capped at "low" the same way: news, videos and rumours about strangers
   with the speaker nowhere in them ("听说邻县有人跳河"), and a story told as past and settled with
   nothing happening now ("小时候走丢过一回 后来找回来了").

Levels follow ``triage.risk_levels``: recurring violence, injuries already suffered and threats without
a time are ``high`` (a person must act today); violence happening now, a weapon, a time, self-harm,
fire and a missing child are ``emergency`` (110/120 now). So a threat to kill is an emergency only with
a time, a weapon or the threatener at the door, and a beating told as before ("去年他拿刀砍过我") is
high unless something says it is happening again now.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from triage.risk_levels import RISK_ORDER, level_rank

__all__ = ["RiskCue", "find_cues", "is_abstract_question", "is_academic", "is_hearsay", "is_over"]

# 打 starts dozens of harmless verbs; any 打-cue that could be followed by one of these is guarded with it.
_NOT_HIT = (
    r"(?!官司|工|电话|手机|听|算|扫|印|针|游戏|麻将|牌|球|折|卡|包|扮|理|开|车|的|字|招呼|款|钱|水|药|猎|鱼|疫苗)"
)
# Objects after 打我/打你 that make it about phones or plans, not blows.
_NOT_ME = r"(?!电话|手机|号|微信|主意|的电话|的手机|钱|款)"
# Animals and food: 杀猪/弄死老鼠 are farm chores; 杀价 is haggling.
_NOT_ANIMAL = r"(?!猪|鸡|鸭|鹅|羊|牛|鱼|狗|兔|老鼠|虫|蚊|苍蝇|蟑螂|价|毒|青|野猪|蛇|黄鼠狼|狼|耗子)"
# Between a child and what happened to them: no possessive (娃的疫苗本丢了) and no negation (娃没走丢).
_NEAR = r"(?:(?!的|没|不是|不会)[^，。！？,.!?]){0,6}?"
_CHILD = r"(?:孩子|娃娃?|小孩|儿子|闺女|女儿|孙子|孙女|外孙|小孙子|小宝|宝宝|俺娃|我娃)"
_POISON = r"(?:农药|百草枯|敌敌畏|草甘膦|老鼠药|耗子药|安眠药|安定片?|除草剂|杀虫剂|一整?板药|一把药)"
# Between a poison and swallowing it: not an animal or a crop (老鼠药放粮仓里 不让鸡吃着).
_NOT_FOR_ANIMALS = r"(?:(?!鸡|鸭|鹅|猪|狗|猫|牛|羊|老鼠|耗子|虫|菜|庄稼|粮|地里|鸡舍)[^，。！？,.!?]){0,10}?"

# (level, label, space-separated regex alternatives). Labels are stable identifiers for dashboards and tests.
_CUES: tuple[tuple[str, str, str], ...] = (
    # --- emergency (red): life in danger now ---
    (
        "emergency",
        "threat_kill",
        f"要杀{_NOT_ANIMAL} 杀了(?:你|他|她|我|俺)(?!的猪|家的?(?:猪|鸡|羊)|也|都) 杀人了 弄死{_NOT_ANIMAL}",
    ),
    ("emergency", "threat_kill", "砍死 捅死 掐死"),
    (
        "emergency",
        "threat_kill",
        f"打死{_NOT_ANIMAL}(?!也|都) 要(?:他|你|我|俺)的?(?:老)?命 出人命 同归于尽 (?:跟|和)(?:他|你|她)拼了 "
        "(?:跟|和)(?:他|你|她)拼命 拼了命",
    ),
    (
        "emergency",
        "weapon",
        "(?:拿|拎|提|举|抄)着?(?:菜刀|砍刀|刀子|刀|斧头|斧子|镰刀|铁锹|锄头|棍子|棒子|铁棍|砖头|剪刀|汽油|枪)"
        "(?!.{0,8}?(?:切菜|切肉|剁|做饭|削|砍柴|割稻|割麦|杀鸡|宰|修|剪)) "
        "砍人 捅人 砍伤 捅伤 动刀 抄家伙 刀架在 磨刀 刀磨好",
    ),
    (
        "emergency",
        "violence_now",
        f"正在打{_NOT_HIT} 打起来了 动手了 打上了 往死里打 流血不止 流了?(?:好多|很多|一地|一身|满脸)血 "
        f"打我呢 在打我 又打(?:了)?我了 揍我呢 掐我脖子 把我往死里 (?<!不)在打{_NOT_HIT}(?:孩子|人|我|她|他|俺) "
        "(?:皮带|棍子|鞭子|棒子)抽 (?:还在|一直在)(?:打|踢|砸) (?:一直在?|还在)流血 血止不住",
    ),
    (
        "emergency",
        "self_harm",
        "不想活 (?<!不)想死(?!你|您|我了|了都) 寻死 (?<!说是)(?<!认定)(?<!算)自杀(?!不赔|免责|条款|险) 轻生 "
        "喝了?瓶?农药 喝药(?!的时间|治) 农药.{0,8}?喝 安眠药.{0,6}?(?:攒|吃了|一瓶|全吃) 吞药 "
        "跳河 跳楼 跳井 跳崖 跳水库 上吊(?!瓶) 割腕 抹脖子 "
        "活不下去 活不成了 活着没意思 一死了之 死了算了 一了百了 死给(?:你|他|她|他们)看 不活了 "
        "去死(?!吧你) 结束自己 了结自己 走了算了 留了?(?:遗书|封信) 遗书写好 写好了?遗书 不如死了 "
        f"(?:喝|吃|吞)了?(?:一|半|整)?[瓶把板包]?.{{0,4}}?{_POISON} {_POISON}{_NOT_FOR_ANIMALS}(?:喝|吃|吞|全吃|倒手) "
        f"(?:楼顶|房顶|天台|桥上|大桥|塔吊|窗台|铁轨|水库边|河边).{{0,8}}?(?:跳|下去|站着|坐着不走) "
        "吞了?一把 吞(?:了)?(?:刀片|钉子|针|玻璃|缝衣针) 睡过去不醒 再也不醒 吃多少片 多少片能 "
        "(?:东西|衣服|存款|钱)都(?:分给|送给|留给) 交代后事 后事都安排 "
        "从.{0,8}?(?:楼|桥|塔吊|房顶|崖).{0,4}?(?:跳|下去) 烧炭 煤气(?:我)?(?:已经)?(?:打开|开着) "
        "刀片.{0,6}?划 划了好几道",
    ),
    (
        "emergency",
        "group_fight",
        f"两家人?(?:要|在)?打{_NOT_HIT} 打群架 群殴 械斗 带人来?打 叫了一(?:帮|伙|群)人 "
        f"族里的人.{{0,6}}?(?:打{_NOT_HIT}|围|动手|砸|抄家伙)",
    ),
    (
        "emergency",
        "arson",
        "放火(?!烧(?:秸秆|荒|麦茬|稻草|纸|草)) 纵火 烧房子 烧了?(?:我|俺)家 点了(?:我|俺)家 泼汽油 浇汽油 "
        "点了柴火垛 烧死 (?:房子|屋|棚|工棚|仓库|柴房|草垛|大棚)(?:给|被)?人?点了",
    ),
    ("emergency", "fire", "(?<!打不)(?<!点不)(?<!打得)着火了 失火了? 起火了 火着起来了 被困在 困在里面"),
    (
        "emergency",
        "missing_child",
        f"{_CHILD}{_NEAR}(?:找不着|找不到|不见了|丢了|走丢|没回来|没影了|被人抱走|被拐|抱走了|拉走了) 拐卖 "
        f"{_CHILD}.{{0,24}}?(?:不知道|说不清|不晓得)(?:他|她)?(?:去哪|在哪|上哪) {_CHILD}.{{0,24}}?天都黑了",
    ),
    (
        "emergency",
        "timed_threat",
        f"(?:一会儿?|待会儿?|等会儿?|马上|今晚|今天晚上|明天|天黑|半夜|回来)(?:就|还)?要?(?:来)?"
        f"(?:打{_NOT_HIT}|砍|杀{_NOT_ANIMAL}|弄死|捅|收拾|算账|见血) 还要打(?:我|俺)?",
    ),
    ("emergency", "medical", "昏迷 叫不醒 不省人事 没气了 没有呼吸了? 口吐白沫 大出血 抽搐"),
    (
        "emergency",
        "confined",
        "关起来 关在(?:屋|柴房|猪圈|地窖|房)里? 锁在屋里 锁屋里 扣着身份证 不让走 绑在 绑起来 "
        "卖(?:给|到)(?:别人|外地|园区|山里) 骗去(?:缅甸|柬埔寨|国外|园区)",
    ),
    (
        "emergency",
        "help",
        "救命(?!钱) 快来人 快报警 别打了 不要打了 (?<!不)(?<!管不)住手 要出事了 (?:不要|别)杀我 饶命",
    ),
    # --- high (orange): could turn criminal; a person must act today ---
    (
        "high",
        "injury",
        "被打伤 被人打伤 打伤了 打断了 打骨折 打得住院 被打得 挨打 挨揍 挨了打 打掉了?.{0,3}牙 打成(?:骨折|轻伤|重伤) "
        "轻伤 重伤 骨折了",
    ),
    ("high", "sexual_abuse", "猥亵 性侵 强奸 摸过(?:一个|我家|俺家)?(?:娃|孩子|女娃|闺女)"),
    (
        "high",
        "recurring_dv",
        "家暴 家庭暴力 (?:经常|天天|老是|总是|三天两头)(?:打|挨打|挨揍) 喝了酒就打 喝醉了就打 打了好多(?:回|次) "
        "一直打(?:我|俺) 扇(?:过|了)?(?:我|俺)?.{0,4}?耳光 一(?:回|次)比一(?:回|次)重",
    ),
    ("high", "order_history", "告诫书 保护令 人身安全保护"),
    ("high", "threat", "扬言 威胁 恐吓 放狠话 收拾(?:我|俺) 还命 血债"),
    ("high", "revenge", "报复 报仇 讨个说法不行就 咽不下这口气 让他(?:付出代价|好看|不得好死)"),
    (
        "high",
        "petition_grievance",
        "要去上访 去北京上访 进京上访 集体上访 越级上访 闹到(?:县|市|省|镇)里? 堵政府 堵大门 "
        "约好了?.{0,6}?去(?:省|市|县|北京)",
    ),
    # --- medium (yellow): escalating ---
    (
        "medium",
        "property_threat",
        "砸了?(?:我|俺)家 要砸(?!锅卖铁) 砸了(?:我的?|俺的?)?(?:房|门|窗|车|锅) 毁了?(?:我|俺)?(?:家的?)?庄稼 "
        "毒死了?(?:我|俺)家的? 拔了(?:我|俺)家的?苗 (?:推|扒|拆)了(?:我|俺)家 堵门 堵(?:我|俺)家门 挖断",
    ),
    (
        "medium",
        "escalating_conflict",
        "又吵 (?:经常|天天)吵 三番五次 越闹越凶 越吵越凶 闹得越来越 说了(?:好|很)?多(?:少)?(?:次|回) 一直闹 "
        "(?:吵|闹)了好几年 骂街 (?:吵|闹)了?好几(?:次|回|架) "
        "说了?好几(?:次|回|遍)了?(?:都|也|还)?(?:不听|不管用|没用|不改) 说了?也不听 说也不听 屡说不改",
    ),
    ("medium", "injured_cared_for", "(?:撞|打|砍|伤|摔).{0,10}?(?:在医院|住院了?|送医院|送到医院|抢救)"),
    (
        "medium",
        "utilities_cut",
        "断水断电 断了?(?:我|俺)家的?(?:水|电) 停水停电 掐了?(?:我|俺)家的?电 拉了?(?:我|俺)家的?闸",
    ),
    # --- low (blue): tension ---
    ("low", "quarrel", "吵架 吵起来 吵了一架 骂人 骂(?:我|俺) 闹矛盾 有矛盾 不讲理 扯皮 闹翻 上访 信访"),
)

_COMPILED: tuple[tuple[int, str, re.Pattern[str]], ...] = tuple(
    (level_rank(level), label, re.compile("|".join(alternatives.split()))) for level, label, alternatives in _CUES
)

_NEGATED_BEFORE = re.compile(
    r"(?<!会)(?<!有)(?<!能)(?:没有|没|不会|并没有|并没|从没有|从没|从来没有|从来没|从未|未曾|未|不曾|不再|没再|不是)"
    r"(?:人|谁)?"
    r"(?:(?:跟|和|对|与|同|向)(?:他们|她们|他|她|人|我们|我|俺|对方|邻居|谁))?"
    r"(?:再|敢|真的|真|会|有|想|要)?$"
)

# Someone else's story: news, videos, rumours about strangers. Without the speaker in it, it is not a report.
_HEARSAY = re.compile(
    r"新闻|报道|视频|抖音|快手|电视(?!机)|电视剧|电影|小说|游戏里|听说|据说|听人说|网上说|刷到|看到说|书上"
)
# Stories on a screen or a stage: whoever watches, nobody is in danger ("剧里那个女的跳崖了").
_FICTION = re.compile(r"剧里|戏里|电视里|电影里|游戏里|小说里|视频里|新闻里|书里|动画片|追剧|唱戏|傩戏|演的|拍戏")
_FIRST_PERSON = re.compile(r"我|俺|咱|本人|自家")
# Over and done with: a past time and a resolution, and nothing happening now.
_PAST = re.compile(r"小时候|当年|以前|那年|去年|前年|早年|过去|那会儿|年轻时|好几年前|上回")
# Told as already safe now: nobody hurt, the fire out, the child found.
_SAFE_NOW = re.compile(
    r"人都没事|都没事|没人受伤|没伤着人|火(?:已经)?灭了|扑灭了|找着了|找到了|找回来了|已经回来了|平安回来|虚惊一场|是我忘了"
)
_RESOLVED = re.compile(
    r"后来|早就|已经|判完|判了|赔完|赔了|处理完|解决了|找回来|找着了|改好了|没事了|和好了|出来了|过去了"
)
_NOW = re.compile(
    r"现在还|正在|刚才|刚刚|今天|今晚|明天|马上|又(?:打|来|要|说)|还在(?:打|追|闹|门口)|还要|要来|这会儿|眼下"
)

_LEGAL_QUESTION = re.compile(
    r"(?<!得)(?<!受)罪|判几年|判多少年|判多久|怎么判|判刑|犯法|违法|算不算|属于什么|法律规定|法律上|刑法|量刑|坐牢|"
    r"怎么处罚|什么责任|承担什么|怎么认定|构成|法律责任|负责任|罚款|罚不罚|会不会被抓|拘留|定性|论文"
)
_SITUATIONAL = re.compile(
    r"我|俺|咱|本人|(?<!其)(?<!吉)[他她](?!人)|老公|丈夫|男人|媳妇|老婆|儿子|(?<!妇)女儿|闺女|爹|娘|爸|妈|公公|婆婆|"
    r"邻居|对方|现在|正在|刚才|刚刚|马上|今天|昨天|昨晚|今晚|明天|救命|快来"
)


@dataclass(frozen=True)
class RiskCue:
    """One reason the level was raised; offsets and ``text`` refer to the caller's original message.

    ``label`` is a cue label of this module, or ``"model"`` when the trained model raised the level.
    """

    level: str
    label: str
    start: int
    end: int
    text: str


def is_abstract_question(view: str) -> bool:
    """A question about the law with nobody in it: no speaker, no person, no here-and-now."""
    return bool(_LEGAL_QUESTION.search(view)) and not _SITUATIONAL.search(view)


# Asked for a class, a paper or an exam: about the law, whoever asks.
_ACADEMIC = re.compile(r"写论文|论文|法学院|考试题|课题|毕业设计|老师布置")


def is_academic(view: str) -> bool:
    return bool(_ACADEMIC.search(view))


def is_hearsay(view: str) -> bool:
    """About strangers in the news or a rumour with the speaker nowhere in it, or a story on a screen."""
    return (bool(_HEARSAY.search(view)) and not _FIRST_PERSON.search(view)) or bool(_FICTION.search(view))


def is_over(view: str) -> bool:
    """Told as the past and settled ("小时候走丢过一回 后来找回来了") or as safe now ("火灭了 人都没事"),
    with nothing happening now."""
    if _NOW.search(view):
        return False
    return bool(_SAFE_NOW.search(view)) or (bool(_PAST.search(view)) and bool(_RESOLVED.search(view)))


# A threat is an emergency when it has a time, a weapon or the threatener at hand; otherwise it is high.
_IMMINENT = re.compile(
    r"今晚|今天|明天|马上|现在|一会|等会|待会|天黑|半夜|晚上|这就|立刻|正在|门口|堵在|来了|拿着|拎着|提着|"
    r"刀|斧|枪|汽油|棍|铁锹|叫了人|带人|带着人|找上门|在外面|又来"
)
# Violence told as happening before ("去年他拿刀砍过我", "一不顺心就掐我脖子"): high, unless it is back now.
_BEFORE = re.compile(
    r"(?:砍|打|掐|捅|推|踢|烧|点)过|前天|上回|上次|那回|那天|去年|前年|以前|一不顺心就|动不动就|有两回|好几回|每次|"
    r"总有|两三回|隔三差五|时不时|脾气上来就|上周|上礼拜|上个月|上个星期"
)
_VIOLENT_LABELS = frozenset({"weapon", "violence_now"})


def _adjusted_rank(label: str, rank: int, view: str) -> int:
    high = level_rank("high")
    if label == "threat_kill" and not _IMMINENT.search(view):
        return min(rank, high)
    if label in _VIOLENT_LABELS and _BEFORE.search(view) and not _NOW.search(view):
        return min(rank, high)
    return rank


def find_cues(view: str) -> list[tuple[int, int, int, str]]:
    """Cues in a normalised, space-free view as ``(start, end, rank, label)``, overlaps resolved, in text order."""
    found: list[tuple[int, int, int, str]] = []
    for rank, label, pattern in _COMPILED:
        for m in pattern.finditer(view):
            if m.end() > m.start() and not _NEGATED_BEFORE.search(view, max(0, m.start() - 12), m.start()):
                found.append((m.start(), m.end(), _adjusted_rank(label, rank, view), label))
    # Highest level first, then longest: the greedy pass keeps the most telling cue for each stretch of text.
    found.sort(key=lambda c: (-c[2], -(c[1] - c[0]), c[0]))
    kept: list[tuple[int, int, int, str]] = []
    for cue in found:
        if all(cue[1] <= k[0] or cue[0] >= k[1] for k in kept):
            kept.append(cue)
    kept.sort()
    return kept


def level_name(rank: int) -> str:
    return RISK_ORDER[rank]
