"""Whether a message asks a question or asks for a person.

"俺没正经工作 就在家种地 会不会因为这个把娃判给他" tells a story and asks what the law says: it wants
an answer. "帮俺登记一下" or "我想找个律师" wants a person. The NLU classifier, trained on handoff
requests that often carry a story, sends many story-shaped questions to the intake form; this
rule, read by ``rasa_components.question_router``, sends a question without any request for a
person back to the answer. The hotline assist reads the same words the same way.
"""

from __future__ import annotations

import re

from triage.text import normalize

__all__ = ["asks_about_a_case", "asks_rather_than_requests"]

# A request for a person or for the case to be registered: the resident wants someone to act.
_REQUEST = re.compile(
    r"我要|俺要|咱要|我想找|俺想找|想找个|找个|找人|给我找|给俺找|帮我找|帮俺找|帮我|帮俺|帮忙|帮帮|请你们|你们给|你们得|"
    r"登记|反映|投诉|举报|立案|上报|报个|处理一下|管管|做主|告状|派人|派个|来人|申请法律援助|要法律援助|找律师|找调解|"
    r"联系|约|预约|来给|来俺家|来我家|来村里|组织|调解一下|能调解|调解不|说和|评评理|坐班|上门"
)
# A question: particles, question words, "…不" / "…没" at the end, "能不能" shapes.
_QUESTION = re.compile(
    r"[?？]|吗|么|嘛$|呢$|不$|没$|没有$|不了$|能不能|会不会|可不可以|是不是|算不算|有没有|要不要|该不该|行不行|中不中|"
    r"咋|怎么|怎样|如何|多少|多久|多长|哪|谁|啥|什么|(?<![十好这那])几(?![十百千万])"
)


# Asking after a case already filed: its number, its progress.
_CASE_STATUS = re.compile(
    r"\d{4}-[A-Za-z0-9]+-\d|案件|案子|编号|进度|进展|办到|办得|处理到|有结果|啥结果|受理|登记的|尾号|回执|查一下|查查|"
    r"(?:我|俺)(?:报|反映|申请|登记)的|报的那个|批了|审核|通过了|转到哪|转上去|在办|谁在办|有人管没|没人联系|"
    r"没给(?:我|俺)打电话|还没来|咋还没|啥时候能有"
)


def asks_about_a_case(text: str) -> bool:
    """Whether a message asks about a case already filed (a number, progress), not about the law."""
    return bool(_CASE_STATUS.search(normalize(text or "").replace(" ", "")))


def asks_rather_than_requests(text: str) -> bool:
    """True when the message asks a question and nowhere asks for a person or for a case to be filed."""
    view = normalize(text or "").replace(" ", "")
    return bool(view) and bool(_QUESTION.search(view)) and not _REQUEST.search(view)
