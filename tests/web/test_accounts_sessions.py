"""Idle sign-out, the change kept across it, and the page for an expired form (CSRF)."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client, override_settings

from pollguard.accounts.sessions import LAST_ACTIVITY_KEY
from pollguard.registry.models import Center

from .personas import PASSWORD, Personas

pytestmark = pytest.mark.django_db

CENTER = "/centers/C-0001/"
STATUS = "/centers/C-0001/status"


def signed_in_client(username: str, password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302
    return client


def go_idle(client: Client, minutes: int) -> None:
    session = client.session
    session[LAST_ACTIVITY_KEY] = int(time.time()) - minutes * 60
    session.save()


class TestIdleSignOut:
    def test_a_session_idle_longer_than_the_setting_is_signed_out(self, personas: Personas) -> None:
        client = signed_in_client("ops")
        assert client.get(CENTER).status_code == 200
        go_idle(client, 31)
        response = client.get(CENTER)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        login = client.get(response["Location"]).content.decode()
        assert 'data-testid="signed-out"' in login
        assert "30" in login

    @override_settings(POLLGUARD_IDLE_TIMEOUT_MINUTES=120)
    def test_the_timeout_comes_from_the_settings(self, personas: Personas) -> None:
        client = signed_in_client("ops")
        go_idle(client, 31)
        assert client.get(CENTER).status_code == 200

    def test_a_poll_of_an_idle_session_is_refused_and_the_next_page_says_why(
        self, personas: Personas
    ) -> None:
        client = signed_in_client("ops")
        client.cookies["pollguard_language"] = "en"
        go_idle(client, 31)
        assert client.get("/live/events").status_code != 200
        login = client.get(client.get(CENTER)["Location"]).content.decode()
        assert "signed out after 30 minutes" in login

    def test_the_live_feed_polling_does_not_keep_a_session_alive(self, personas: Personas) -> None:
        client = signed_in_client("ops")
        go_idle(client, 29)
        client.get("/live/events")
        session = client.session
        assert session[LAST_ACTIVITY_KEY] < int(time.time()) - 28 * 60


class TestTheChangeSentAfterSignOut:
    def test_it_is_not_applied_and_comes_back_filled_in_after_sign_in(
        self, personas: Personas
    ) -> None:
        center = Center.objects.get(code="C-0001")
        client = signed_in_client("ops")
        client.get(CENTER)
        go_idle(client, 31)
        data = {"status": "disrupted", "version": str(center.version)}
        response = client.post(STATUS, data, HTTP_REFERER=f"http://testserver{CENTER}")
        assert response.status_code == 302  # not 405, not a CSRF page
        assert response["Location"] == "/accounts/login/?next=%2Fcenters%2FC-0001%2F"
        center.refresh_from_db()
        assert center.status != "disrupted"
        client.cookies["pollguard_language"] = "en"
        login = client.get(response["Location"]).content.decode()
        assert "filled in" in login
        back = client.post(
            "/accounts/login/",
            {"username": "ops", "password": PASSWORD, "next": CENTER},
        )
        assert back["Location"] == CENTER
        page = client.get(CENTER).content.decode()
        assert 'id="pollguard-draft"' in page
        start = page.index('id="pollguard-draft" type="application/json">') + len(
            'id="pollguard-draft" type="application/json">'
        )
        draft = json.loads(page[start : page.index("</script>", start)])
        assert draft == {
            "action": STATUS,
            "data": data | {"version": [data["version"]], "status": ["disrupted"]},
        }
        center.refresh_from_db()
        assert center.status != "disrupted"  # never applied by itself
        assert 'id="pollguard-draft"' not in client.get(CENTER).content.decode()  # once

    def test_another_user_signing_in_does_not_get_it(self, personas: Personas) -> None:
        client = signed_in_client("ops")
        go_idle(client, 31)
        client.post(
            STATUS,
            {"status": "disrupted", "version": "1"},
            HTTP_REFERER=f"http://testserver{CENTER}",
        )
        client.post("/accounts/login/", {"username": "chair", "password": PASSWORD})
        assert 'id="pollguard-draft"' not in client.get(CENTER).content.decode()


def test_an_expired_form_gets_a_page_that_explains_and_offers_a_reload(
    personas: Personas,
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.ops)
    response = client.post(STATUS, {"status": "open"}, HTTP_REFERER=f"http://testserver{CENTER}")
    assert response.status_code == 403
    body = response.content.decode()
    assert 'data-testid="csrf-failure"' in body
    assert f'href="http://testserver{CENTER}"' in body
