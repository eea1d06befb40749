"""The operations room's pages in Debian's chromium: phone, wall screen, feed and history.

Findings of issue 8 tried as an operations officer, a sector commander and a field reporter:
at 390x844 no sideways scroll, a top bar of one line, lists as cards with the status first;
at 1366x768 the list header stays in view; the overview's exception counts open filtered
lists; the change feed (with remark) survives a reload and reaches the center's history.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from browser.conftest import screenshot
from browser.test_live_map import LIVE_WAIT_MS, log_in, watch_errors
from pollguard.accounts.actions import do_provision_user
from pollguard.accounts.choices import Role
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Center, Sector
from web.personas import PASSWORD, make_package
from web.test_pages import _more_centers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def world(transactional_db: None) -> dict[str, User]:
    """The web tests' election with 60 more centers (lists longer than a screen), and users."""
    do_load_package(_more_centers(make_package(), 60), acting_user=None)
    make = do_provision_user
    return {
        "ops": make("ops", password=PASSWORD, role=Role.OPERATIONS, acting_user=None),
        "cmd-rifai": make(
            "cmd-rifai",
            password=PASSWORD,
            role=Role.SECTOR_COMMANDER,
            acting_user=None,
            sector=Sector.objects.get(code="RIF"),
        ),
        "field": make(
            "field-c0003",
            password=PASSWORD,
            role=Role.FIELD_REPORTER,
            acting_user=None,
            center=Center.objects.get(code="C-0003"),
        ),
    }


def no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("language", ["ar", "en"])
def test_on_a_phone_pages_fit_the_width_the_top_bar_is_one_line_and_cards_lead_with_status(
    live_server: Any, world: dict[str, User], new_context: Any, language: str
) -> None:
    base = live_server.url
    page = new_context().new_page()
    errors = watch_errors(page)
    log_in(page, base, "ops", PASSWORD)
    if language == "en":
        page.click("[data-testid=language-en]")
        page.wait_for_selector("html[dir=ltr]")
    page.set_viewport_size(PHONE)
    for path in ("/", "/centers/", "/centers/C-0001/", "/units/"):
        page.goto(f"{base}{path}")
        assert no_sideways_scroll(page), path
        height = page.evaluate("() => document.getElementById('pg-topbar').offsetHeight")
        assert height <= 60, (path, height)
    page.goto(f"{base}/centers/")
    rtl = language == "ar"
    row = page.locator("[data-testid=center-table] tbody tr[data-center]").first
    status = row.locator(".pg-cell-status").bounding_box()
    name = row.locator(".pg-cell-name").bounding_box()
    assert status is not None
    assert name is not None
    # Status first in reading order: on the name's line, at its start side (or above it).
    if status["y"] + status["height"] <= name["y"]:
        pass
    elif rtl:
        assert status["x"] >= name["x"] + name["width"] - 1
    else:
        assert status["x"] + status["width"] <= name["x"] + 1
    assert row.bounding_box()["height"] < 100  # type: ignore[index]
    screenshot(page, f"phone-centers-{language}")
    # The menu button opens the navigation.
    assert not page.is_visible(".pg-nav")
    page.click("[data-testid=menu-button]")
    page.wait_for_selector(".pg-nav", state="visible")
    assert page.get_attribute("[data-testid=menu-button]", "aria-expanded") == "true"
    assert errors == []


def test_on_a_wall_screen_the_list_header_stays_in_view_when_scrolled(
    live_server: Any, world: dict[str, User], new_context: Any
) -> None:
    base = live_server.url
    page = new_context(viewport=LAPTOP).new_page()
    log_in(page, base, "ops", PASSWORD)
    for path, table in (("/centers/", "center-table"), ("/units/", "unit-table")):
        page.goto(f"{base}{path}")
        page.evaluate("() => window.scrollTo(0, 1500)")
        page.wait_for_function("() => window.scrollY > 1000")
        top = page.evaluate(
            f"() => document.querySelector('[data-testid={table}] thead th')"
            ".getBoundingClientRect().top"
        )
        assert 0 <= top < 5, (path, top)


def test_an_exception_count_opens_the_filtered_list(
    live_server: Any, world: dict[str, User], new_context: Any
) -> None:
    base = live_server.url
    page = new_context(viewport=LAPTOP).new_page()
    log_in(page, base, "ops", PASSWORD)
    page.goto(f"{base}/centers/C-0002/")
    page.select_option("#id_status", "delayed")
    page.click("[data-testid=status-form] button[type=submit]")
    page.wait_for_selector(".pg-message--success")
    page.goto(f"{base}/")
    assert page.inner_text("[data-status-count=delayed]").strip() == "1"
    page.click("[data-testid=exception-delayed]")
    page.wait_for_url("**/centers/?status=delayed")
    codes = page.eval_on_selector_all(
        "[data-testid=center-table] tbody tr[data-center]",
        "rows => rows.map(r => r.dataset.center)",
    )
    assert codes == ["C-0002"]


