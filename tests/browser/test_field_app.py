"""The field reporter's offline check-in app in a real browser (issue 14, item 4).

On a 390 px phone the field reporter lands on his own center; the browser goes offline,
he files two check-ins (they wait in IndexedDB, the page counts them), the browser comes
back and each reaches the database exactly once; a reload sends nothing again.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from tests.web.personas import PASSWORD, make_package

from browser.test_live_map import log_in, watch_errors
from pollguard.accounts.actions import do_provision_user
from pollguard.accounts.choices import Role
from pollguard.fieldreports.actions import do_generate_expected_checkins
from pollguard.fieldreports.models import Checkin
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Center, Election

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reporter() -> str:
    do_load_package(make_package(), acting_user=None)
    election = Election.objects.get()
    do_generate_expected_checkins(election, acting_user=None)
    center = Center.objects.get(code="C-0003")
    do_provision_user(
        "field-c0003", password=PASSWORD, role=Role.FIELD_REPORTER, acting_user=None, center=center
    )
    return "field-c0003"


def test_two_check_ins_made_offline_are_each_stored_once_after_reconnecting(
    live_server: Any, reporter: str, new_context: Any
) -> None:
    context = new_context(viewport={"width": 390, "height": 844}, locale="ar-IQ")
    page = context.new_page()
    errors = watch_errors(page)
    log_in(page, live_server.url, reporter, PASSWORD)
    page.goto(f"{live_server.url}/field/")
    assert "C-0003" in page.text_content("h1")
    options = page.eval_on_selector_all("#ci-station option", "els => els.map(e => e.value)")
    assert options
    assert all(code.startswith("C-0003-") for code in options)
    # Readable at 390 px: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    context.set_offline(True)
    page.select_option("#ci-station", "C-0003-01")
    page.select_option("#ci-slot", "opening")
    page.select_option("#ci-status", "open")
    page.click("[data-testid=checkin-send]")
    expect(page.locator("[data-testid=pending-count]")).to_have_text("1")
    page.select_option("#ci-station", "C-0003-02")
    page.select_option("#ci-slot", "hourly")
    page.select_option("#ci-status", "ok")
    page.click("[data-testid=checkin-send]")
    expect(page.locator("[data-testid=pending-count]")).to_have_text("2")
    assert Checkin.objects.count() == 0

    context.set_offline(False)
    expect(page.locator("[data-testid=pending-count]")).to_have_text("0")
    assert page.get_attribute("[data-testid=last-sent]", "data-at")
    stored = sorted(Checkin.objects.values_list("station__code", "slot", "status"))
    assert stored == [("C-0003-01", "opening", "open"), ("C-0003-02", "hourly", "ok")]

    page.reload()
    page.wait_for_selector("[data-testid=pending-count]")
    assert page.text_content("[data-testid=pending-count]") == "0"
    assert Checkin.objects.count() == 2
    assert not [e for e in errors if "Failed to fetch" not in e and "ERR_INTERNET" not in e], errors
