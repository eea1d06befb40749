"""Every role's pages in a real browser, on the Dhi Qar 2010 demo.

Each demo account logs in and opens the pages its navigation offers: the page must render
without a script error or a Content-Security-Policy violation, the map must show exactly the
centers the role may see, and a role never gets a link to a page it may not open.
With POLLGUARD_SCREENSHOTS=1 the same walk writes the user guide's screenshots to docs/img/.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from browser.conftest import screenshot
from browser.test_live_map import log_in, watch_errors
from pollguard.commands.demo import create_demo_accounts, demo_password, find_demo_package
from pollguard.core.package.reader import read_package
from pollguard.registry.access import centers_for
from pollguard.registry.actions import do_set_center_status
from pollguard.registry.choices import CenterStatus
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Center

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# (user-guide page name, demo account)
ROLES = [
    ("chair", "chair"),
    ("operations", "ops"),
    ("sector-commander", "cmd-rifai"),
    ("agency-liaison", "liaison-army"),
    ("intelligence", "intel"),
    ("commission", "ihec"),
    ("auditor", "auditor"),
    ("field-reporter", "field-c0001"),
]


@pytest.fixture
def demo(transactional_db: None) -> None:
    package = find_demo_package()
    if package is None:
        pytest.skip("the demo package scenarios/dhi-qar-2010 is not there")
    do_load_package(read_package(package), acting_user=None)
    create_demo_accounts()
    # A morning in progress, so the pages show more than one status: through the action,
    # as the operations officer would.
    ops = User.objects.get(username="ops")
    for i, center in enumerate(Center.objects.order_by("code")):
        status = (
            CenterStatus.DISRUPTED
            if i % 97 == 5
            else CenterStatus.DELAYED
            if i % 23 == 4
            else CenterStatus.OPEN
            if i % 3 != 2
            else None
        )
        if status is not None:
            do_set_center_status(center, status, acting_user=ops, expected_version=center.version)


def nav_links(page: Any) -> dict[str, str]:
    links = page.eval_on_selector_all(
        ".pg-nav a", "els => els.map(a => [new URL(a.href).pathname, a.textContent.trim()])"
    )
    return dict(links)


def test_every_role_walks_its_pages_without_errors(
    live_server: Any, demo: None, new_context: Any
) -> None:
    base = live_server.url
    for name, username in ROLES:
        page = new_context().new_page()
        errors = watch_errors(page)
        log_in(page, base, username, demo_password(username))
        assert page.locator("html").get_attribute("dir") == "rtl"
        if name == "field-reporter":
            # A field reporter has one center: login lands on its page.
            page.wait_for_selector("[data-testid=center-status]")
            assert page.url.endswith("/centers/C-0001/"), page.url
            page.wait_for_function("() => window.pollguardLive && window.pollguardLive.okCount > 0")
            screenshot(page, f"{name}-center")
        else:
            page.wait_for_selector("#pg-live-state[data-state=ok]")
            screenshot(page, f"{name}-overview")
        links = nav_links(page)
        user = User.objects.get(username=username)
        visible = set(centers_for(user).values_list("code", flat=True))

        if "/map/" in links:
            page.goto(f"{base}/map/")
            page.wait_for_selector("#pg-map[data-ready=true]")
            page.wait_for_selector("#pg-live-state[data-state=ok]")
            assert set(page.evaluate("window.pollguardMap.codes()")) == visible, name
            screenshot(page, f"{name}-map")
        else:
            assert not visible, f"{name} sees centers but has no map link"

        if "/centers/" in links:
            page.goto(f"{base}/centers/")
            rows = page.locator("[data-testid=center-table] tbody tr[data-center]")
            assert rows.count() == min(len(visible), 50), name
            screenshot(page, f"{name}-centers")
            first = page.get_attribute("[data-testid=center-table] tbody tr a", "href")
            page.goto(f"{base}{first}")
            page.wait_for_selector("[data-testid=center-status]")
            screenshot(page, f"{name}-center")
            page.set_viewport_size({"width": 390, "height": 844})
            page.goto(f"{base}/centers/")
            assert page.evaluate(
                "() => document.documentElement.scrollWidth <= window.innerWidth"
            ), name
            screenshot(page, f"{name}-phone-centers")
            page.set_viewport_size({"width": 1366, "height": 820})

        if "/units/" in links:
            page.goto(f"{base}/units/")
            page.wait_for_selector("[data-testid=unit-table]")
            screenshot(page, f"{name}-units")
        assert errors == [], (name, errors)
        page.context.close()


def test_the_operations_room_map_in_english_and_a_search_in_arabic(
    live_server: Any, demo: None, new_context: Any
) -> None:
    base = live_server.url
    page = new_context().new_page()
    errors = watch_errors(page)
    log_in(page, base, "ops", demo_password("ops"))
    # A search typed with ha for ta marbuta finds the Nasiriyah centers, via HTMX.
    page.goto(f"{base}/centers/")
    page.fill("#id_q", "الناصريه")
    page.wait_for_function("() => new URL(location.href).searchParams.get('q') === 'الناصريه'")
    page.wait_for_selector("[data-testid=center-table] tbody tr[data-center]")
    assert "الناصرية" in page.inner_text("[data-testid=center-table]")
    screenshot(page, "operations-search")
    page.click("[data-testid=language-en]")
    page.wait_for_selector("html[dir=ltr]")
    page.goto(f"{base}/map/")
    page.wait_for_selector("#pg-map[data-ready=true]")
    assert page.evaluate("window.pollguardMap.markerCount()") == 520
    screenshot(page, "operations-map-en")
    assert errors == []
