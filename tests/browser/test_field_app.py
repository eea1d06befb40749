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

from browser.conftest import screenshot
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


def open_field_app(live_server: Any, reporter: str, new_context: Any) -> tuple[Any, Any, list[str]]:
    """The reporter signed in on the field app on a 390 px phone, in Arabic."""
    context = new_context(viewport={"width": 390, "height": 844}, locale="ar-IQ")
    page = context.new_page()
    errors = watch_errors(page)
    log_in(page, live_server.url, reporter, PASSWORD)
    page.goto(f"{live_server.url}/field/")
    return context, page, errors


def test_two_check_ins_made_offline_are_each_stored_once_after_reconnecting(
    live_server: Any, reporter: str, new_context: Any
) -> None:
    context, page, errors = open_field_app(live_server, reporter, new_context)
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


def png(width: int, height: int) -> bytes:
    """A plain PNG (red, with a blue band) made here, for the photo input."""
    import struct
    import zlib

    rows = b"".join(
        b"\x00" + (b"\x00\x00\xff" if y % 20 < 5 else b"\xff\x00\x00") * width
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_an_incident_with_a_photo_and_a_check_in_made_offline_are_each_stored_once(
    live_server: Any, reporter: str, new_context: Any
) -> None:
    from pollguard.operations.models import Incident, IncidentPhoto

    context, page, errors = open_field_app(live_server, reporter, new_context)
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator("[data-testid=incident-form]").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.locator("[data-testid=incident-form]").scroll_into_view_if_needed()
    screenshot(page, "field-incident-form")
    context.set_offline(True)
    page.select_option("#inc-kind", "armed_group")
    page.select_option("#inc-severity", "3")
    page.fill("#inc-text", "مسلحون قرب المركز")
    # A large picture: the phone makes it smaller before it waits in the outbox.
    page.set_input_files(
        "#inc-photo", {"name": "scene.png", "mimeType": "image/png", "buffer": png(3000, 2000)}
    )
    page.click("[data-testid=incident-send]")
    expect(page.locator("[data-testid=pending-count]")).to_have_text("1", timeout=20_000)
    page.select_option("#ci-station", "C-0003-01")
    page.select_option("#ci-slot", "opening")
    page.select_option("#ci-status", "open")
    page.click("[data-testid=checkin-send]")
    expect(page.locator("[data-testid=pending-count]")).to_have_text("2")
    queued = page.evaluate(
        """() => new Promise(resolve => {
            const req = indexedDB.open("pollguard-field", 1);
            req.onsuccess = () => {
              const all = req.result.transaction("outbox").objectStore("outbox").getAll();
              all.onsuccess = () => resolve(all.result.filter(i => i.type === "incident")
                .map(i => ({ type: i.photo.type, size: i.photo.size })));
            };
          })"""
    )
    assert queued[0]["type"] == "image/jpeg"
    assert queued[0]["size"] < 2 * 1024 * 1024
    assert Incident.objects.count() == 0

    context.set_offline(False)
    expect(page.locator("[data-testid=pending-count]")).to_have_text("0", timeout=30_000)
    incident = Incident.objects.get()
    assert (incident.kind, incident.severity, incident.center.code) == ("armed_group", 3, "C-0003")
    assert incident.text == "مسلحون قرب المركز"
    photo = IncidentPhoto.objects.get()
    assert photo.incident_id == incident.pk
    assert photo.content_type == "image/jpeg"
    assert bytes(photo.data)[:3] == b"\xff\xd8\xff"
    assert Checkin.objects.count() == 1

    page.reload()
    page.wait_for_selector("[data-testid=pending-count]")
    assert page.text_content("[data-testid=pending-count]") == "0"
    assert (Incident.objects.count(), IncidentPhoto.objects.count(), Checkin.objects.count()) == (
        1,
        1,
        1,
    )
    # From where he stands, once he lets the page use the phone's location.
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": 31.415, "longitude": 46.172})
    page.select_option("#inc-kind", "crowd")
    page.check("[data-testid=incident-where-point]")
    expect(page.locator("[data-testid=incident-position]")).to_contain_text("31.415")
    page.click("[data-testid=incident-send]")
    # After the reload nothing was sent yet: the last-sent time appears with this report.
    page.wait_for_function("() => document.querySelector('[data-testid=last-sent]').dataset.at")
    expect(page.locator("[data-testid=pending-count]")).to_have_text("0")
    point = Incident.objects.exclude(pk=incident.pk).get()
    assert (point.kind, point.center, point.lat, point.lon) == ("crowd", None, 31.415, 46.172)
    assert Incident.objects.count() == 2
    # The reporter sees his incident's page with the photo (the side of 1600 px at most).
    page.goto(f"{live_server.url}/operations/{incident.code}/")
    image = page.locator("[data-testid=incident-photo] img")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=incident-photo] img').complete"
    )
    assert max(image.evaluate("i => [i.naturalWidth, i.naturalHeight]")) == 1600
    screenshot(page, "field-incident-photo")
    assert not [e for e in errors if "Failed to fetch" not in e and "ERR_INTERNET" not in e], errors
