"""Tasks in a real browser, in Arabic, on the Dhi Qar 2010 demo with an approved plan.

al-Rifai's commander opens "my tasks" on a phone, acknowledges one and declines another
with a reason; the operations room's board then counts them. With POLLGUARD_SCREENSHOTS=1
it writes docs/img/sector-commander-tasks.png and docs/img/tasks-board.png.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User

from browser.conftest import screenshot
from browser.test_live_map import log_in, watch_errors
from browser.test_pages_accessibility import violations
from pollguard.commands.demo import create_demo_accounts, demo_password, find_demo_package
from pollguard.core import model as core
from pollguard.core.package.reader import read_package
from pollguard.core.tasks import policy_to_json
from pollguard.jobs.actions import do_request_job
from pollguard.planning.actions import do_decide_plan, do_store_plan, do_submit_plan
from pollguard.planning.jobs import PLAN_RUN
from pollguard.planning.models import Task
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Election

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _document(pkg: core.ElectionPackage) -> dict[str, Any]:
    """Posts at the first al-Rifai and al-Shatra centers, and one EOD route in al-Rifai."""
    posts = []
    for sector in ("RIF", "SHA"):
        centers = [c for c in pkg.centers if c.sector == sector and c.kind.value == "general"]
        police = [u for u in pkg.units if u.sector == sector and u.kind.value == "police"]
        army = [u for u in pkg.units if u.sector == sector and u.kind.value == "army"]
        for i in range(3):
            posts.append(
                {
                    "unit": police[i].code,
                    "center": centers[i].code,
                    "role": "inner_cordon",
                    "headcount": 8,
                }
            )
        posts.append(
            {
                "unit": army[0].code,
                "center": centers[0].code,
                "role": "outer_cordon",
                "headcount": 16,
            }
        )
    rifai = [c for c in pkg.centers if c.sector == "RIF" and c.kind.value == "general"]
    eod = next(u for u in pkg.units if u.kind.value == "eod")
    start = datetime(2010, 3, 6, 3, 0, tzinfo=UTC)
    stops = [
        {
            "center": rifai[i].code,
            "start": (start + timedelta(minutes=45 * i)).isoformat(),
            "end": (start + timedelta(minutes=45 * i + 30)).isoformat(),
        }
        for i in range(3)
    ]
    return {
        "schema": "pollguard.plan/1", "election": pkg.election.code, "assignments": posts,
        "sweeps": [{"team": f"{eod.code}#1", "unit": eod.code, "kind": "eod", "stops": stops}],
        "shortfalls": [], "sweep_shortfalls": [], "risk": {}, "metrics": {},
    }  # fmt: skip


@pytest.fixture
def demo_plan(transactional_db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # The plan version is stored as its run would store it; no message goes to a broker.
    monkeypatch.setattr("pollguard.jobs.actions._enqueue", lambda job_id: None)
    folder = find_demo_package()
    if folder is None:
        pytest.skip("the demo package scenarios/dhi-qar-2010 is not there")
    pkg = read_package(folder)
    do_load_package(pkg, acting_user=None)
    create_demo_accounts()
    election = Election.objects.get(code=pkg.election.code)
    ops, chair = User.objects.get(username="ops"), User.objects.get(username="chair")
    job, _ = do_request_job(PLAN_RUN, parameters={}, election_id=election.pk, acting_user=ops)
    plan = do_store_plan(
        election=election,
        document=_document(pkg),
        sector_of={c.code: c.sector for c in pkg.centers},
        params={"time_limit": 10, "seed": 0, "package_digest": election.package_digest},
        based_on=None,
        job=job,
        policy=policy_to_json(pkg.policy),
    )
    do_submit_plan(plan, acting_user=ops)
    do_decide_plan(plan, approve=True, comment="موافق", acting_user=chair)


def test_a_sector_commander_acknowledges_and_declines_in_arabic_on_a_phone(
    live_server: Any, demo_plan: None, new_context: Any
) -> None:
    base = live_server.url
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    errors = watch_errors(page)
    log_in(page, base, "cmd-rifai", demo_password("cmd-rifai"))
    page.goto(f"{base}/tasks/mine/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    cards = page.locator("[data-testid=task-card]")
    rifai = Task.objects.filter(sector__code="RIF").count()
    assert cards.count() == rifai > 0
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert "الطوق الداخلي" in page.inner_text("[data-testid=my-tasks]")
    screenshot(page, "sector-commander-tasks")

    first = cards.first
    task_id = first.get_attribute("data-task")
    first.locator("[data-testid=acknowledge]").click()
    page.wait_for_selector(".pg-message--success")
    assert "تم تأكيد استلام المهمة" in page.inner_text(".pg-messages")
    done = page.locator(f"[data-task='{task_id}'] [data-testid=task-state]")
    assert done.inner_text() == "مؤكَّدة الاستلام"
    task = Task.objects.get(public_id=task_id)
    assert (task.state, task.acknowledged_by.username) == ("acknowledged", "cmd-rifai")

    # Decline another: the reason is required, then written in Arabic.
    other = page.locator("[data-testid=task-card][data-state=open]").first
    other_id = other.get_attribute("data-task")
    other.locator("[data-testid=decline-open]").click()
    other.locator("[data-testid=decline-reason]").fill("العجلات معطلة ولا يوجد بديل")
    other.locator("[data-testid=decline]").click()
    page.wait_for_selector(".pg-message--success")
    declined = Task.objects.get(public_id=other_id)
    assert (declined.state, declined.decline_reason) == ("declined", "العجلات معطلة ولا يوجد بديل")
    assert errors == []

    # The operations room's board counts both, al-Rifai's declined task one click away.
    board = new_context().new_page()
    board_errors = watch_errors(board)
    log_in(board, base, "ops", demo_password("ops"))
    board.goto(f"{base}/tasks/board/")
    row = board.locator("[data-testid=board-sectors] tr[data-row=RIF]")
    assert row.locator("[data-count=declined]").inner_text() == "1"
    assert row.locator("[data-count=acknowledged]").inner_text() == "1"
    screenshot(board, "tasks-board")
    row.locator("[data-count=declined] a").click()
    board.wait_for_selector("[data-testid=task-table]")
    rows = board.locator("[data-testid=task-table] tbody tr[data-task]")
    assert rows.count() == 1
    assert rows.first.get_attribute("data-task") == other_id
    assert board_errors == []


def test_the_task_pages_have_no_axe_violations(
    live_server: Any, demo_plan: None, new_context: Any
) -> None:
    base = live_server.url
    found = {}
    some = Task.objects.filter(sector__code="RIF").order_by("key").first()
    assert some is not None
    for username, paths in (
        ("ops", ["/tasks/board/", "/tasks/", f"/tasks/{some.public_id}/", "/tasks/new/"]),
        ("cmd-rifai", ["/tasks/mine/", f"/tasks/{some.public_id}/"]),
    ):
        page = new_context(bypass_csp=True).new_page()
        log_in(page, base, username, demo_password(username))
        for path in paths:
            page.goto(f"{base}{path}")
            result = violations(page, [])
            if result:
                found[f"{username} {path}"] = result
    assert found == {}
