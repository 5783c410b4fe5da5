"""What is said to a person in danger, worded once for every channel.

The chat's emergency action, the gateway's degraded mode, WeChat and the hotline assist's safety
script all take their words from here, so a resident hears the same instruction wherever they are,
and a change (a new local number, better wording from the county centre) is made in one place.
"""

from __future__ import annotations

__all__ = ["EMERGENCY_FIRST_LINE", "SELF_HARM_LINE", "emergency_lines", "hotline_safety_script", "is_self_harm"]

EMERGENCY_FIRST_LINE = "情况紧急！请马上拨打110报警；有人受伤请拨打120。先保证自己和家人的安全，离开危险的人和地方。"
#: Said after the first line when the danger is to the resident's own life: a person, not a procedure.
SELF_HARM_LINE = (
    "您的命比什么都要紧，事情再难也有人帮您想办法。请把药、绳子、刀这些东西放远一点，"
    "马上给家里人或者邻居打个电话，让人来陪着您；也可以拨打心理援助热线12356。"
)


def is_self_harm(cue_labels: tuple[str, ...] | list[str]) -> bool:
    """Whether the cues (``level:label``) include self-harm."""
    return any(label.endswith(":self_harm") for label in cue_labels)


def local_contacts_line(contacts: str) -> str | None:
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
