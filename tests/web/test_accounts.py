"""Accounts: role scopes, per-user language, API token command (sign-in: test_accounts_login)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from pollguard.accounts.access import user_for_token
from pollguard.accounts.actions import do_provision_user
from pollguard.accounts.choices import Role
from pollguard.accounts.models import Profile
from pollguard.audit.models import AuditEntry
from pollguard.registry.models import Sector

from .personas import PASSWORD, Personas

pytestmark = pytest.mark.django_db


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
