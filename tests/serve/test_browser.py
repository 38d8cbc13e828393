"""The counter web app in a real browser: Debian's chromium driven by Playwright.

Search, personalise, preview and download, then read the PDF; every page is checked with
axe-core (WCAG 2.2 A and AA rules). Needs ``bash scripts/install-system-deps`` (chromium
and axe-core in .cache/node); ``make test`` runs it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import PATIENT_NAME, ROOT
from .test_api import pdf_text

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / ".cache" / "node" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

pytestmark = pytest.mark.slow


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
    page.get_by_label("Medicine name, generic name or code").press_sequentially("bacl")
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
        page.get_by_role("button", name="Download PDF").click()
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
    with page.expect_download() as download:
        page.get_by_role("button", name="Download PDF").click()
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
