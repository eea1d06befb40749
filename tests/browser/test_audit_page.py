"""The auditor's audit page in a real browser, on the demo; and remarks that mix scripts.

The auditor finds a status change by its action, opens the entry (before/after, hashes),
and verifies the chain from the page. With POLLGUARD_SCREENSHOTS=1 it writes
docs/img/auditor-audit.png (the search) and auditor-audit-entry.png (an entry).

A status remark is free text in either language, often mixing Arabic with codes and times:
it is isolated and takes its own direction (`dir="auto"`), so an Arabic remark reads
right-to-left on an English page and an English one left-to-right on an Arabic page,
without reordering the text around it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from browser.conftest import nav_to, screenshot
from browser.test_live_map import log_in, watch_errors
from pollguard.accounts.actions import do_set_user_language
from pollguard.accounts.choices import Language
from pollguard.audit.actions import do_chain_entries
from pollguard.commands.demo import create_demo_accounts, demo_password, find_demo_package
from pollguard.core.package.reader import read_package
from pollguard.registry.actions import do_set_center_status
from pollguard.registry.choices import CenterStatus
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Center

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ARABIC_REMARK = "الطريق إلى المركز مغلق عند C-0102 منذ 07:10"
ENGLISH_REMARK = "Road to the center blocked at checkpoint 4 since 07:10"


@pytest.fixture
def demo(transactional_db: None) -> Center:
    package = find_demo_package()
    if package is None:
        pytest.skip("the demo package scenarios/dhi-qar-2010 is not there")
    do_load_package(read_package(package), acting_user=None)
    create_demo_accounts()
    center = Center.objects.order_by("code").first()
    assert center is not None
    ops = User.objects.get(username="ops")
    changes = ((CenterStatus.DELAYED, ARABIC_REMARK), (CenterStatus.OPEN, ENGLISH_REMARK))
    for status, remark in changes:
        center.refresh_from_db()
        do_set_center_status(
            center, status, acting_user=ops, expected_version=center.version, remark=remark
        )
    do_chain_entries()  # as the beat job does every few seconds
    return center


def test_the_auditor_searches_opens_an_entry_and_verifies_the_chain(
    live_server: Any, demo: Center, new_context: Any
) -> None:
    base = live_server.url
    page = new_context().new_page()
    errors = watch_errors(page)
    log_in(page, base, "auditor", demo_password("auditor"))
    nav_to(page, "/audit/")
    page.wait_for_selector("[data-testid=audit-table]")

    page.fill("#id_action", "set_center_status")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_selector("[data-testid=audit-table] tbody tr[data-seq]")
    rows = page.locator("[data-testid=audit-table] tbody tr")
    assert rows.count() == 2
    assert all("set_center_status" in rows.nth(i).inner_text() for i in range(2))
    assert demo.code in rows.first.inner_text()
    screenshot(page, "auditor-audit")

    rows.first.locator("a").first.click()
    page.wait_for_selector("[data-testid=audit-diff]")
    diff = page.inner_text("[data-testid=audit-diff]")
    assert "delayed" in diff
    assert "open" in diff
    assert len(page.inner_text("[data-testid=entry-hash]").strip()) >= 64
    # The 64-digit hashes wrap inside their card instead of widening the page.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "auditor-audit-entry")

    page.go_back()
    page.click("[data-testid=verify-now]")
    page.wait_for_selector("[data-testid=audit-status]")
    assert "set_center_status" not in page.inner_text("[data-testid=audit-status]")
    assert errors == []


@pytest.mark.parametrize(
    ("lang", "remark", "direction"),
    [("en", ARABIC_REMARK, "rtl"), ("ar", ENGLISH_REMARK, "ltr"), ("ar", ARABIC_REMARK, "rtl")],
)
def test_a_remark_takes_its_own_direction_on_the_center_page(
    live_server: Any, demo: Center, new_context: Any, lang: str, remark: str, direction: str
) -> None:
    ops = User.objects.get(username="ops")
    do_set_user_language(ops, Language(lang), acting_user=ops)
    page = new_context().new_page()
    log_in(page, live_server.url, "ops", demo_password("ops"))
    page.goto(f"{live_server.url}/centers/{demo.code}/")
    node = page.locator("[data-testid=remark]", has_text=remark.split()[0])
    node.wait_for()
    assert page.locator("html").get_attribute("lang") == lang
    assert node.inner_text().strip('"“”«»') == remark
    assert node.evaluate("(el) => getComputedStyle(el).direction") == direction
    # Isolated: the remark's own direction does not reorder the row around it.
    assert node.evaluate("(el) => getComputedStyle(el).unicodeBidi") == "isolate"
