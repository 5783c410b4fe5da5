"""Every sentence that gets a resident to a person: 110/120, the local contacts, 12348, the wait, the call back.

The chat's emergency action, the gateway's degraded mode, WeChat, the hotline assist, the consent
notice, the legal answers and the API's errors all take these words from here, so a resident hears
the same instruction wherever they are, and a change (a new local number, better wording from the
county centre, a longer wait before the duty officer calls) is made in one place.

One module rather than a separate ``triage.wording`` next to this one: the danger line and the
hotline fallback are usually one sentence ("急事请拨打12348…，有危险请马上拨打110"), and the call
back promised after an emergency is part of what a person in danger is told, so splitting them
would split sentences. It sits in ``triage`` because triage imports nothing of ours: ``cases``,
``knowledge``, ``assist``, ``actions`` and ``api`` can all take their words from below.
``tests/triage/test_safety_wording.py`` fails when one of these sentences is written out anywhere else.
"""

from __future__ import annotations

from datetime import timedelta

__all__ = [
    "AGENT_EMERGENCY_STEPS",
    "ASK_EMERGENCY_PHONE",
    "CALL_HOTLINE",
    "DANGER_CALL_110",
    "EMERGENCY_FIRST_LINE",
    "SELF_HARM_LINE",
    "TOO_MANY_STATUS_TRIES",
    "URGENT_CALLS",
    "emergency_already_filed",
    "emergency_filed",
    "emergency_lines",
    "emergency_phone_added",
    "hotline_emergency_handoff",
    "hotline_safety_script",
    "is_self_harm",
    "local_contacts_line",
    "promise_to_call",
    "too_fast",
    "too_many",
]

EMERGENCY_FIRST_LINE = "情况紧急！请马上拨打110报警；有人受伤请拨打120。先保证自己和家人的安全，离开危险的人和地方。"
#: Said after the first line when the danger is to the resident's own life: a person, not a procedure.
SELF_HARM_LINE = (
    "您的命比什么都要紧，事情再难也有人帮您想办法。请把药、绳子、刀这些东西放远一点，"
    "马上给家里人或者邻居打个电话，让人来陪着您；也可以拨打心理援助热线12356。"
)
#: What a hotline agent is told to do first when a call turns dangerous (a note to the agent, not a script).
AGENT_EMERGENCY_STEPS = "先让来电人拨打110/120，再登记为紧急事件"

#: The way to a person when the assistant cannot help: a verb phrase, so it reads after "或" or "也可以".
CALL_HOTLINE = "拨打12348公共法律服务热线"
#: Said wherever the assistant is not the one helping right now; no trailing punctuation, like ``CALL_HOTLINE``.
DANGER_CALL_110 = "有危险请马上拨打110"
#: When the assistant is down, slow or could not save: who to call meanwhile, a matter or a danger.
URGENT_CALLS = f"急事请{CALL_HOTLINE}，{DANGER_CALL_110}。"
#: The chat's status lookup stops guessing after a few wrong tries (the last four digits are a weak secret).
TOO_MANY_STATUS_TRIES = f"查询次数太多了，为了保护大家的信息，请联系村调解员，或{CALL_HOTLINE}查询。"
#: Asked after the emergency case is filed without a number: the duty officer has to reach somebody.
ASK_EMERGENCY_PHONE = "如果方便，请在这里留一个电话号码，方便值班人员找到您。"


def is_self_harm(cue_labels: tuple[str, ...] | list[str]) -> bool:
    """Whether the cues (``level:label``) include self-harm."""
    return any(label.endswith(":self_harm") for label in cue_labels)


def local_contacts_line(contacts: str) -> str | None:
    """The county's own numbers (``CUNFA_EMERGENCY_CONTACTS``) after 110/120; None when none are set."""
    return f"本地紧急联系：{contacts}" if contacts.strip() else None


def emergency_lines(contacts: str = "", *, self_harm: bool = False) -> list[str]:
    """The lines that open every emergency reply to a resident, in order."""
    lines = [EMERGENCY_FIRST_LINE]
    if self_harm:
        lines.append(SELF_HARM_LINE)
    local = local_contacts_line(contacts)
    if local:
        lines.append(local)
    return lines


def hotline_safety_script(contacts: str = "", *, self_harm: bool = False) -> str:
    """What a hotline agent reads first in an emergency: keep the caller talking, then 110/120."""
    if self_harm:
        first = "您先别挂电话，我一直在这儿陪着您。您现在在哪儿？身边有人吗？先把药和绳子、刀这些东西放远一点。"
    else:
        first = "您先别挂电话，我一直在听。您现在安全吗？能不能先躲到安全的地方、锁上门？"
    local = local_contacts_line(contacts)
    tail = f"{local}。" if local else ""
    return f"{first}请马上拨打110；有人受伤或者吃了药、喝了农药，马上拨打120，我可以帮您一起打。{tail}"


def _within(delay: timedelta) -> str:
    minutes = int(delay.total_seconds() // 60)
    return f"{minutes}分钟内" if minutes < 60 else f"{minutes // 60}小时内"


def promise_to_call(handler_role: str, delay: timedelta) -> str:
    """Who will call the resident and by when (``cases.routing`` knows the roles' deadlines)."""
    when = _within(delay)
    return {
        "emergency": f"值班人员会在{when}联系您",
        "lawyer": f"村法律顾问（律师）会在{when}给您打电话",
        "legal_aid": f"法律援助中心的工作人员会在{when}给您打电话，核对是否符合援助条件",
        "mediator": f"人民调解员会在{when}给您打电话",
    }.get(handler_role, f"工作人员会在{when}给您打电话")


def emergency_filed(number: str, promise: str) -> str:
    """Told once the emergency case is in the store, after the numbers to call."""
    return f"我已把情况登记为紧急案件（编号 {number}），{promise}。"


def emergency_already_filed(number: str) -> str:
    """A second cry for help in the same half hour: the open case, not a new one."""
    return f"您的紧急求助已登记（编号 {number}），值班人员正在处理。"


def emergency_phone_added(number: str) -> str:
    """The number the resident gave after the emergency reached the case."""
    return f"已把电话记到紧急案件 {number} 上，值班人员会打这个号码找您。"


def hotline_emergency_handoff(promise: str) -> str:
    """What a hotline agent may say once the emergency is being filed."""
    return f"我现在就把您的情况登记成紧急事件，{promise}。您保持电话畅通，先到安全的地方。"


def too_fast(wait_s: int) -> str:
    """A resident sends faster than the per-user limit (a cry for help is never limited)."""
    return f"您发得太快了，请{wait_s}秒后再发。急事请拨打110或12348。"


def too_many(what: str, wait_s: float) -> str:
    """The API's 429 message ("too many lookups; …"), English like the API's other errors, with the hotline."""
    seconds = int(wait_s)
    if seconds >= 60 and seconds % 60 == 0:
        minutes = seconds // 60
        when = f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"
    else:
        when = f"{seconds} s"
    return f"too many {what}; try again in {when} or call 12348"
