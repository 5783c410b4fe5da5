"""The kiosk, the staff console and the hotline assist page in real headless Chromium, on the real stack.

Each test is what a person does on the page: a villager taps a topic and files a case, a
mediator works a case to closed, a hotline agent types a call and files it. The pages run
under the production Content-Security-Policy; any script error, CSP refusal or off-site request
fails the test. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, Request, expect, sync_playwright
from sqlalchemy import select

from cases import CaseIntake, open_store
from cases.models import AssistEvent, Case, User
from cases.rights import request_deletion
from cases.staff import add_user
from tests.e2e.browser import CHROMIUM, LAUNCH_ARGS, ensure_chromium, open_page, screenshot
from tests.e2e.conftest import Stack
from tests.resident_codes import sent_code

pytestmark = pytest.mark.integration

PASSWORD = "pages-test-password"
CASE_NUMBER = re.compile(r"^\d{4}-[A-Z0-9]+-\d{6}$")
#: A village no roster covers: overdue cases stay with their assignee instead of going up.
VILLAGE = "pages-test-village"


@pytest.fixture(scope="module")  # Playwright's sync API runs an event loop until it stops
def browser() -> Iterator[Browser]:
    ensure_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def staff(stack: Stack) -> dict[str, str]:
    """One admin, one mediator and one hotline agent, with names no other test uses."""
    suffix = uuid.uuid4().hex[:6]
    names = {role: f"pages-{role}-{suffix}" for role in ("admin", "mediator", "hotline")}
    store = open_store(stack.database_url)
    with store.session() as session:
        for role, username in names.items():
            add_user(session, username=username, role=role, password=PASSWORD, display_name=username)
        session.commit()
    return names


def px(page: Page, selector: str) -> float:
    return float(page.locator(selector).first.evaluate("el => parseFloat(getComputedStyle(el).fontSize)"))


def chat_users(page: Page) -> list[str]:
    """Every user_id the page sends to /v1/chat, in order."""
    seen: list[str] = []

    def on_request(request: Request) -> None:
        if request.url.endswith("/v1/chat") and request.method == "POST":
            seen.append(json.loads(request.post_data or "{}")["user_id"])

    page.on("request", on_request)
    return seen


def answered(page: Page) -> None:
    """The page is busy from the tap until the answer is on screen."""
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bbusy\b"), timeout=90_000)


def tap_topic(page: Page, title: str) -> None:
    page.locator("#topics").get_by_role("button", name=title, exact=True).click()
    answered(page)


def say(page: Page, text: str) -> None:
    page.fill("#text", text)
    page.click("#send")
    answered(page)


def last_answer(page: Page) -> Locator:
    return page.locator("#conversation .bubble.bot").last


def test_kiosk_answers_files_a_case_and_forgets_the_visitor(stack: Stack, browser: Browser) -> None:
    page, watch = open_page(browser, stack.base_url, width=1080, height=1920)  # a portrait kiosk screen
    users = chat_users(page)
    page.goto(f"{stack.base_url}/kiosk")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    assert page.get_attribute("body", "data-idle-reset-s") == "120"
    assert px(page, "body") >= 28 and px(page, "#topics button") >= 28

    # A legal question from a topic button: a plain answer, its sources named, exact text one tap away.
    tap_topic(page, "土地")
    citation = last_answer(page).locator(".citation").first
    expect(citation.locator("summary")).to_contain_text("第")
    source_text = citation.locator(".source-text")
    expect(source_text).to_be_hidden()
    citation.locator("summary").click()
    expect(source_text).to_be_visible()
    assert len(source_text.inner_text()) > 10

    # 找调解员 → the intake form → a case number shown large. The form skips what it already knows
    # (the land question usually tells it the kind of matter), so the test answers what it is asked.
    tap_topic(page, "找调解员")
    # The personal-information notice is on screen before the first personal question.
    bubbles = page.locator("#conversation .bubble.bot").all_inner_texts()
    notice = next(i for i, text in enumerate(bubbles) if "登记前说明" in text)
    assert notice < len(bubbles) - 1 and not any("称呼" in text for text in bubbles[:notice])
    answers = {
        "称呼": "王大山",
        "电话": "13912345678",
        "哪个村": "青石湾村",
        "发生了什么": "村里要把俺家承包的地收回去，说是要搞建设，也没给补偿",
        "对方": "村委会",
    }
    for _ in range(8):
        asked = last_answer(page).inner_text()
        if "请核对" in asked:
            break
        if "哪方面" in asked:  # the topic question comes with buttons: tap one
            last_answer(page).get_by_role("button", name="土地承包", exact=True).click()
            answered(page)
            continue
        key = next((k for k in answers if k in asked), None)
        assert key, f"unexpected question from the intake form: {asked}"
        say(page, answers.pop(key))
    expect(last_answer(page)).to_contain_text("请核对")
    last_answer(page).get_by_role("button", name="确认提交").click()
    answered(page)
    number_box = page.locator("#case-number")
    expect(page.locator("#case")).to_be_visible()
    number = number_box.inner_text().strip()
    assert CASE_NUMBER.match(number), number
    assert px(page, "#case-number") >= 80
    case = open_store(stack.database_url).get(number)
    assert case.channel == "kiosk" and case.resident_name == "王大山" and case.resident_phone == "13912345678"
    assert case.dispute_type == "land_contract"
    screenshot(page, "kiosk-case.png")

    # Danger words: 110/120 in red, impossible to miss.
    say(page, "他拿着刀冲过来了说要砍死我")
    expect(page.locator("#emergency")).to_be_visible()
    expect(page.locator("#emergency")).to_contain_text("110")
    danger = page.locator("#conversation .bubble.danger").last
    expect(danger).to_contain_text("110")
    assert "登记前说明" not in danger.inner_text()  # never a notice before 110
    expect(danger).to_contain_text("120")
    screenshot(page, "kiosk-emergency.png")

    # Input the API refuses (only control characters): a message in plain words, not a blank screen.
    say(page, "\u0007\u0007")
    expect(page.locator("#conversation .bubble.error").last).to_contain_text("请检查")

    # Clear: nothing of this visitor stays on screen, and the next one starts a new conversation.
    before = set(users)
    assert len(before) == 1
    page.click("#clear")
    expect(page.locator("#conversation > *")).to_have_count(0)
    expect(page.locator("#case")).to_be_hidden()
    expect(page.locator("#emergency")).to_be_hidden()
    assert page.locator("#case-number").inner_text() == "" and page.input_value("#text") == ""
    tap_topic(page, "赡养")
    assert users[-1] not in before
    expect(last_answer(page).locator(".citation").first).to_be_visible()
    expect(page.locator("#emergency")).to_be_hidden()  # the new visitor's conversation is not an emergency

    # Idle: warned, then cleared without a touch, then a new visitor id again.
    page.goto(f"{stack.base_url}/kiosk?idle=8")
    expect(page.locator("body")).to_have_attribute("data-idle-reset-s", "8")
    tap_topic(page, "婚姻家庭")
    used = users[-1]
    expect(page.locator("#idle-warning")).to_be_visible(timeout=10_000)
    expect(page.locator("#conversation > *")).to_have_count(0, timeout=10_000)
    expect(page.locator("#idle-warning")).to_be_hidden()
    say(page, "你好")
    assert users[-1] != used
    watch.assert_clean()
    page.context.close()


def _file_and_assign(stack: Stack, staff: dict[str, str]) -> list[str]:
    """Three cases for the mediator: overdue, emergency (15-minute SLA) and ordinary (24 hours)."""
    store = open_store(stack.database_url)
    now = datetime.now(timezone.utc)
    common = {"channel": "wechat", "requested": "mediation", "village_id": VILLAGE, "phone": "13700001111"}
    overdue = store.create(
        CaseIntake(description="邻居占道堆柴火，说了不听", dispute_type="neighbor", resident_name="赵大娘", **common),
        now=now - timedelta(hours=30),
    ).number
    ordinary = store.create(
        CaseIntake(
            description="弟弟不出赡养费，老母亲没人管", dispute_type="support_elderly", resident_name="钱二哥", **common
        )
    ).number
    urgent = store.create(
        CaseIntake(
            description="丈夫喝酒后动手打人", dispute_type="marriage_family", risk_level="emergency",
            resident_name="孙三妹", **common,
        )
    ).number  # fmt: skip
    with httpx.Client(base_url=stack.base_url, timeout=60) as client:
        token = client.post("/v1/auth/token", json={"username": staff["admin"], "password": PASSWORD}).json()
        admin = {"Authorization": f"Bearer {token['access_token']}"}
        for number in (overdue, ordinary, urgent):
            assert client.post(f"/v1/cases/{number}/transitions", json={"to": "assessed"}, headers=admin).is_success
            response = client.post(f"/v1/cases/{number}/assign", json={"username": staff["mediator"]}, headers=admin)
            assert response.status_code == 200, response.text
    return [overdue, urgent, ordinary]  # soonest deadline first


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.fill("#login-username", username)
    page.fill("#login-password", password)
    page.click("#login-form button[type=submit]")


def test_console_works_a_case_from_queue_to_closed(stack: Stack, browser: Browser, staff: dict[str, str]) -> None:
    expected_order = _file_and_assign(stack, staff)
    page, watch = open_page(browser, stack.base_url, width=1440, height=1000)
    page.goto(f"{stack.base_url}/console")
    expect(page.locator("#login")).to_be_visible()
    log_in(page, staff["mediator"], "not-the-password")
    expect(page.locator("#login-error")).to_contain_text("用户名或密码不对")
    log_in(page, staff["mediator"])

    # The queue, soonest deadline first; the overdue case stands out.
    rows = page.locator("#queue tr")
    expect(rows).to_have_count(3)
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.caseId)") == expected_order
    overdue_row = rows.nth(0)
    expect(overdue_row).to_have_class(re.compile(r"\boverdue\b"))
    expect(overdue_row).to_contain_text("已超时")
    expect(rows.nth(1)).not_to_have_class(re.compile(r"\boverdue\b"))
    screenshot(page, "console-queue.png")

    # Open the ordinary case: details and history.
    number = expected_order[2]
    page.get_by_role("link", name=number).click()
    expect(page.locator("#case-number")).to_have_text(number)
    expect(page.locator("#case-status")).to_have_text("已交办")
    expect(page.locator("#case-fields")).to_contain_text("13700001111")  # the assignee sees it unmasked
    history = page.locator("#history")
    expect(history).to_contain_text("立案")
    expect(history).to_contain_text(f"交给 {staff['mediator']}")

    def offered() -> list[str]:
        return page.locator("#transition-buttons button").evaluate_all("bs => bs.map(b => b.dataset.to)")

    def move(target: str, label: str, note: str = "") -> None:
        if note:
            page.fill("#transition-note", note)
        page.locator(f"#transition-buttons button[data-to={target}]").click()
        expect(page.locator("#case-status")).to_have_text(label)

    assert offered() == ["in_progress"]  # only what the lifecycle allows from 已交办
    page.fill("#note-text", "已电话联系钱二哥，约好周三上门")
    page.click("#note-form button[type=submit]")
    expect(history).to_contain_text("已电话联系钱二哥，约好周三上门")
    move("in_progress", "化解中")
    assert offered() == ["resolved", "unresolved"]
    move("resolved", "已化解", note="兄弟俩签了赡养协议，每月各出500元")
    expect(history).to_contain_text("兄弟俩签了赡养协议")
    move("follow_up", "回访中")
    expect(page.locator("#transition-form")).to_be_hidden()
    expect(page.locator("#followup-form")).to_be_visible()

    # Follow-up: no closing without the resident's satisfaction.
    page.click("#close-case")
    expect(page.locator("#flash")).to_contain_text("满意度")
    page.check("#followup-form input[name=satisfaction][value='4']")
    page.fill("#followup-comment", "老人说钱按时到了")
    page.click("#close-case")
    expect(page.locator("#case-status")).to_have_text("已办结")
    expect(page.locator("#followup-form")).to_be_hidden()
    expect(page.locator("#case-fields")).to_contain_text("4 / 5")
    expect(history).to_contain_text("回访中 → 已办结")
    screenshot(page, "console-case.png")
    closed = open_store(stack.database_url).get(number)
    assert closed.status == "closed" and closed.satisfaction == 4 and closed.satisfaction_comment == "老人说钱按时到了"

    # An account disabled mid-session: the next call answers 401 and the page goes back to login, wiped.
    store = open_store(stack.database_url)
    with store.session() as session:
        session.scalar(select(User).where(User.username == staff["mediator"])).active = 0
        session.commit()
    page.click("#back")
    expect(page.locator("#login")).to_be_visible()
    expect(page.locator("#login-error")).to_contain_text("重新登录")
    expect(page.locator("#queue tr")).to_have_count(0)
    assert page.evaluate("() => sessionStorage.length") == 0
    watch.assert_clean()
    page.context.close()


def test_admin_acts_on_residents_deletion_requests_and_legal_holds_are_shown(
    stack: Stack, browser: Browser, staff: dict[str, str]
) -> None:
    store = open_store(stack.database_url)
    numbers = []
    for closed in (True, False):
        number = store.create(
            CaseIntake(
                description="娘的地叫人占了",
                channel="web",
                requested="mediation",
                dispute_type="land_contract",
                resident_name="何秀英",
                phone="13722223333",
            )  # fmt: skip
        ).number
        with store.session() as session:
            case = session.scalar(select(Case).where(Case.number == number))
            if closed:
                case.status = "closed"
            request_deletion(session, case, datetime.now(timezone.utc))
            session.commit()
        numbers.append(number)
    done, open_one = numbers
    page, watch = open_page(browser, stack.base_url, width=1440, height=1000)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{stack.base_url}/console")
    log_in(page, staff["admin"])
    expect(page.locator("#deletions")).to_be_visible()
    held_row = page.locator(f"#deletion-list tr[data-case-id='{open_one}']")
    expect(held_row).to_contain_text("办理中")
    expect(held_row.locator("button.erase")).to_be_disabled()
    page.locator(f"#deletion-list tr[data-case-id='{done}'] button.erase").click()
    expect(page.locator("#flash")).to_contain_text(f"{done} 的个人信息已删除")
    expect(page.locator(f"#deletion-list tr[data-case-id='{done}']")).to_have_count(0)
    assert store.get(done).resident_phone is None and store.get(open_one).resident_phone == "13722223333"
    watch.assert_clean()
    page.context.close()


def test_a_resident_sees_and_asks_to_delete_their_data_with_a_code(stack: Stack, browser: Browser) -> None:
    store = open_store(stack.database_url)
    number = store.create(
        CaseIntake(
            description="儿子儿媳不给养老钱",
            channel="kiosk",
            requested="mediation",
            dispute_type="support_elderly",
            resident_name="邱老汉",
            phone="13566667777",
        )  # fmt: skip
    ).number

    page, watch = open_page(browser, stack.base_url, width=414, height=896)  # a phone
    page.goto(f"{stack.base_url}/my-data")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    page.fill("#case-id", number)
    page.fill("#last4", "0000")
    page.click("#ask-form button[type=submit]")
    expect(page.locator("#flash")).to_contain_text("不对")
    page.fill("#last4", "7777")
    page.click("#ask-form button[type=submit]")
    expect(page.locator("#sent-to")).to_contain_text("手机")
    page.fill("#code", sent_code(store, number))
    page.click("#code-submit")
    expect(page.locator("#fields")).to_contain_text("13566667777")
    expect(page.locator("#fields")).to_contain_text("儿子儿媳不给养老钱")

    page.reload()
    page.fill("#case-id", number)
    page.fill("#last4", "7777")
    page.check("input[name=purpose][value=delete]")
    page.click("#ask-form button[type=submit]")
    expect(page.locator("#sent-to")).to_contain_text("手机")  # the new code is out before it is read
    page.fill("#code", sent_code(store, number))
    page.click("#code-submit")
    expect(page.locator("#result-title")).to_contain_text("办理中")  # an open case: deleted when it closes
    assert store.get(number).context.get("deletion_requested_at")
    watch.assert_clean()
    page.context.close()


def test_assist_page_suggests_records_use_and_files_the_call(
    stack: Stack, browser: Browser, staff: dict[str, str]
) -> None:
    page, watch = open_page(browser, stack.base_url, width=1440, height=1000)
    calls: list[dict] = []
    page.on(
        "request",
        lambda r: calls.append(json.loads(r.post_data or "{}")) if r.url.endswith("/v1/assist") else None,
    )
    page.goto(f"{stack.base_url}/console/assist")
    log_in(page, staff["hotline"])
    expect(page.locator("#app")).to_be_visible()

    # Pasted at once: a prefix marks the agent's line, the rest are the caller's.
    page.fill(
        "#line-text",
        "喂，你好，俺是青石湾村的张秀英\n坐席: 您好，您慢慢说，什么事？\n包工头欠俺工钱三万块，一年多了一直不给",
    )
    page.click("#line-form button[type=submit]")
    expect(page.locator("#lines li")).to_have_count(3)
    expect(page.locator("#lines li.agent")).to_have_count(1)
    page.fill("#line-text", "俺电话是13812345678")
    page.press("#line-text", "Enter")
    expect(page.locator("#lines li")).to_have_count(4)

    expect(page.locator("#cf-phone")).to_have_value("13812345678", timeout=30_000)
    expect(page.locator("#suggestions li").first).to_be_visible()
    expect(page.locator("#drafts li").first).to_be_visible()
    expect(page.locator("#meta")).to_contain_text("纠纷类型")
    expect(page.locator("#meta")).not_to_contain_text("null")
    # A wage question: no clause of the village's rules is an honest source (the banquet rule
    # used to be cited here on the strength of a shared "不").
    expect(page.locator("#suggestions")).not_to_contain_text("村规民约")
    call_id = calls[-1]["call_id"]
    assert calls[-1]["transcript"][1] == {"speaker": "agent", "text": "您好，您慢慢说，什么事？"}
    assert len(calls) <= 3  # debounced: not one request per keystroke or per pasted line

    # Using a draft and citing a suggestion are recorded for the usefulness measure.
    def use(item: Locator, button: str) -> str:
        with page.expect_response(lambda r: r.url.endswith("/v1/assist/feedback")) as feedback:
            item.get_by_role("button", name=button).click()
        assert feedback.value.ok, feedback.value.text()
        expect(item).to_have_class(re.compile(r"\bused\b"))
        return item.get_attribute("data-ref") or ""

    draft_ref = use(page.locator("#drafts li").first, "用这条")
    suggestion_ref = use(page.locator("#suggestions li").first, "引用")

    def events() -> set[tuple[str, str]]:
        with open_store(stack.database_url).session() as session:
            rows = session.scalars(select(AssistEvent).where(AssistEvent.call_id == call_id)).all()
            return {(row.kind, row.ref or "") for row in rows}

    recorded = events()
    assert ("draft_used", draft_ref) in recorded and ("suggestion_used", suggestion_ref) in recorded

    # The agent corrects the name, then files: the number appears, the case is in the store.
    page.fill("#cf-name", "张秀英")
    page.click("#file-case")
    expect(page.locator("#filed")).to_be_visible(timeout=30_000)
    number = page.locator("#filed-number").inner_text().strip()
    assert CASE_NUMBER.match(number), number
    case = open_store(stack.database_url).get(number)
    assert case.resident_phone == "13812345678" and case.resident_name == "张秀英" and case.channel == "hotline"
    screenshot(page, "assist.png")

    # A new call starts clean.
    page.click("#new-call")
    expect(page.locator("#lines li")).to_have_count(0)
    expect(page.locator("#filed")).to_be_hidden()
    assert page.input_value("#cf-phone") == ""

    # Danger on the line: a red banner with 110/120 above everything else.
    page.fill("#line-text", "他喝了酒拿着菜刀在门口，说要砍死俺")
    page.press("#line-text", "Enter")
    banner = page.locator("#risk-banner")
    expect(banner).to_be_visible(timeout=30_000)
    expect(banner).to_contain_text("110")
    expect(banner).to_have_class(re.compile(r"\bbanner-emergency\b"))
    # The urgent case is filed the moment the call turns red, and the banner says which.
    expect(banner).to_contain_text("已自动登记紧急案件")
    urgent = re.search(r"\d{4}-[A-Z0-9]+-\d{6}", banner.inner_text())
    assert urgent and open_store(stack.database_url).get(urgent.group(0)).handler_role == "emergency"
    expect(page.locator("#drafts li").first).to_contain_text("别挂电话")
    assert calls[-1]["call_id"] != call_id  # a new call id: nothing carried over
    watch.assert_clean()
    page.context.close()
