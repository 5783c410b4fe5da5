"""The pages as served: configuration in escaped data attributes, CSP-safe markup, nothing off-site.

These run without a browser (seconds); tests/e2e/test_pages_browser.py drives the same pages in
headless Chromium against the real stack.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.routes.pages import WEB_DIR
from cases.routing import HANDLER_ROLES
from cases.workflow import STATUS_LABELS, TRANSITIONS
from cunfa.settings import Settings
from knowledge import KnowledgeBase
from knowledge.villages import VillageStore
from triage.dispute_types import DISPUTE_TYPE_LABELS

PAGES = {"/kiosk": "kiosk", "/console": "console", "/console/assist": "assist", "/my-data": "my-data"}
STATIC = WEB_DIR / "static"
#: Which scripts each page runs (its module and what that imports), for the id cross-check.
PAGE_SCRIPTS = {
    "kiosk": ("kiosk.js", "api.js"),
    "console": ("console.js", "auth.js", "api.js"),
    "assist": ("assist.js", "auth.js", "api.js"),
    "my-data": ("my-data.js", "api.js"),
}


class Page(HTMLParser):
    """What a page is made of: body attributes, ids, scripts, styles, and anything CSP would block."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.body: dict[str, str] = {}
        self.ids: set[str] = set()
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.inline_scripts = 0
        self.inline_styles: list[str] = []
        self.handlers: list[str] = []
        self.topics: dict[str, str] = {}
        self._in_script = False
        self._topic: str | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "body":
            self.body = a
        if "id" in a:
            self.ids.add(a["id"])
        self.handlers += [k for k in a if k.startswith("on")]
        if "style" in a:
            self.inline_styles.append(tag)
        if tag == "style":
            self.inline_styles.append("<style>")
        if tag == "script":
            self._in_script = True
            if "src" in a:
                self.scripts.append(a["src"])
        if tag == "link" and a.get("rel") == "stylesheet":
            self.styles.append(a["href"])
        if tag == "button" and "data-ask" in a:
            self._topic = a["data-ask"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts += 1
        if self._topic is not None and data.strip():
            self.topics[data.strip()] = self._topic
            self._topic = None


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    VillageStore(Settings(data_dir=tmp_path).villages_dir).put("qsw", "青石湾村", "第一条 邻里和睦。\n")
    return Settings(data_dir=tmp_path, kiosk_village_id="qsw", kiosk_idle_reset_s=90)


def client_for(settings: Settings, kb: KnowledgeBase) -> TestClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(503)))
    return TestClient(create_app(settings, knowledge=kb, http_client=http, run_background=False))


@pytest.fixture
def client(settings: Settings, tiny_kb: KnowledgeBase):
    with client_for(settings, tiny_kb) as c:
        yield c


def page(client: TestClient, path: str) -> Page:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert response.headers["cache-control"] == "no-store"
    return Page(response.text)


def test_kiosk_carries_its_village_and_idle_time(client: TestClient) -> None:
    kiosk = page(client, "/kiosk")
    assert kiosk.body["data-page"] == "kiosk"
    assert kiosk.body["data-village-id"] == "qsw" and kiosk.body["data-village-name"] == "青石湾村"
    assert kiosk.body["data-idle-reset-s"] == "90"


def test_kiosk_idle_override_may_only_shorten(client: TestClient) -> None:
    assert page(client, "/kiosk?idle=5").body["data-idle-reset-s"] == "5"
    assert page(client, "/kiosk?idle=3600").body["data-idle-reset-s"] == "90"
    for bad in ("1", "0", "-4", "soon"):
        response = client.get(f"/kiosk?idle={bad}")
        assert response.status_code == 422, bad
        assert response.json()["error"]["code"] == "invalid_request"


def test_kiosk_without_a_village(tmp_path: Path, tiny_kb: KnowledgeBase) -> None:
    with client_for(Settings(data_dir=tmp_path), tiny_kb) as c:
        kiosk = page(c, "/kiosk")
    assert kiosk.body["data-village-id"] == "" and kiosk.body["data-village-name"] == ""
    assert kiosk.body["data-idle-reset-s"] == "120"


def test_configured_values_are_escaped(tmp_path: Path, tiny_kb: KnowledgeBase) -> None:
    hostile = '"><script src="https://evil.example/x.js"></script><b a="'
    with client_for(Settings(data_dir=tmp_path, kiosk_village_id=hostile), tiny_kb) as c:
        response = c.get("/kiosk")
    kiosk = Page(response.text)
    assert kiosk.body["data-village-id"] == hostile  # survives as the attribute value, nothing more
    assert kiosk.scripts == ["/static/js/kiosk.js"] and "evil.example" not in "".join(kiosk.scripts)
    assert kiosk.body["data-village-name"] == ""  # not a valid village id: no lookup


