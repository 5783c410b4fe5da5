"""The resident's receipt (受理回执): a printable page with what was recorded and what happens next."""

from __future__ import annotations

from html import escape
from string import Template

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from api.deps import StateDep
from api.routes.cases import STATUS_LIMIT
from cases.intake import DISPUTE_TYPES
from cases.models import Case
from cases.routing import contact_promise
from cases.workflow import status_label
from triage import DISPUTE_TYPE_LABELS, mask_identifiers, mask_phone
from triage.safety import CALL_HOTLINE, DANGER_CALL_110, too_many

router = APIRouter(tags=["cases"])
#: The receipt's last line: a printed page is kept for weeks, so it says where to turn, not only what happened.
HELP = f"如有疑问请{CALL_HOTLINE}。{DANGER_CALL_110}。"

PAGE = Template("""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>受理回执 $number</title>
<style>
body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;max-width:44em;margin:2em auto;padding:0 1em;
font-size:18px;line-height:1.6;color:#111}
h1{font-size:1.6em;text-align:center;margin-bottom:.2em}.number{font-size:1.5em;font-weight:bold;text-align:center}
table{border-collapse:collapse;width:100%;margin:1em 0}td,th{border:1px solid #444;padding:.4em .6em;text-align:left;
vertical-align:top}th{width:7em;background:#f2f2f2}
blockquote{margin:.3em 0 .8em;padding-left:.8em;border-left:3px solid #999}
.note{font-size:.9em;color:#333}@media print{button{display:none}}
</style></head><body>
<h1>村法助手 受理回执</h1>
<p class="number">案件编号：$number</p>
<table>
<tr><th>受理时间</th><td>$created</td></tr>
<tr><th>当前进度</th><td>$status</td></tr>
<tr><th>称呼</th><td>$name</td></tr>
<tr><th>联系电话</th><td>$phone</td></tr>
<tr><th>村</th><td>$village</td></tr>
<tr><th>事情类型</th><td>$dispute</td></tr>
<tr><th>事情经过</th><td>$description</td></tr>
<tr><th>对方</th><td>$counterparty</td></tr>
</table>
<h2>下一步</h2>
<p>$promise，最迟 $due 前。请保持电话畅通。查进度：对助手说“查进度”，报案件编号和电话后四位。</p>
<p>想查看或删除我们登记的您的个人信息：打开本网站的 /my-data 页面，凭案件编号、电话后四位和验证码办理。</p>
$citations
<p class="note">本回执由村法助手自动生成。以上法律规定仅供参考，不是针对个案的法律意见；
$help</p>
<button onclick="window.print()">打印</button>
</body></html>""")


@router.get("/receipts/{number}", response_class=HTMLResponse, responses={404: {}, 429: {}})
def receipt(
    number: str,
    request: Request,
    state: StateDep,
    phone_last4: str = Query(..., pattern=r"^\d{4}$", description="Last 4 digits of the phone given at filing"),
) -> HTMLResponse:
    """Printable receipt for the resident (number + last 4 phone digits, rate-limited like the status lookup)."""
    client = request.client.host if request.client else "unknown"
    if not STATUS_LIMIT.allow(client):
        raise HTTPException(429, too_many("lookups", STATUS_LIMIT.window_s))
    store = state.case_store()
    if store.resident_status(number, phone_last4) is None:
        raise HTTPException(404, "no case with that number and phone")
    with store.session() as session:
        case = session.scalar(select(Case).where(Case.number == number.strip().upper()))
        cited = (case.context or {}).get("citations") or []
        blocks = "".join(
            f"<p><b>{escape(str(c.get('title', '')))}{escape(str(c.get('article', '')))}</b></p>"
            f"<blockquote>{escape(str(c.get('text', '')))}</blockquote>"
            for c in cited[:5]
        )
        dispute = case.dispute_type if case.dispute_type in DISPUTE_TYPES else "other"
        html = PAGE.substitute(
            number=escape(case.number),
            created=escape(case.created_at.strftime("%Y-%m-%d %H:%M") + " (UTC)"),
            status=escape(status_label(case.status)),
            name=escape(case.resident_name or "（未填）"),
            phone=escape(mask_phone(case.resident_phone) if case.resident_phone else "（未填）"),
            village=escape(case.village_name or case.village_id or "（未填）"),
            dispute=escape(DISPUTE_TYPE_LABELS.get(dispute, dispute)),
            description=escape(mask_identifiers(case.description)),
            counterparty=escape(case.counterparty or "（未填）"),
            promise=escape(contact_promise(case.handler_role, case.risk_level)),
            due=escape(case.first_contact_due_at.strftime("%Y-%m-%d %H:%M") + " (UTC)"),
            citations=("<h2>相关规定</h2>" + blocks) if blocks else "",
            help=escape(HELP),
        )
    return HTMLResponse(html, headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})
