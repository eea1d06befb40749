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
    # Level 1 is for the sector and the room; the officer is the room.
    do_escalate_overdue(now=timezone.now() + timedelta(hours=1))
    page.wait_for_selector("[data-testid=escalation-banner]:not([hidden])", timeout=LIVE_WAIT_MS)
    assert code in page.inner_text("[data-testid=escalation-banner]")
    page.click("[data-testid=sound-toggle]")
    assert page.evaluate("localStorage.getItem('pollguard.operations.sound')") == "off"
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