def test_kiosk_has_the_seven_topics(client: TestClient) -> None:
    topics = page(client, "/kiosk").topics
    assert list(topics) == ["土地", "婚姻家庭", "赡养", "欠薪", "邻里", "找调解员", "找律师"]
    assert topics["找调解员"] == "我想找调解员" and topics["欠薪"] == "老板拖欠农民工工资怎么办"
    assert all(len(question) >= 4 for question in topics.values())


def test_console_gets_the_lifecycle_from_the_workflow_table(client: TestClient) -> None:
    console = page(client, "/console")
    workflow = json.loads(console.body["data-workflow"])
    assert workflow["labels"] == {s.value: label for s, label in STATUS_LABELS.items()}
    assert workflow["transitions"] == {s.value: sorted(t.value for t in ts) for s, ts in TRANSITIONS.items()}
    assert workflow["transitions"]["follow_up"] == ["closed"] and workflow["transitions"]["closed"] == []
    assert "closed" not in workflow["open"] and "received" in workflow["open"]
    assert json.loads(console.body["data-dispute-types"]) == DISPUTE_TYPE_LABELS
    assert set(json.loads(console.body["data-handler-roles"])) == set(HANDLER_ROLES)


def test_assist_page_is_served(client: TestClient) -> None:
    assist = page(client, "/console/assist")
    assert assist.body["data-page"] == "assist"
    assert json.loads(assist.body["data-dispute-types"]) == DISPUTE_TYPE_LABELS
    assert {"login-form", "line-form", "case-form", "risk-banner", "filed-number"} <= assist.ids


@pytest.mark.parametrize("path", PAGES)
def test_pages_obey_the_csp_and_load_only_our_static_files(client: TestClient, path: str) -> None:
    served = page(client, path)
    assert served.inline_scripts == 0 and served.inline_styles == [] and served.handlers == []
    assets = served.scripts + served.styles
    assert assets and all(a.startswith("/static/") for a in assets)
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        kind = "javascript" if asset.endswith(".js") else "css"
        assert kind in response.headers["content-type"]


def web_files() -> list[Path]:
    return sorted(p for p in WEB_DIR.rglob("*") if p.is_file())


def test_no_external_urls_anywhere_in_the_pages() -> None:
    files = web_files()
    assert {p.suffix for p in files} >= {".html", ".js", ".css"}
    offsite = re.compile(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}|@import|url\(\s*['\"]?(?!data:)[^)'\"]*//", re.I)
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not offsite.search(text), f"{path}: {offsite.search(text)}"


def test_scripts_build_dom_as_text_only() -> None:
    """Everything shown comes from residents, staff or the API: never parsed as HTML, never eval'd."""
    for path in (STATIC / "js").glob("*.js"):
        text = path.read_text(encoding="utf-8")
        for forbidden in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert forbidden not in text, f"{path.name} uses {forbidden}"
        assert "setAttribute('style'" not in text and 'setAttribute("style"' not in text


def test_script_imports_resolve() -> None:
    for path in (STATIC / "js").glob("*.js"):
        for target in re.findall(r"from '\./([\w-]+\.js)'", path.read_text(encoding="utf-8")):
            assert (STATIC / "js" / target).is_file(), f"{path.name} imports missing {target}"


@pytest.mark.parametrize("name", PAGE_SCRIPTS)
def test_every_element_a_script_looks_up_exists(name: str) -> None:
    """A renamed id would only fail at runtime in the browser; catch it here in milliseconds."""
    ids = Page((WEB_DIR / f"{name}.html").read_text(encoding="utf-8")).ids
    wanted: set[str] = set()
    for script in PAGE_SCRIPTS[name]:
        text = (STATIC / "js" / script).read_text(encoding="utf-8")
        wanted |= set(re.findall(r"\$\('([\w-]+)'\)", text))
    assert wanted, name
    assert wanted <= ids, f"{name}.html lacks {sorted(wanted - ids)}"


def test_kiosk_type_is_large() -> None:
    """Every text on the kiosk is at least 28px: villagers read it standing, many without glasses."""
    css = (STATIC / "css" / "kiosk.css").read_text(encoding="utf-8")
    root = int(re.search(r":root\s*{[^}]*font-size:\s*(\d+)px", css).group(1))
    sizes = [float(v) * root for v in re.findall(r"font-size:\s*([\d.]+)rem", css)]
    assert root >= 28 and sizes and min(sizes) >= 28
    assert not re.search(r"font-size:\s*[\d.]+(?:px|em|pt|%)", css.split("}", 1)[1])
