"""Choosing the election in Debian's chromium, in Arabic: the top bar's selector, the
elections page, a phone's top bar, and an open page that reloads when another tab switches.

Writes docs/img/elections.png with POLLGUARD_SCREENSHOTS=1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from browser.conftest import screenshot
from browser.test_live_map import LIVE_WAIT_MS, log_in, watch_errors
from browser.test_pages_accessibility import violations
from pollguard.accounts.actions import do_provision_user
from pollguard.accounts.choices import Role
from pollguard.core.package import read_package
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Sector
from web.personas import PASSWORD, make_package
from web.test_elections import FIRST, SECOND, SECOND_NAME_AR, copy_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
FIRST_NAME_AR = "انتخابات تجريبية 2010"


@pytest.fixture
def world(transactional_db: None, tmp_path: Path) -> dict[str, User]:
    """Two elections: the web tests' small one, then a copy of the demo (the latest)."""
    do_load_package(make_package(), acting_user=None)
    rifai = Sector.objects.get(code="RIF")
    folder = copy_demo(tmp_path / "copy", SECOND, "Dhi Qar 2014 (copy)", SECOND_NAME_AR)
    do_load_package(read_package(folder), acting_user=None)
    return {
        "ops": do_provision_user("ops", password=PASSWORD, role=Role.OPERATIONS, acting_user=None),
        "cmd-rifai": do_provision_user(
            "cmd-rifai",
            password=PASSWORD,
            role=Role.SECTOR_COMMANDER,
            acting_user=None,
            sector=rifai,
        ),
    }


def selected(page: Any) -> str:
    return str(page.eval_on_selector("[data-testid=election-select]", "el => el.value"))


def test_the_selector_and_the_elections_page_switch_the_election_in_arabic(
    live_server: Any, world: dict[str, User], new_context: Any
) -> None:
    base = live_server.url
    page = new_context().new_page()
    errors = watch_errors(page)
    log_in(page, base, "cmd-rifai", PASSWORD)
    assert page.get_attribute("html", "dir") == "rtl"
    assert selected(page) == SECOND  # never chose: the latest loaded
    # Choosing in the top bar submits at once (no button with script on).
    assert not page.is_visible("[data-testid=election-go]")
    page.select_option("[data-testid=election-select]", FIRST)
    page.wait_for_function(
        f"() => document.querySelector('[data-testid=election-select]').value === '{FIRST}'"
        " && document.readyState === 'complete'"
    )
    page.wait_for_selector(".pg-message--success")
    assert FIRST_NAME_AR in page.inner_text(".pg-message--success")
    page.goto(f"{base}/centers/")
    codes = page.locator("[data-testid=center-table] tbody tr[data-center]")
    assert sorted(codes.evaluate_all("rows => rows.map(r => r.dataset.center)")) == [
        "C-0001",
        "C-0002",
    ]
    # The elections page: both, the current one marked, a choose button for the other.
    page.click("[data-testid=elections-link]")
    page.wait_for_selector("[data-testid=elections]")
    assert page.locator(f"tr[data-election={FIRST}] [data-testid=current-election]").count() == 1
    assert page.is_visible(f"[data-testid=choose-{SECOND}]")
    assert SECOND_NAME_AR in page.inner_text("[data-testid=elections]")
    screenshot(page, "elections")
    page.click(f"[data-testid=choose-{SECOND}]")
    page.wait_for_selector(f"tr[data-election={SECOND}] [data-testid=current-election]")
    assert selected(page) == SECOND
    assert errors == []


def test_on_a_phone_the_selector_stays_in_the_one_line_top_bar(
    live_server: Any, world: dict[str, User], new_context: Any
) -> None:
    base = live_server.url
    page = new_context(viewport=PHONE).new_page()
    log_in(page, base, "ops", PASSWORD)
    for path in ("/", "/elections/", "/centers/"):
        page.goto(f"{base}{path}")
        assert page.is_visible("[data-testid=election-select]"), path
        height = page.evaluate("() => document.getElementById('pg-topbar').offsetHeight")
        assert height <= 60, (path, height)
        wide = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        assert wide, path
        box = page.locator("[data-testid=election-select]").bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"]


def test_an_open_page_reloads_when_another_tab_switches_the_election(
    live_server: Any, world: dict[str, User], new_context: Any
) -> None:
    base = live_server.url
    context = new_context()
    first_tab = context.new_page()
    log_in(first_tab, base, "ops", PASSWORD)
    first_tab.goto(f"{base}/")
    first_tab.wait_for_function("() => window.pollguardLive && window.pollguardLive.okCount > 0")
    assert selected(first_tab) == SECOND
    second_tab = context.new_page()  # same browser, same session
    second_tab.goto(f"{base}/elections/")
    second_tab.click(f"[data-testid=choose-{FIRST}]")
    second_tab.wait_for_selector(f"tr[data-election={FIRST}] [data-testid=current-election]")
    # The first tab's next poll answers {"reload": true}; the page reloads itself.
    first_tab.wait_for_function(
        f"() => document.querySelector('[data-testid=election-select]').value === '{FIRST}'",
        timeout=LIVE_WAIT_MS,
    )


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_elections_page_and_the_selector_have_no_axe_violations(
    live_server: Any, world: dict[str, User], new_context: Any, language: str
) -> None:
    base = live_server.url
    page = new_context(bypass_csp=True).new_page()
    log_in(page, base, "ops", PASSWORD)
    if language == "en":
        page.click("[data-testid=language-en]")
        page.wait_for_selector("html[dir=ltr]")
    for path in ("/elections/", "/centers/"):
        page.goto(f"{base}{path}")
        assert page.is_visible("[data-testid=election-select]")
        assert violations(page, []) == [], path
