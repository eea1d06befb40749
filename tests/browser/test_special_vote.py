"""Special vote in a real browser, on the demo: two stations check voters in at once, a
repeat is refused naming where, the tallies follow live; the reconciliation page shows the
6,300 police missing from the register, by unit.

The server's clock stands on the special-vote day (the live server runs in this process,
so `pollguard.specialvote.clock.now` is replaced for it too). With POLLGUARD_SCREENSHOTS=1
it writes docs/img/special-vote-checkin.png and special-vote-reconciliation.png.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from browser.conftest import nav_to, screenshot
from browser.test_live_map import log_in, watch_errors
from pollguard.commands.demo import create_demo_accounts, demo_password, find_demo_package
from pollguard.core.package.reader import read_package
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import SpecialVoter, Station
from pollguard.specialvote import clock
from pollguard.specialvote.models import SpecialCheckin

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SPECIAL_DAY = datetime(2010, 3, 4, 10, 0, tzinfo=timezone(timedelta(hours=3)))


@pytest.fixture
def demo(transactional_db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    package = find_demo_package()
    if package is None:
        pytest.skip("the demo package scenarios/dhi-qar-2010 is not there")
    do_load_package(read_package(package), acting_user=None)
    create_demo_accounts()
    monkeypatch.setattr(clock, "now", lambda: SPECIAL_DAY)


def open_station(new_context: Any, base: str, station: str) -> Any:
    page = new_context().new_page()
    log_in(page, base, "ihec", demo_password("ihec"))
    page.goto(f"{base}/special-vote/")
    page.select_option("[data-testid=sv-station]", station)
    return page


def look_up_and_check_in(page: Any, voter: str) -> None:
    page.fill("[data-testid=sv-q]", voter)
    page.click("[data-testid=sv-search] button[type=submit]")
    page.wait_for_selector("[data-testid=sv-matches]")
    page.click(f"[data-testid=sv-checkin-{voter}]")
    page.wait_for_selector(".pg-message")


def test_two_stations_check_in_at_once_and_a_repeat_is_refused(
    live_server: Any, demo: None, new_context: Any
) -> None:
    base = live_server.url
    voter = SpecialVoter.objects.select_related("special_center").order_by("code").first()
    assert voter is not None
    first, second = Station.objects.filter(center=voter.special_center).order_by("number")[:2]
    a = open_station(new_context, base, first.code)
    b = open_station(new_context, base, second.code)
    errors = watch_errors(a) + watch_errors(b)
    assert a.locator("html").get_attribute("dir") == "rtl"
    other = (
        SpecialVoter.objects.filter(special_center=voter.special_center)
        .exclude(code=voter.code)
        .order_by("code")
        .first()
    )
    assert other is not None

    look_up_and_check_in(a, voter.code)
    look_up_and_check_in(b, other.code)
    assert "pg-message--success" in (a.get_attribute(".pg-message", "class") or "")
    assert "pg-message--success" in (b.get_attribute(".pg-message", "class") or "")

    # The same person again at the other station: refused, naming where it was cast.
    b.fill("[data-testid=sv-q]", voter.code)
    b.click("[data-testid=sv-search] button[type=submit]")
    b.wait_for_selector("[data-testid=sv-matches]")
    # The look-up already shows the vote. A page opened before the vote still posts it (the
    # form built by hand stands for a stale page's button): the server refuses it.
    assert first.code in b.inner_text("[data-testid=sv-voted]")
    stale = open_station(new_context, base, second.code)
    stale.evaluate(
        """([voter, station]) => {
            const form = document.createElement('form');
            form.method = 'post';
            form.action = '/special-vote/check-in';
            const csrf = document.cookie.match(/csrftoken=([^;]+)/);
            for (const [k, v] of [['voter', voter], ['station', station],
                                  ['csrfmiddlewaretoken', csrf ? csrf[1] : '']]) {
                const input = document.createElement('input');
                input.name = k; input.value = v; form.appendChild(input);
            }
            document.body.appendChild(form);
            form.submit();
        }""",
        [voter.code, second.code],
    )
    stale.wait_for_selector(".pg-message--error")
    assert first.code in stale.inner_text(".pg-message--error")
    assert SpecialCheckin.objects.filter(person_code=voter.code).count() == 1

    # Both check-ins reached the tally, on a page that was open meanwhile (live feed).
    center = voter.special_center.code
    cell = f"[data-tally-center='{center}'][data-tally-field=voted]"
    a.wait_for_function(
        "([sel]) => document.querySelector(sel).textContent.trim() === '2'", arg=[cell]
    )
    screenshot(a, "special-vote-checkin")
    assert errors == []


def test_the_reconciliation_page_shows_the_6300_missing_police_by_unit(
    live_server: Any, demo: None, new_context: Any
) -> None:
    page = new_context().new_page()
    log_in(page, live_server.url, "ihec", demo_password("ihec"))
    nav_to(page, "/special-vote/reconciliation/")
    page.wait_for_selector("[data-testid=rec-flagged]")
    assert page.inner_text("[data-testid=rec-missing]").strip() == "6,300"
    rows = page.locator("[data-testid=rec-flagged] tbody tr")
    assert rows.count() > 10
    screenshot(page, "special-vote-reconciliation")
