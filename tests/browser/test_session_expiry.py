"""In Debian's chromium: a session ends while a status change is being made; the officer
sees why, signs in again and finds the change filled in, not applied, ready to send."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore

from browser.conftest import screenshot
from browser.test_live_map import log_in
from browser.test_live_map import small_world as small_world  # the fixture
from pollguard.accounts.sessions import LAST_ACTIVITY_KEY
from pollguard.registry.models import Center
from web.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def end_session_by_idling(context: Any, minutes: int) -> None:
    """As if the officer had left the page open for `minutes`: the session's last activity
    is moved back (no waiting in the test)."""
    cookie = next(c for c in context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=cookie["value"])
    session[LAST_ACTIVITY_KEY] = int(time.time()) - minutes * 60
    session.save()


def test_a_change_sent_after_the_session_ended_is_kept_for_after_sign_in(
    live_server: Any, small_world: Any, new_context: Any
) -> None:
    base = live_server.url
    context = new_context(locale="en-GB")
    page = context.new_page()
    log_in(page, base, "ops", PASSWORD)
    page.click("[data-testid=language-en]")
    page.wait_for_selector("html[lang=en]", state="attached")  # the switch has landed
    page.goto(f"{base}/centers/C-0002/")
    before = Center.objects.get(code="C-0002").status
    choice = "disrupted" if before != "disrupted" else "delayed"

    end_session_by_idling(context, 31)
    page.select_option("#id_status", choice)
    page.click("[data-testid=status-form] button[type=submit]")

    banner = page.wait_for_selector("[data-testid=signed-out]")
    assert "30 minutes" in banner.inner_text()
    assert "filled in" in banner.inner_text()
    screenshot(page, "account-signed-out")
    assert Center.objects.get(code="C-0002").status == before

    page.fill("#id_username", "ops")
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login]")
    page.wait_for_selector("[data-testid=status-form][data-draft-restored=true]")
    assert page.url == f"{base}/centers/C-0002/"
    assert page.input_value("#id_status") == choice
    assert page.is_visible("[data-testid=draft-restored]")
    screenshot(page, "account-draft-restored")
    assert Center.objects.get(code="C-0002").status == before  # never sent by itself

    page.click("[data-testid=status-form] button[type=submit]")
    page.wait_for_selector(".pg-message--success")
    assert Center.objects.get(code="C-0002").status == choice
