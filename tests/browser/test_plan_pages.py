"""The plan workflow in a real browser, in Arabic, on the demo served as it is deployed.

`pollguard demo --no-serve` loads the Dhi Qar 2010 package (from its folder, so the planner
can read it again), then `pollguard serve` runs the site with its own background worker
on the embedded transport, exactly as the demo does. As the operations officer we run the
planner from the plan list and watch the run's progress arrive through the live feed, open
the new version on the map, submit it; as the chair we approve it; then we re-plan after a
unit goes out of service and compare the two versions. Phone widths must not scroll
sideways. With POLLGUARD_SCREENSHOTS=1 the walk writes docs/img/plans-list.png,
plan-map.png and plan-compare.png.
Nothing waits for a fixed time: every step waits for a state, with generous deadlines.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from browser.conftest import nav_to, screenshot
from browser.test_live_map import watch_errors
from browser.test_pages_accessibility import violations
from web.served import clean_environment, free_port, scratch_database, wait_for_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RUN_DEADLINE_MS = 180_000  # a demo plan takes about 10 s; the rest is a loaded machine
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("plan-pages")
    env = clean_environment()
    database, drop = scratch_database("plans")
    if database:
        env["DATABASE_URL"] = database
    env.update(
        POLLGUARD_DATA_DIR=str(tmp / "data"),
        POLLGUARD_QUEUE=f"pollguard-test-{uuid.uuid4().hex[:8]}",
    )
    pollguard = [sys.executable, "-m", "pollguard"]
    server = None
    try:
        loaded = subprocess.run(
            [*pollguard, "demo", "--no-serve", "--i-know-this-is-not-production"],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert loaded.returncode == 0, loaded.stderr
        port = free_port()
        # serve starts one worker with beat beside itself on the embedded transport.
        server = subprocess.Popen(
            [*pollguard, "serve", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        wait_for_port(port, server, "pollguard serve")
        yield f"http://127.0.0.1:{port}"
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        drop()


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"{username}-2010")  # the demo's printed passwords
    page.click("[data-testid=login]")
    page.wait_for_selector("[data-testid=logout]", state="attached")


def run_from_the_page(page: Any) -> str:
    """Press the run button (or the re-plan one), follow the run, return the version's URL."""
    page.wait_for_selector("#pg-live-state[data-state=ok]")
    run_line = page.locator(".pg-run").first
    job = run_line.get_attribute("data-job")
    line = f".pg-run[data-job='{job}']"
    # Progress reaches the page through the live feed (job events), not through a reload.
    page.wait_for_function(
        "() => window.pollguardPlanRuns && window.pollguardPlanRuns.updates > 0",
        timeout=RUN_DEADLINE_MS,
    )
    page.wait_for_selector(
        f"{line}[data-state=succeeded] [data-testid=run-result]", timeout=RUN_DEADLINE_MS
    )
    href = page.get_attribute(f"{line} [data-testid=run-result]", "href")
    assert href is not None
    return str(href)


def no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))


