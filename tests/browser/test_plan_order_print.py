"""The plan order's print page in a real browser: what prints, and the PDF job's page.

A sector commander opens his order from the menu; the page renders without a script
error or a Content-Security-Policy violation (its styles and page box are stylesheets),
and printed (print media) it shows the order and no button. The PDF is asked for from
the page and made by the job as a worker runs it; the job's page then offers the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from browser.conftest import nav_to, screenshot
from browser.test_live_map import log_in, watch_errors
from pollguard.accounts.actions import do_provision_user
from pollguard.accounts.choices import Role
from pollguard.jobs.models import Job
from pollguard.jobs.runner import run
from pollguard.planning.actions import do_decide_plan, do_submit_plan
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Election, Sector
from web.personas import PASSWORD, make_package
from web.test_plan_orders import DOCUMENT, store_plan

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def approved_order(
    transactional_db: None, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.POLLGUARD_ORDERS_DIR = tmp_path / "orders"
    # Jobs are committed here (a live server): the test runs them itself, as a worker
    # would, instead of leaving a message in the data folder's embedded queue.
    monkeypatch.setattr("pollguard.jobs.actions.send_job", lambda job_id: None)
    package = make_package()
    do_load_package(package, acting_user=None)
    election = Election.objects.get(code=package.election.code)
    rifai = Sector.objects.get(election=election, code="RIF")

    def make(name: str, role: Role, **scope: Any) -> Any:
        return do_provision_user(name, password=PASSWORD, role=role, acting_user=None, **scope)

    chair, ops = make("chair", Role.CHAIR), make("ops", Role.OPERATIONS)
    make("cmd-rifai", Role.SECTOR_COMMANDER, sector=rifai)
    plan = do_submit_plan(store_plan(election, DOCUMENT, ops), acting_user=ops)
    do_decide_plan(plan, approve=True, comment="", acting_user=chair)


def test_a_commander_prints_his_order_and_gets_its_pdf(
    live_server: Any, approved_order: None, new_context: Any
) -> None:
    base = live_server.url
    page = new_context().new_page()
    errors = watch_errors(page)
    log_in(page, base, "cmd-rifai", PASSWORD)
    nav_to(page, "/plans/orders/")
    page.wait_for_selector("[data-testid=orders-table]")
    screenshot(page, "sector-commander-orders")
    page.click("a[href='/plans/orders/sector/RIF/?lang=ar']")
    page.wait_for_selector("[data-testid=plan-order]")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("[data-testid=order-toolbar]").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("[data-testid=order-toolbar]").is_visible()
    assert page.locator("[data-testid=order-signatures]").is_visible()
    page.emulate_media(media="screen")

    page.click("[data-testid=order-pdf]")
    page.wait_for_selector("[data-testid=order-job]")
    job = Job.objects.get(kind="plan_orders_pdf")
    run(job.pk)  # as the worker would
    # The page polls its state every 2 s and then offers the file.
    link = page.wait_for_selector("[data-testid=order-download]", timeout=20_000)
    href = link.get_attribute("href")
    assert href == f"/plans/orders/jobs/{job.pk}/pdf"
    answer = page.request.get(f"{base}{href}")
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF")
    assert errors == [], errors