def test_a_remark_reaches_the_open_overview_survives_a_reload_and_is_in_the_history(
    live_server: Any, world: dict[str, User], new_context: Any
) -> None:
    base = live_server.url
    overview = new_context(viewport=LAPTOP).new_page()
    errors = watch_errors(overview)
    log_in(overview, base, "cmd-rifai", PASSWORD)
    overview.wait_for_selector("#pg-live-state[data-state=ok]")

    ops = new_context(viewport=LAPTOP).new_page()
    log_in(ops, base, "ops", PASSWORD)
    ops.goto(f"{base}/centers/C-0001/")
    ops.select_option("#id_status", "disrupted")
    ops.fill("#id_remark", "Crowd at the gate")
    ops.click("[data-testid=status-form] button[type=submit]")
    ops.wait_for_selector(".pg-message--success")
    assert "Crowd at the gate" in ops.inner_text("[data-testid=history]")

    overview.wait_for_selector("#pg-feed [data-testid=remark]", timeout=LIVE_WAIT_MS)
    item = overview.inner_text("#pg-feed li[data-change]")
    for expected in ("مدرسة الرفاعي للبنين", "لم يُفتح بعد", "متعطّل", "ops", "Crowd at the gate"):
        assert expected in item, (expected, item)
    screenshot(overview, "operations-feed")
    overview.reload()
    assert "Crowd at the gate" in overview.inner_text("#pg-feed")
    assert errors == []


def test_the_field_reporter_lands_on_his_center_on_a_phone(
    live_server: Any, world: dict[str, User], new_context: Any
) -> None:
    base = live_server.url
    page = new_context(viewport=PHONE).new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "field-c0003")
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login]")
    page.wait_for_url("**/centers/C-0003/")
    assert page.is_visible("[data-testid=center-status]")
    assert no_sideways_scroll(page)
    screenshot(page, "field-reporter-phone")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils' pdftotext")
def test_a_printed_list_carries_its_header_and_page_x_of_y_and_no_controls(
    live_server: Any, world: dict[str, User], new_context: Any, tmp_path: Path
) -> None:
    # Chromium's own print to PDF (what the browser's Print does), read back as text.
    page = new_context(locale="en-GB").new_page()
    log_in(page, live_server.url, "ops", PASSWORD)
    page.click("[data-testid=language-en]")
    page.wait_for_selector("html[lang=en]", state="attached")
    page.goto(f"{live_server.url}/centers/?sector=RIF")
    page.click("[data-testid=print-all]")
    page.wait_for_selector("[data-testid=print-header]", state="attached")
    pdf = tmp_path / "centers.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = text.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 2  # 60 more centers: more than a page
    for number, body in enumerate(pages, 1):
        assert re.search(rf"\b{number}\s*/\s*{len(pages)}\b", body), (number, body[-300:])
    first = pages[0]
    assert "Filters:" in first
    assert "Printed by ops on" in first
    # The controls are not printed: no filter form, no buttons, no pager.
    for control in ("Search", "Print all matching", "Sign out", "Next"):
        assert control not in text, control


def _first_codes(page: Any, n: int = 3) -> list[str]:
    rows = page.locator("[data-testid=center-table] tbody tr[data-center]")
    return [str(rows.nth(i).get_attribute("data-center")) for i in range(n)]


def test_a_sort_chosen_by_a_header_survives_a_filter_change(
    live_server: Any, world: dict[str, User], new_context: Any
) -> None:
    page = new_context(viewport=LAPTOP).new_page()
    log_in(page, live_server.url, "ops", PASSWORD)
    page.goto(f"{live_server.url}/centers/")
    with page.expect_response(lambda r: "sort=voters" in r.url):
        page.click("th[data-sort-key=voters] a.pg-sort")
    page.wait_for_selector("th[data-sort-key=voters][aria-sort=ascending]")
    with page.expect_response(lambda r: "sort=-voters" in r.url):
        page.click("th[data-sort-key=voters] a.pg-sort")
    page.wait_for_selector("th[data-sort-key=voters][aria-sort=descending]")
    assert _first_codes(page, 1) == ["C-0001"]  # 2,400 voters, the most
    with page.expect_response(lambda r: "sector=RIF" in r.url):
        page.select_option("#id_sector", "RIF")
    page.wait_for_selector("th[data-sort-key=voters][aria-sort=descending]")
    assert "sort=-voters" in page.url
    assert page.input_value("#pg-sort") == "-voters"
    assert _first_codes(page, 1) == ["C-0001"]


def test_on_a_phone_the_cards_are_sorted_with_the_sort_field(
    live_server: Any, world: dict[str, User], new_context: Any
) -> None:
    page = new_context(viewport=PHONE).new_page()
    log_in(page, live_server.url, "ops", PASSWORD)
    page.goto(f"{live_server.url}/centers/")
    assert not page.is_visible("th[data-sort-key=voters]")  # cards: no header row
    assert page.is_visible("#pg-sort")
    with page.expect_response(lambda r: "sort=-voters" in r.url):
        page.select_option("#pg-sort", "-voters")
    page.wait_for_selector("th[data-sort-key=voters][aria-sort=descending]", state="attached")
    assert _first_codes(page, 1) == ["C-0001"]
    assert no_sideways_scroll(page)
