"""In Debian's chromium: an operations officer turns on two-factor sign-in from the QR page
(the test plays the authenticator app from the secret shown) and signs in with a code."""

from __future__ import annotations

from base64 import b32decode
from typing import Any

import pytest
from django_otp.oath import TOTP

from browser.conftest import screenshot
from browser.test_live_map import log_in
from browser.test_live_map import small_world as small_world  # the fixture
from web.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def app_code(secret: str) -> str:
    """What an authenticator app shows for this secret now."""
    return f"{TOTP(b32decode(secret)).token():06d}"


def test_an_officer_enrolls_from_the_qr_page_and_signs_in_with_a_code(
    live_server: Any, small_world: Any, new_context: Any
) -> None:
    base = live_server.url
    page = new_context().new_page()
    log_in(page, base, "ops", PASSWORD)
    page.click("[data-testid=language-en]")
    page.goto(f"{base}/accounts/two-factor/")
    assert page.is_visible("[data-testid=qr] svg")
    secret = page.inner_text("[data-testid=secret]").strip()
    screenshot(page, "account-two-factor")
    page.fill("#id_code", app_code(secret))
    page.click("[data-testid=confirm]")
    codes = page.locator("[data-testid=backup-codes] code").all_inner_texts()
    assert len(codes) == 10

    page.click("[data-testid=logout]")
    page.fill("#id_username", "ops")
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login]")
    page.wait_for_selector("[data-testid=otp-form]")
    page.fill("#id_code", codes[0])  # the phone is elsewhere: a backup code
    page.click("[data-testid=verify]")
    page.wait_for_selector("[data-testid=logout]")
