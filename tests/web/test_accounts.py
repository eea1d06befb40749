"""Accounts: role scopes, login throttling, per-user language, API token command."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import Client, RequestFactory, override_settings

from pollguard.accounts.access import user_for_token
from pollguard.accounts.actions import do_provision_user
from pollguard.accounts.choices import Role
from pollguard.accounts.models import LoginFailure, Profile
from pollguard.audit.models import AuditEntry
from pollguard.registry.models import Sector

from .personas import PASSWORD, Personas

pytestmark = pytest.mark.django_db


def login(username: str, password: str, address: str = "10.0.0.1") -> object:
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=address)
    return authenticate(request, username=username, password=password)


@override_settings(POLLGUARD_LOGIN_MAX_FAILURES=3, POLLGUARD_LOGIN_LOCKOUT_MINUTES=15)
def test_repeated_failures_lock_out_the_username_from_that_address(personas: Personas) -> None:
    for _ in range(3):
        assert login("ops", "wrong") is None
    assert login("ops", PASSWORD) is None  # locked: even the right password is refused
    assert login("ops", PASSWORD, address="10.0.0.2") == personas.ops  # another address
    assert login("chair", PASSWORD) == personas.chair  # another username


@override_settings(POLLGUARD_LOGIN_MAX_FAILURES=3)
def test_a_successful_login_forgives_earlier_failures(personas: Personas) -> None:
    for _ in range(2):
        login("ops", "wrong")
    assert login("ops", PASSWORD) == personas.ops
    assert not LoginFailure.objects.filter(username="ops").exists()


@override_settings(POLLGUARD_LOGIN_MAX_FAILURES=2)
def test_the_lockout_counts_usernames_case_insensitively(personas: Personas) -> None:
    login("OPS", "wrong")
    login("Ops", "wrong")
    assert login("ops", PASSWORD) is None


@override_settings(POLLGUARD_LOGIN_MAX_FAILURES=2, POLLGUARD_LOGIN_LOCKOUT_MINUTES=15)
def test_the_lockout_expires(personas: Personas) -> None:
    from datetime import timedelta

    from django.utils import timezone

    login("ops", "wrong")
    login("ops", "wrong")
    LoginFailure.objects.update(created_at=timezone.now() - timedelta(minutes=16))
    assert login("ops", PASSWORD) == personas.ops


def test_a_scoped_role_needs_its_scope(election: object) -> None:
    with pytest.raises(ValueError, match="sector"):
        do_provision_user("x", password=None, role=Role.SECTOR_COMMANDER, acting_user=None)


def test_provisioning_twice_records_the_grant_once(election: object) -> None:
    sector = Sector.objects.get(code="RIF")
    for _ in range(2):
        do_provision_user(
            "cmd", password="p4ssw0rd-long", role=Role.SECTOR_COMMANDER, sector=sector,
            acting_user=None,
        )  # fmt: skip
    assert AuditEntry.objects.filter(action="accounts.provision_user", object_id="cmd").count() == 1
    assert Profile.objects.get(user__username="cmd").sector == sector


def test_the_profile_language_applies_to_pages(personas: Personas) -> None:
    Profile.objects.filter(user=personas.ops).update(language="en")
    client = Client()
    client.force_login(personas.ops)
    response = client.get("/api/v1/centers")
    assert response.headers.get("Content-Language") in {"en", None}
    response = client.get("/live/events")
    assert response.headers["Content-Language"] == "en"


def test_switching_language_is_remembered_in_the_profile(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.ops)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert Profile.objects.get(user=personas.ops).language == "en"


def test_the_token_command_prints_a_working_token(personas: Personas) -> None:
    out = io.StringIO()
    call_command("pollguard_token", "ihec", "--name", "sms gateway", stdout=out)
    assert user_for_token(out.getvalue().strip()) == personas.commission


def test_every_response_carries_the_content_security_policy(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.ops)
    policy = client.get("/live/events").headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "img-src 'self' data:" in policy


@override_settings(POLLGUARD_LOGIN_MAX_FAILURES=2, POLLGUARD_BEHIND_PROXY=True)
def test_behind_the_proxy_a_forged_forwarded_address_does_not_dodge_the_lockout(
    personas: Personas,
) -> None:
    def attempt(forged: str, password: str) -> object:
        request = RequestFactory().post(
            "/accounts/login/",
            REMOTE_ADDR="10.0.0.254",  # the proxy
            HTTP_X_FORWARDED_FOR=f"{forged}, 203.0.113.7",  # the proxy appends the real peer
        )
        return authenticate(request, username="ops", password=password)

    attempt("1.1.1.1", "wrong")
    attempt("2.2.2.2", "wrong")
    assert attempt("3.3.3.3", PASSWORD) is None


def test_a_role_granted_in_the_admin_is_audited(personas: Personas) -> None:
    from django.contrib.auth.models import User

    admin = User.objects.create_superuser("root", password=PASSWORD)
    client = Client()
    client.force_login(admin)
    target = personas.outsider
    data = {
        "username": target.username,
        "is_active": "on",
        "date_joined_0": "2010-03-01",
        "date_joined_1": "08:00:00",
        "profile-TOTAL_FORMS": "1",
        "profile-INITIAL_FORMS": "0",
        "profile-MIN_NUM_FORMS": "0",
        "profile-MAX_NUM_FORMS": "1",
        "profile-0-role": Role.AUDITOR.value,
        "profile-0-language": "ar",
        "profile-0-user": str(target.pk),
    }
    response = client.post(f"/admin/auth/user/{target.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Profile.objects.get(user=target).role == Role.AUDITOR
    entry = AuditEntry.objects.get(action="accounts.admin_change_user", object_id="outsider")
    assert entry.critical
    assert entry.actor_name == "root"
    assert entry.after is not None
    assert entry.after["role"] == "auditor"
