"""End to end in Debian's chromium: the incident queue by keyboard, the escalation banner
with its sound toggle, and the map's incident and unit layers following the live feed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from browser.conftest import screenshot
from browser.test_live_map import LIVE_WAIT_MS, log_in, watch_errors
from pollguard.accounts.actions import do_provision_user
from pollguard.accounts.choices import Role
from pollguard.operations.actions import (
    IncidentDraft,
    do_escalate_overdue,
    do_file_incident,
    do_set_unit_status,
)
from pollguard.operations.choices import IncidentKind, UnitStatus
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Center, Election, Unit
from web.personas import PASSWORD, make_package

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db: None) -> dict[str, Any]:
    do_load_package(make_package(), acting_user=None)
    ops = do_provision_user("ops", password=PASSWORD, role=Role.OPERATIONS, acting_user=None)
    election = Election.objects.get()

    def incident(center: str, kind: IncidentKind, severity: int, text: str) -> str:
        draft = IncidentDraft(
            kind=kind, severity=severity, text=text, observed_at=timezone.now(),
            center=Center.objects.get(code=center),
        )  # fmt: skip
        return do_file_incident(election, draft, acting_user=ops)[0].code

    return {"ops": ops, "election": election, "incident": incident}


def test_the_queue_is_driven_by_the_keyboard(
    live_server: Any, world: dict[str, Any], new_context: Any
) -> None:
    codes = [
        world["incident"]("C-0001", IncidentKind.CROWD, 2, "a"),
        world["incident"]("C-0003", IncidentKind.FIRE, 4, "b"),
    ]
    page = new_context().new_page()
    errors = watch_errors(page)
    log_in(page, live_server.url, "ops", PASSWORD)
    page.goto(f"{live_server.url}/operations/")
    rows = page.locator("[data-testid=incident-queue] tbody tr[data-incident]")
    assert rows.count() == 2
    # Severity 4 first among the new ones.
    assert rows.nth(0).get_attribute("data-incident") == codes[1]
    screenshot(page, "operations-incident-queue")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    selected = page.locator("tr.pg-selected")
    assert selected.get_attribute("data-incident") == codes[1]
    page.keyboard.press("ArrowDown")
    assert page.locator("tr.pg-selected").get_attribute("data-incident") == codes[0]
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/operations/{codes[0]}/")
    assert codes[0] in page.inner_text("h1")
    screenshot(page, "operations-incident")
    page.goto(f"{live_server.url}/operations/units/")
    screenshot(page, "operations-unit-board")
    assert errors == []


def test_an_escalation_raises_a_banner_whose_sound_can_be_turned_off(
    live_server: Any, world: dict[str, Any], new_context: Any
) -> None:
    code = world["incident"]("C-0001", IncidentKind.CROWD, 2, "a")
    page = new_context().new_page()
    errors = watch_errors(page)
    log_in(page, live_server.url, "ops", PASSWORD)
    page.goto(f"{live_server.url}/operations/")
    page.wait_for_selector("#pg-live-state[data-state=ok]")
    # Level 1 is for the sector and the room; the officer is the room. The live feed
    # refreshes the banner at once.
    do_escalate_overdue(now=timezone.now() + timedelta(hours=1))
    page.wait_for_selector("[data-testid=escalation-banner]:not([hidden])", timeout=LIVE_WAIT_MS)
    assert code in page.inner_text("[data-testid=escalation-banner]")
    key = f"pollguard.operations.sound.{world['ops'].pk}"
    page.click("[data-testid=sound-toggle]")
    assert page.evaluate(f"localStorage.getItem('{key}')") == "off"
    assert errors == []


def test_the_map_shows_incident_and_unit_layers_that_follow_the_feed(
    live_server: Any, world: dict[str, Any], new_context: Any
) -> None:
    first = world["incident"]("C-0001", IncidentKind.SHOOTING, 3, "a")
    page = new_context().new_page()
    errors = watch_errors(page)
    log_in(page, live_server.url, "ops", PASSWORD)
    page.goto(f"{live_server.url}/map/")
    page.wait_for_function("() => window.pollguardOpsMap && window.pollguardOpsMap.ready")
    page.wait_for_selector("#pg-live-state[data-state=ok]")
    assert page.evaluate("window.pollguardOpsMap.incidentCodes()") == [first]
    assert page.evaluate("window.pollguardOpsMap.unitStatus('U-0002')") == "available"
    assert page.evaluate("window.pollguardOpsMap.visible('incidents')") is True
    second = world["incident"]("C-0003", IncidentKind.FIRE, 4, "b")
    do_set_unit_status(
        Unit.objects.get(code="U-0002"), UnitStatus.EN_ROUTE, acting_user=world["ops"],
        expected_version=1,
    )  # fmt: skip
    page.wait_for_function(
        f"() => window.pollguardOpsMap.incidentCodes().includes('{second}')", timeout=LIVE_WAIT_MS
    )
    page.wait_for_function(
        "() => window.pollguardOpsMap.unitStatus('U-0002') === 'en_route'", timeout=LIVE_WAIT_MS
    )
    # The layer control switches the units off and on.
    labels = page.locator(".leaflet-control-layers-overlays label")
    assert labels.count() == 2
    labels.nth(1).locator("input").uncheck()
    assert page.evaluate("window.pollguardOpsMap.visible('units')") is False
    labels.nth(1).locator("input").check()
    assert page.evaluate("window.pollguardOpsMap.visible('units')") is True
    screenshot(page, "operations-map-incidents")
    assert errors == []


def test_an_escalation_shows_on_a_page_without_the_live_feed_for_the_right_commander_only(
    live_server: Any, world: dict[str, Any], new_context: Any
) -> None:
    from pollguard.registry.models import Sector

    election = world["election"]
    for name, sector in (("cmd-rifai", "RIF"), ("cmd-shatra", "SHA")):
        do_provision_user(
            name, password=PASSWORD, role=Role.SECTOR_COMMANDER, acting_user=None,
            sector=Sector.objects.get(election=election, code=sector),
        )  # fmt: skip
    code = world["incident"]("C-0001", IncidentKind.ARMED_GROUP, 3, "مسلحون")  # al-Rifai
    do_escalate_overdue(now=timezone.now() + timedelta(hours=1))

    rifai = new_context(locale="ar-IQ").new_page()
    errors = watch_errors(rifai)
    log_in(rifai, live_server.url, "cmd-rifai", PASSWORD)
    # No sound before the user touched the page (autoplay rules): it waits, and says so;
    # the first click plays it. Heard once, it does not sound again on the next page.
    rifai.wait_for_selector("[data-testid=escalation-banner]:not([hidden])")
    assert rifai.evaluate("window.pollguardEscalations.pendingSound()") is True
    assert rifai.locator("[data-sound-hint]").is_visible()
    rifai.locator("h1").click()
    assert rifai.evaluate("window.pollguardEscalations.pendingSound()") is False
    rifai.goto(f"{live_server.url}/accounts/password/")  # no live feed on this page
    assert rifai.locator("#pg-live-state").count() == 0
    banner = rifai.locator("[data-testid=escalation-banner]")
    assert banner.is_visible()
    assert code in banner.inner_text()
    assert rifai.get_attribute("html", "dir") == "rtl"
    # In the page's flow and no wider than the page, in right-to-left.
    box = banner.bounding_box()
    width = rifai.evaluate("document.documentElement.clientWidth")
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= width + 1
    assert rifai.evaluate("window.pollguardEscalations.pendingSound()") is False
    screenshot(rifai, "operations-escalation-banner")
    # The sound toggle is remembered for this user across pages.
    key = "pollguard.operations.sound." + str(
        rifai.evaluate("document.getElementById('pg-escalations').dataset.soundKey").rsplit(".", 1)[
            1
        ]
    )
    rifai.click("[data-testid=sound-toggle]")
    assert rifai.evaluate(f"localStorage.getItem('{key}')") == "off"
    rifai.goto(f"{live_server.url}/centers/")
    assert rifai.locator("[data-testid=escalation-banner]").is_visible()
    assert rifai.evaluate(f"localStorage.getItem('{key}')") == "off"
    assert rifai.evaluate("window.pollguardEscalations.pendingSound()") is False
    # Acknowledge hides it in this browser; "open" goes to the incident.
    rifai.click("[data-testid=escalation-ack]")
    assert not rifai.locator("[data-testid=escalation-banner]").is_visible()
    rifai.reload()
    assert not rifai.locator("[data-testid=escalation-banner]").is_visible()
    rifai.evaluate(
        f"localStorage.removeItem('pollguard.operations.ack.' + '{key.rsplit('.', 1)[1]}')"
    )
    rifai.reload()
    rifai.click("[data-testid=escalation-open]")
    rifai.wait_for_url(f"**/operations/{code}/")

    shatra = new_context().new_page()
    log_in(shatra, live_server.url, "cmd-shatra", PASSWORD)
    shatra.goto(f"{live_server.url}/accounts/password/")
    assert not shatra.locator("[data-testid=escalation-banner]").is_visible()
    assert code not in shatra.content()
    assert errors == []


def test_the_chair_requests_an_outside_force_from_the_center_page(
    live_server: Any, world: dict[str, Any], new_context: Any
) -> None:
    from pollguard.operations.models import OutsideForceRequest

    do_provision_user("chair", password=PASSWORD, role=Role.CHAIR, acting_user=None)
    page = new_context().new_page()
    errors = watch_errors(page)
    log_in(page, live_server.url, "chair", PASSWORD)
    page.goto(f"{live_server.url}/centers/C-0001/")
    form = page.locator("[data-testid=outside-force-form]")
    form.locator("select[name=force]").select_option("multinational")
    form.locator("input[name=size]").fill("40")
    form.locator("input[name=justification]").fill("تهديد مسلح قرب المركز")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/centers/C-0001/")
    request = OutsideForceRequest.objects.get()
    assert request.code in page.inner_text("[data-testid=outside-force]")
    page.locator("[data-testid=outside-force]").scroll_into_view_if_needed()
    screenshot(page, "chair-center-outside-force")
    assert errors == []