def test_ops_runs_submits_the_chair_approves_and_a_replan_is_compared_in_arabic(
    demo_site: str, new_context: Any
) -> None:
    base = demo_site
    ops = new_context().new_page()
    errors = watch_errors(ops)
    log_in(ops, base, "ops")
    assert ops.locator("html").get_attribute("dir") == "rtl"
    nav_to(ops, "/plans/")
    ops.wait_for_selector("[data-testid=no-plans]")
    ops.fill("#id_time_limit", "10")
    ops.click("[data-testid=run-planner]")
    ops.wait_for_selector(".pg-run")
    assert ops.get_attribute(".pg-run", "data-state") in ("queued", "running")
    version_url = run_from_the_page(ops)
    # The run's end re-read the line from the server: the link and an Arabic message.
    assert ops.locator(".pg-run [data-testid=run-state]").first.inner_text() == "نجحت"

    ops.reload()
    ops.wait_for_selector("[data-testid=versions]")
    assert ops.locator("[data-testid=plan-state]").first.get_attribute("data-state") == "draft"
    ops.set_viewport_size(PHONE)
    assert no_sideways_scroll(ops)
    ops.set_viewport_size({"width": 1366, "height": 820})

    # The version on the map: every planned center, the shortfalls in red, sweep routes.
    ops.goto(f"{base}{version_url}")
    ops.wait_for_selector("#pg-map[data-ready=true]")
    centers = ops.evaluate("window.pollguardPlanMap.centerCount()")
    assert centers >= 500
    assert ops.evaluate("window.pollguardPlanMap.routeCount()") > 0
    assert ops.evaluate("window.pollguardPlanMap.lineCount()") == 0  # drawn lazily
    assert ops.evaluate("window.pollguardPlanMap.stopCount()") == 0
    short = ops.evaluate("window.pollguardPlanMap.shortCodes()")
    assert short  # the demo's province is short of people somewhere
    text = ops.evaluate(f"window.pollguardPlanMap.openCenter('{short[0]}')")
    assert "الناقص" in text
    # Opening a center draws its own guard lines, base to center.
    assert ops.evaluate("window.pollguardPlanMap.lineCount()") > 0
    ops.evaluate("document.getElementById('pg-plan-map-title').scrollIntoView()")
    screenshot(ops, "plan-map")
    # One sector's view draws all its lines at once and narrows the table.
    ops.select_option("#id_sector", index=1)
    ops.click("[data-testid=scope-form] button[type=submit]")
    ops.wait_for_selector("#pg-map[data-ready=true]")
    assert 0 < ops.evaluate("window.pollguardPlanMap.centerCount()") < centers
    assert ops.evaluate("window.pollguardPlanMap.lineCount()") > 0
    assert ops.evaluate("window.pollguardPlanMap.stopCount()") > 0
    ops.set_viewport_size(PHONE)
    assert no_sideways_scroll(ops)
    ops.set_viewport_size({"width": 1366, "height": 820})

    ops.goto(f"{base}{version_url}")
    ops.click("[data-testid=submit]")
    ops.wait_for_selector("[data-testid=plan-state][data-state=submitted]")
    assert ops.locator(".pg-message--success").count() == 1

    chair = new_context().new_page()
    chair_errors = watch_errors(chair)
    log_in(chair, base, "chair")
    chair.goto(f"{base}{version_url}")
    chair.fill("#id_comment", "موافق، تُوزَّع المهام على القواطع")
    chair.click("[data-testid=approve]")
    chair.wait_for_selector("[data-testid=plan-state][data-state=approved]")
    assert "موافق" in chair.inner_text("[data-testid=comment]")

    # Re-planning after a unit goes out of service: a second version, then the comparison.
    ops.goto(f"{base}{version_url}")
    lost = ops.eval_on_selector("#id_units_out option", "o => o.value")
    ops.select_option("#id_units_out", [lost])
    ops.click("[data-testid=replan-run]")
    ops.wait_for_selector(".pg-run")
    second_url = run_from_the_page(ops)
    assert second_url != version_url
    ops.goto(f"{base}/plans/")
    states = ops.eval_on_selector_all(
        "[data-testid=plan-state]", "els => els.map(e => e.dataset.state)"
    )
    assert states == ["draft", "approved"]
    screenshot(ops, "plans-list")
    ops.check("[data-testid=compare-1]")
    ops.check("[data-testid=compare-2]")
    ops.click("[data-testid=compare]")
    ops.wait_for_selector("[data-testid=metric-deltas]")
    compare_url = ops.url.removeprefix(base)
    assert "النسخة 1 والنسخة 2" in ops.inner_text("h1")
    screenshot(ops, "plan-compare")
    ops.set_viewport_size(PHONE)
    assert no_sideways_scroll(ops)
    assert errors == []
    assert chair_errors == []

    # Printed, a version is its tables with the print header; the map and the forms stay off.
    ops.set_viewport_size({"width": 1366, "height": 820})
    ops.goto(f"{base}{version_url}?all=1")
    ops.emulate_media(media="print")
    assert ops.is_hidden("#pg-map")
    assert ops.is_hidden("[data-testid=replan]")
    assert ops.is_visible("[data-testid=print-header]")
    assert ops.is_visible("[data-testid=center-rows]")
    ops.emulate_media(media="screen")

    # axe finds nothing on the three plan pages (the map canvas is a drawing; its legend and
    # the table per center are the accessible equivalent).
    checker = new_context(bypass_csp=True).new_page()
    log_in(checker, base, "chair")
    found = {}
    for path in ("/plans/", version_url, f"{second_url}?sector=RIF", compare_url):
        checker.goto(f"{base}{path}")
        if path != "/plans/" and path != compare_url:
            checker.wait_for_selector("#pg-map[data-ready=true]")
        result = violations(checker, ["#pg-map"])
        if result:
            found[path] = result
    assert found == {}
