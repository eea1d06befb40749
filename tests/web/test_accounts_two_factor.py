"""Two-factor sign-in: enrollment with a QR code, the code step after the password, backup
codes, removal; required of the chair, operations and staff when the installation says so."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from pollguard.accounts.actions import do_confirm_totp_device, do_start_totp_enrollment
from pollguard.accounts.twofactor import secret_of
from pollguard.audit.models import AuditEntry

from .personas import PASSWORD, Personas

pytestmark = pytest.mark.django_db

TWO_FACTOR = "/accounts/two-factor/"
VERIFY = "/accounts/two-factor/verify"


def code_for(device: TOTPDevice, *, later: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = totp.time + later * device.step
    return f"{totp.token():06d}"


def enrolled(user: User) -> tuple[TOTPDevice, list[str]]:
    device = do_start_totp_enrollment(user)
    return device, do_confirm_totp_device(device, acting_user=user)


def password_step(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


class TestEnrollment:
    def test_the_page_shows_a_qr_code_and_the_secret(self, client_for: Any) -> None:
        body = client_for("ops").get(TWO_FACTOR).content.decode()
        assert 'data-testid="qr"' in body
        assert "<svg" in body
        device = TOTPDevice.objects.get(user__username="ops", confirmed=False)
        assert secret_of(device) in body

    def test_a_right_code_turns_it_on_shows_backup_codes_once_and_is_audited(
        self, client_for: Any
    ) -> None:
        client = client_for("ops")
        client.get(TWO_FACTOR)
        device = TOTPDevice.objects.get(user__username="ops")
        response = client.post(TWO_FACTOR, {"step": "confirm", "code": code_for(device)})
        assert response.status_code == 302
        device.refresh_from_db()
        assert device.confirmed
        shown = client.get(TWO_FACTOR)
        assert len(shown.context["backup_codes"]) == 10
        assert client.get(TWO_FACTOR).context["backup_codes"] is None
        entry = AuditEntry.objects.get(action="accounts.enable_two_factor", object_id="ops")
        assert entry.critical

    def test_a_wrong_code_turns_nothing_on(self, client_for: Any) -> None:
        client = client_for("ops")
        client.get(TWO_FACTOR)
        client.post(TWO_FACTOR, {"step": "confirm", "code": "000000"})
        assert not TOTPDevice.objects.filter(confirmed=True).exists()

    def test_removal_needs_the_password_and_is_audited(
        self, client_for: Any, personas: Personas
    ) -> None:
        enrolled(personas.ops)
        client = client_for("ops")
        client.post(TWO_FACTOR, {"step": "remove", "password": "not-it"})
        assert TOTPDevice.objects.filter(user=personas.ops).exists()
        client.post(TWO_FACTOR, {"step": "remove", "password": PASSWORD})
        assert not TOTPDevice.objects.filter(user=personas.ops).exists()
        assert AuditEntry.objects.get(action="accounts.disable_two_factor").critical


class TestSignInWithASecondFactor:
    def test_the_password_alone_does_not_sign_in(self, personas: Personas) -> None:
        enrolled(personas.ops)
        client = Client()
        response = client.post("/accounts/login/", {"username": "ops", "password": PASSWORD})
        assert response["Location"] == VERIFY
        assert "_auth_user_id" not in client.session
        assert client.get("/centers/").status_code == 302

    def test_the_code_from_the_app_completes_the_sign_in(self, personas: Personas) -> None:
        device, _ = enrolled(personas.ops)
        client = password_step("ops")
        response = client.post(VERIFY, {"code": code_for(device)})
        assert response.status_code == 302
        assert client.get("/centers/").status_code == 200
        assert AuditEntry.objects.filter(action="accounts.login", object_id="ops").exists()

    def test_a_wrong_code_is_refused_and_audited(self, personas: Personas) -> None:
        device, _ = enrolled(personas.ops)
        client = password_step("ops")
        response = client.post(VERIFY, {"code": code_for(device, later=100)})
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
        assert AuditEntry.objects.get(action="accounts.two_factor_failed").critical

    def test_a_backup_code_works_once(self, personas: Personas) -> None:
        _, codes = enrolled(personas.ops)
        client = password_step("ops")
        assert client.post(VERIFY, {"code": codes[0]}).status_code == 302
        again = password_step("ops")
        assert again.post(VERIFY, {"code": codes[0]}).status_code == 200


class TestWhoMustUseIt:
    def test_in_the_demo_it_is_offered_not_required(self, personas: Personas) -> None:
        body = Client().get("/accounts/login/", HTTP_COOKIE="pollguard_language=en")
        assert "offered here but not required" in body.content.decode()
        assert password_step("chair").get("/centers/").status_code == 200

    @override_settings(POLLGUARD_REQUIRE_2FA=True)
    def test_when_required_the_chair_must_enroll_before_anything_else(
        self, personas: Personas
    ) -> None:
        body = Client().get("/accounts/login/", HTTP_COOKIE="pollguard_language=en")
        assert "required here" in body.content.decode()
        client = password_step("chair")
        response = client.get("/centers/")
        assert response["Location"] == TWO_FACTOR
        assert client.get("/api/v1/centers").status_code == 403
        assert client.get(TWO_FACTOR).status_code == 200

    @override_settings(POLLGUARD_REQUIRE_2FA=True)
    @pytest.mark.parametrize("persona", ["ops", "staff"])
    def test_when_required_operations_and_staff_must_use_it_too(
        self, personas: Personas, persona: str
    ) -> None:
        if persona == "staff":
            User.objects.filter(username="auditor").update(is_staff=True)
        username = "auditor" if persona == "staff" else persona
        assert password_step(username).get("/centers/").status_code == 302

    @override_settings(POLLGUARD_REQUIRE_2FA=True)
    def test_when_required_a_sector_commander_is_not_forced(self, personas: Personas) -> None:
        assert password_step("cmd-rifai").get("/centers/").status_code == 200

    @override_settings(POLLGUARD_REQUIRE_2FA=True)
    def test_a_session_not_verified_by_a_code_is_sent_to_the_code_step(
        self, personas: Personas
    ) -> None:
        device, _ = enrolled(personas.chair)
        client = Client()
        client.force_login(personas.chair)  # as the admin's own login would
        assert client.get("/centers/")["Location"] == VERIFY
        client.post(VERIFY, {"code": code_for(device)})
        assert client.get("/centers/").status_code == 200


def test_production_settings_require_it_and_the_demo_does_not() -> None:
    def required(**env: str) -> str:
        code = "from pollguard.web import settings as s; print(s.POLLGUARD_REQUIRE_2FA)"
        clean = {k: v for k, v in os.environ.items() if not k.startswith("POLLGUARD_")}
        run = subprocess.run(
            [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True,
            check=True,
        )  # fmt: skip
        return run.stdout.strip()

    assert required(POLLGUARD_HTTPS="1") == "True"
    assert required() == "False"
    assert required(POLLGUARD_HTTPS="1", POLLGUARD_REQUIRE_2FA="0") == "False"
