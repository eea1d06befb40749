"""The main navigation of the role that sees the most (the committee chair) in chromium.

At 1366x768, the laptop of the operations room, the chair's ~20 entries once wrapped to two
lines in Arabic. The election day's pages stay in view and the rest open as group menus:
one line in both languages, one group open at a time, closed by Escape or a click elsewhere,
and the group holding the page shown is marked. On a phone the groups open in place.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from browser.conftest import nav_to, screenshot
from browser.test_live_map import log_in, watch_errors
from pollguard.accounts.actions import do_provision_user
from pollguard.accounts.choices import Role
from pollguard.registry.loader import do_load_package
from web.personas import PASSWORD, make_package

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def chair(transactional_db: None) -> User:
    do_load_package(make_package(), acting_user=None)
    return do_provision_user("chair", password=PASSWORD, role=Role.CHAIR, acting_user=None)


def rows(page: Any) -> int:
    """How many lines the navigation's visible entries take."""
    tops = page.eval_on_selector_all(
        ".pg-nav > a, .pg-nav > .pg-nav-group > summary",
        "els => els.filter(e => e.offsetParent !== null)"
        ".map(e => Math.round(e.getBoundingClientRect().top))",
    )
    return len(set(tops))


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_chairs_navigation_keeps_one_line_and_its_groups_open_as_menus(
    live_server: Any, chair: User, new_context: Any, language: str
) -> None:
    base = live_server.url
    page = new_context(viewport=LAPTOP).new_page()
    errors = watch_errors(page)
    log_in(page, base, "chair", PASSWORD)
    if language == "en":
        page.click("[data-testid=language-en]")
        page.wait_for_selector("html[lang=en]")
    assert rows(page) == 1
    planning = page.locator("[data-testid=nav-group-planning]")
    records = page.locator("[data-testid=nav-group-records]")
    plans = page.locator(".pg-nav a[href='/plans/']")
    assert not plans.is_visible()

    planning.locator("summary").click()
    plans.wait_for(state="visible")
    if language == "ar":
        screenshot(page, "chair-navigation-ar")
    records.locator("summary").click()  # one group open at a time
    page.locator(".pg-nav a[href='/audit/']").wait_for(state="visible")
    plans.wait_for(state="hidden")
    page.keyboard.press("Escape")
    page.locator(".pg-nav a[href='/audit/']").wait_for(state="hidden")
    assert page.evaluate("() => document.activeElement.closest('summary') !== null")
    planning.locator("summary").click()
    plans.wait_for(state="visible")
    page.click("h1")  # a click elsewhere closes it
    plans.wait_for(state="hidden")

    nav_to(page, "/plans/")
    page.wait_for_url(f"{base}/plans/")
    summary_color = page.eval_on_selector(
        "[data-testid=nav-group-planning] > summary", "e => getComputedStyle(e).color"
    )
    other_color = page.eval_on_selector(
        "[data-testid=nav-group-records] > summary", "e => getComputedStyle(e).color"
    )
    assert summary_color != other_color  # the group of the page shown is marked
    assert rows(page) == 1
    assert errors == []


def test_on_a_phone_the_groups_open_in_place_inside_the_menu(
    live_server: Any, chair: User, new_context: Any
) -> None:
    page = new_context(viewport=PHONE).new_page()
    log_in(page, live_server.url, "chair", PASSWORD)
    page.click("[data-testid=menu-button]")
    page.locator("[data-testid=nav-group-planning] > summary").click()
    plans = page.locator(".pg-nav a[href='/plans/']")
    plans.wait_for(state="visible")
    box = plans.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
