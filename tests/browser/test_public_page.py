"""The public page on a phone (390 px) in Debian's chromium, on the Dhi Qar 2010 demo.

A citizen finds C-0001 by a misspelled Arabic name, opens it, sees the map drawn from our
own Leaflet, the stations, the hours and the status, switches to English, and never gets
a cookie or a sideways scroll.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.core.cache import cache

from browser.conftest import screenshot
from browser.test_live_map import watch_errors
from pollguard.commands.demo import find_demo_package
from pollguard.core.package.reader import read_package
from pollguard.public import projection
from pollguard.registry.loader import do_load_package

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def demo(transactional_db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    package = find_demo_package()
    if package is None:
        pytest.skip("the demo package scenarios/dhi-qar-2010 is not there")
    loaded = read_package(package)
    # The public page reads neither personnel nor the special register: keep the load short.
    loaded = dataclasses.replace(
        loaded, personnel=loaded.personnel[:50], special_register=loaded.special_register[:50]
    )
    do_load_package(loaded, acting_user=None)
    cache.clear()
    monkeypatch.setattr(projection, "_current", None)


def test_a_citizen_on_a_phone_finds_c_0001_by_a_misspelled_arabic_name(
    live_server: Any, demo: None, new_context: Any
) -> None:
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(f"{live_server.url}/public/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    # "مدرسة الحكمة الابتدائية - الناصرية": ta marbuta typed as ha, a ya of الابتدائية
    # missing, a letter of الناصرية doubled.
    page.fill("[data-testid=search-input]", "مدرسه الحكمه الابتدايه الناصرريه")
    page.click("[data-testid=search-button]")
    first = page.locator("[data-testid=result]").first
    first.wait_for()
    assert page.locator(".pp-result").first.get_attribute("data-code") == "C-0001"
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    screenshot(page, "public-search-ar")
    first.click()
    page.wait_for_selector("#pp-map.leaflet-container path.leaflet-interactive")
    assert page.locator("[data-testid=center]").get_attribute("data-code") == "C-0001"
    assert page.locator("[data-testid=stations] tbody tr").count() == 5
    assert "07:00" in page.locator("[data-testid=hours]").inner_text()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    screenshot(page, "public-center-ar")
    page.click("[data-testid=language-switch]")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert "Al-Hikma Primary School" in page.locator("h1").inner_text()
    page.wait_for_selector("#pp-map.leaflet-container path.leaflet-interactive")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    screenshot(page, "public-center-en")
    assert context.cookies() == []
    assert errors == []
