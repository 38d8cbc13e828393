"""The counter web app in a real browser: Debian's chromium driven by Playwright.

Search, personalise, preview and download, then read the PDF; every page is checked with
axe-core (WCAG 2.2 A and AA rules). Needs ``bash scripts/install-system-deps`` (chromium
and axe-core in .cache/node); ``make test`` runs it.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest

from .conftest import PATIENT_NAME, ROOT, LiveServer, start_server, stop_server
from .test_api import pdf_text

LEAFLETS = ROOT / "leaflets"

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / ".cache" / "node" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

pytestmark = pytest.mark.slow
# where to keep screenshots of the pages (to look at them); none kept when unset
SHOTS = os.environ.get("LEAFLETGEN_SCREENSHOTS")
PHARMACY_TOML = """[pharmacy]
name = "High Street Pharmacy"
address = "1 High Street, Exampletown"
phone = "01234 567 890"
hours = "Monday to Saturday, 9 am to 6 pm"
"""


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory, leaflets: Path
                ) -> Iterator[LiveServer]:
    """A server started to show drafts (the shipped translations are drafts), with the
    pharmacy's details in its configuration file."""
    where = tmp_path_factory.mktemp("server")
    config = where / "serve.toml"
    config.write_text(PHARMACY_TOML, encoding="utf-8")
    server = start_server(where, leaflets, "--drafts", "--config", str(config))
    try:
        yield server
    finally:
        stop_server(server)


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists() or not AXE.exists():
        pytest.fail("the browser tests need chromium and axe-core: run "
                    "bash scripts/install-system-deps (as root)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    tab = context.new_page()
    tab.problems = []  # console errors: a CSP violation, a failed script
    tab.on("console", lambda m: tab.problems.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: tab.problems.append(str(e)))
    yield tab
    context.close()


def axe_violations(page) -> list[str]:
    """axe-core's WCAG 2.2 A/AA violations on the page, one line each."""
    page.evaluate(AXE.read_text(encoding="utf-8"))  # not a <script>: the CSP stays on
    result = page.evaluate("options => axe.run(document, options)",
                           {"runOnly": {"type": "tag", "values": WCAG}})
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            + json.dumps([n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


def fill_details(page, row: int = 0) -> None:
    page.get_by_label("Patient's name").fill(PATIENT_NAME)
    page.locator(f"#dose-{row}").fill("1 tablet (10 mg)")
    page.locator(f"#timing-{row}").fill("3 times a day: morning, afternoon and bedtime")
    page.locator(f"#directions-{row}").fill("Take 1 tablet 3 times a day.")
    page.get_by_label("Prescriber").fill("Dr Sam Placeholder")
    page.get_by_label("Pharmacy or ward to call with questions").fill("Ward 7 pharmacy")
    page.get_by_label("Its phone number").fill("01234 567 890")


def test_search_personalise_preview_download(page, tmp_path):
    page.goto("/")
    assert axe_violations(page) == []
    from playwright.sync_api import expect

    assert page.get_by_role("link", name="Amoxicillin").count() == 1  # all, before a search
    page.get_by_label("Medicine: generic or brand name, or a code").press_sequentially("bacl")
    # found as you type, without pressing Search
    expect(page.get_by_role("link", name="Amoxicillin")).to_have_count(0)
    expect(page.get_by_text("1 medicine found")).to_be_visible()
    assert page.url.endswith("/")
    page.get_by_role("link", name="Baclofen").click()

    page.get_by_role("heading", level=1, name="Baclofen").wait_for()
    page.get_by_text("Preview 8 pages").click()
    image = page.get_by_alt_text("Page 1 of the Patient information leaflet", exact=True)
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=image.element_handle(), timeout=60_000)
    assert axe_violations(page) == []

    fill_details(page)
    page.get_by_role("button", name="Preview", exact=True).click()
    page.get_by_role("heading", name="Baclofen: check the leaflet").wait_for()
    first = page.get_by_alt_text("Page 1 of", exact=False).first
    assert first.evaluate("img => img.naturalWidth") > 0
    assert axe_violations(page) == []

    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    saved = tmp_path / "handout.pdf"
    download.value.save_as(saved)
    download.value.delete()
    assert PATIENT_NAME in pdf_text(saved.read_bytes())
    assert page.problems == []


def test_errors_are_announced_next_to_their_fields(page):
    page.goto("/medicine/baclofen")
    page.get_by_label("Patient's name").fill(PATIENT_NAME)
    page.get_by_role("button", name="Preview", exact=True).click()
    summary = page.get_by_role("alert")
    summary.wait_for()
    assert "Enter the dose." in summary.inner_text()
    assert page.locator("#dose-0").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "error-summary"
    summary.get_by_role("link", name="Enter the dose.").click()
    assert page.evaluate("document.activeElement.id") == "dose-0"
    assert axe_violations(page) == []


def test_packet_of_two_medicines(page, tmp_path):
    page.goto("/packet")
    assert axe_violations(page) == []
    page.locator("#medicine-0").select_option("baclofen")
    page.locator("#medicine-1").select_option("amoxicillin")
    fill_details(page, 0)
    page.locator("#dose-1").fill("1 capsule (500 mg)")
    page.locator("#timing-1").fill("3 times a day")
    page.locator("#directions-1").fill("Take 1 capsule 3 times a day for 5 days.")
    page.get_by_role("button", name="Preview", exact=True).click()
    page.get_by_role("heading", name="Medicine packet: check it").wait_for()
    shot(page, "packet-preview")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    saved = tmp_path / "packet.pdf"
    download.value.save_as(saved)
    download.value.delete()
    text = pdf_text(saved.read_bytes())
    assert PATIENT_NAME in text and "Amoxicillin" in text and "Baclofen" in text


@pytest.mark.parametrize("path", ["/leaflets/baclofen/patient", "/leaflets/baclofen/clinician",
                                  "/docs", "/medicine/no-such-medicine"])
def test_other_pages_pass_axe(page, path):
    page.goto(path)
    assert axe_violations(page) == []
    assert page.problems == [] or path.endswith("no-such-medicine")  # its 404 is logged


def test_keyboard_reaches_the_skip_link_first_and_the_page_is_responsive(page):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/leaflets/baclofen/patient")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    # nothing wider than the screen: no sideways scrolling on a small phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def _lang_of(data: bytes) -> str:
    with pikepdf.open(io.BytesIO(data)) as document:
        return str(document.Root.Lang)


def _download(page, tmp_path: Path, name: str, link: str = "Download PDF") -> bytes:
    with page.expect_download() as download:
        page.get_by_role("link", name=link).click()
    saved = tmp_path / name
    download.value.save_as(saved)
    download.value.delete()
    return saved.read_bytes()


def test_first_screen_is_the_search_with_every_medicine(page):
    page.goto("/")
    # the search box has the focus: the counter types at once
    assert page.evaluate("document.activeElement.id") == "q"
    names = page.locator(".results .name").all_inner_texts()
    monographs = [p for p in LEAFLETS.glob("*.md") if "." not in p.stem]
    # every medicine, before typing
    assert len(names) == len(monographs) and "Baclofen" in names
    assert "Baclofeno" not in names  # a translation is a language of baclofen
    # all but the 2 the test catalogue approves are drafts
    assert page.locator(".results .badge.draft").count() == len(monographs) - 2
    shot(page, "first-screen")
    assert axe_violations(page) == []
    assert page.problems == []


@pytest.mark.parametrize("typed, found", [("Ventolin", "Salbutamol inhaler"),
                                          ("calpol", "Paracetamol 120 mg/5 mL"),
                                          ("metotrexate", "Methotrexate")])
def test_search_by_brand_and_near_miss(page, typed, found):
    from playwright.sync_api import expect

    page.goto("/")
    page.keyboard.type(typed)  # into the search box, which has the focus
    expect(page.get_by_text("1 medicine found")).to_be_visible()
    expect(page.locator(".results .name")).to_have_text([found])
    if typed == "metotrexate":
        shot(page, "search-near-miss")
        assert axe_violations(page) == []


def test_translation_language_switch_preview_print_and_download(page, tmp_path):
    page.goto("/medicine/baclofen")
    page.get_by_role("navigation", name="Language of the leaflet").get_by_role(
        "link", name="Español").click()
    page.get_by_role("heading", level=1, name="Baclofeno").wait_for()
    assert page.url.endswith("/medicine/baclofen?lang=es")
    shot(page, "medicine-spanish")
    assert axe_violations(page) == []
    # the pharmacy's details are there before anything is typed
    assert page.get_by_label("Pharmacy or ward to call with questions").input_value() == \
        "High Street Pharmacy"
    fill_details(page)
    page.get_by_role("button", name="Preview", exact=True).click()
    page.get_by_role("heading", name="Baclofeno: check the leaflet").wait_for()
    shot(page, "preview-spanish")
    assert axe_violations(page) == []

    # Print: the kept PDF, framed, then the browser's print dialog on it. A headless
    # browser has no dialog to show (its renderer stops at print()): the frame's window is
    # stood in for, to see that print() is called on it once the PDF is loaded.
    page.evaluate("""() => Object.defineProperty(HTMLIFrameElement.prototype, "contentWindow",
        {get() { return {focus() {}, print() { window.printed = (window.printed || 0) + 1; }}; }})
    """)
    with page.expect_response(lambda r: r.url.endswith(".pdf")) as printed:
        page.get_by_role("link", name="Print").click()
    assert printed.value.status == 200
    assert printed.value.headers["content-type"] == "application/pdf"
    assert page.locator("iframe#print-frame").get_attribute("src").endswith(".pdf")
    page.wait_for_function("window.printed === 1")

    data = _download(page, tmp_path, "es.pdf")
    assert _lang_of(data) == "es" and "Baclofeno" in pdf_text(data)
    assert PATIENT_NAME in pdf_text(data)
    assert page.problems == []


def test_draft_handout_download_then_start_again(page, tmp_path):
    page.goto("/medicine/methotrexate")
    fill_details(page)
    page.get_by_role("button", name="Preview", exact=True).click()
    page.get_by_role("heading", name="Methotrexate: check the leaflet").wait_for()
    assert page.get_by_role("note").filter(has_text="This is a DRAFT proof").count() == 1
    data = _download(page, tmp_path, "draft.pdf")
    assert PATIENT_NAME in pdf_text(data) and "DRAFT" in pdf_text(data)
    page.get_by_role("link", name="Start again").click()
    page.get_by_role("heading", level=1, name="Methotrexate").wait_for()
    assert page.get_by_label("Patient's name").input_value() == ""  # a fresh form
    assert page.get_by_label("Its phone number").input_value() == "01234 567 890"


def test_keyboard_only_from_search_to_download(page, tmp_path):
    def tab_to(element_id: str, limit: int = 60) -> None:
        for _ in range(limit):
            if page.evaluate("document.activeElement.id") == element_id:
                return
            page.keyboard.press("Tab")
        raise AssertionError(f"Tab never reached #{element_id}")

    page.goto("/")
    page.keyboard.type("bacl")
    page.get_by_text("1 medicine found").wait_for()
    page.keyboard.press("Tab")  # the Search button
    page.keyboard.press("Tab")  # the first medicine found
    assert page.evaluate("document.activeElement.textContent").strip() == "Baclofen"
    page.keyboard.press("Enter")
    page.get_by_role("heading", level=1, name="Baclofen").wait_for()
    for field, text in (("name", PATIENT_NAME), ("dose-0", "1 tablet (10 mg)"),
                        ("timing-0", "3 times a day"), ("directions-0", "Take 1 tablet."),
                        ("prescriber", "Dr Sam Placeholder")):
        tab_to(field)
        page.keyboard.type(text)
    page.keyboard.press("Enter")  # submits the form from a text field: Preview
    page.get_by_role("heading", name="Baclofen: check the leaflet").wait_for()
    tab_to("download")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    saved = tmp_path / "keyboard.pdf"
    download.value.save_as(saved)
    assert PATIENT_NAME in pdf_text(saved.read_bytes())


@pytest.mark.parametrize("path", ["/", "/medicine/baclofen?lang=ar", "/packet"])
def test_phone_sized_screen(page, path):
    page.set_viewport_size({"width": 375, "height": 667})
    page.goto(path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "phone-" + (path.strip("/").replace("/", "-").replace("?", "-") or "home"))
    assert axe_violations(page) == []
