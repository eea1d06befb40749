"""API tokens: they expire, may be read-only, need the password, are shown once, and can
all be revoked at once; a password change revokes them. Own password change page."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pollguard.accounts.access import token_for, user_for_token
from pollguard.accounts.actions import do_create_api_token
from pollguard.accounts.models import ApiToken, Profile
from pollguard.audit.models import AuditEntry

from .personas import PASSWORD, Personas

pytestmark = pytest.mark.django_db

TOKENS = "/accounts/tokens/"
PASSWORD_PAGE = "/accounts/password/"


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def create(client: Client, **data: Any) -> Any:
    form = {"name": "script", "days": "30", "password": PASSWORD, **data}
    return client.post(TOKENS, form)


class TestTokenLifetime:
    def test_a_token_expires_after_the_days_chosen(self, personas: Personas) -> None:
        new = do_create_api_token(personas.ops, days=7, acting_user=None)
        expected = timezone.now() + timedelta(days=7)
        assert abs(new.token.expires_at - expected) < timedelta(minutes=1)
        assert Client().get("/api/v1/centers", headers=bearer(new.raw)).status_code == 200
        ApiToken.objects.filter(pk=new.token.pk).update(expires_at=timezone.now())
        assert Client().get("/api/v1/centers", headers=bearer(new.raw)).status_code == 401

    def test_a_token_lives_thirty_days_unless_told_and_never_more_than_ninety(
        self, personas: Personas
    ) -> None:
        new = do_create_api_token(personas.ops, acting_user=None)
        assert new.token.expires_at - new.token.created_at > timedelta(days=29)
        assert new.token.expires_at - new.token.created_at < timedelta(days=31)
        with pytest.raises(ValueError, match="90"):
            do_create_api_token(personas.ops, days=91, acting_user=None)

    def test_use_is_remembered(self, personas: Personas) -> None:
        new = do_create_api_token(personas.ops, acting_user=None)
        assert new.token.last_used_at is None
        Client().get("/api/v1/centers", headers=bearer(new.raw))
        new.token.refresh_from_db()
        assert new.token.last_used_at is not None


class TestReadOnlyTokens:
    def test_a_read_only_token_reads(self, personas: Personas) -> None:
        new = do_create_api_token(personas.ops, read_only=True, acting_user=None)
        assert Client().get("/api/v1/centers", headers=bearer(new.raw)).status_code == 200

    def test_a_read_only_token_may_not_change_anything(self, personas: Personas) -> None:
        new = do_create_api_token(personas.ops, read_only=True, acting_user=None)
        response = Client().patch(
            "/api/v1/centers/C-0001/status",
            {"status": "open", "version": 1},
            content_type="application/json",
            headers=bearer(new.raw),
        )
        assert response.status_code == 403
        full = do_create_api_token(personas.ops, acting_user=None)
        response = Client().patch(
            "/api/v1/centers/C-0001/status",
            {"status": "open", "version": 1},
            content_type="application/json",
            headers=bearer(full.raw),
        )
        assert response.status_code == 200


class TestTokensPage:
    def test_creating_a_token_needs_the_password(self, client_for: Any) -> None:
        client = client_for("ops")
        response = create(client, password="not-it")
        assert response.status_code == 200
        assert "password" in response.context["form"].errors
        assert not ApiToken.objects.exists()

    def test_the_new_token_is_shown_once_and_a_reload_creates_no_other(
        self, client_for: Any
    ) -> None:
        client = client_for("ops")
        response = create(client, name="dashboard", days="7", read_only="on")
        assert response.status_code == 302
        shown = client.get(TOKENS)
        raw = shown.context["new_token"]
        assert raw in shown.content.decode()
        token = token_for(raw)
        assert token is not None
        assert token.read_only
        reloaded = client.get(TOKENS)
        assert reloaded.context["new_token"] is None
        assert raw not in reloaded.content.decode()
        assert ApiToken.objects.count() == 1

    def test_the_list_shows_name_created_last_use_expiry_and_scope(
        self, client_for: Any, personas: Personas
    ) -> None:
        do_create_api_token(personas.ops, name="wall screen", read_only=True, acting_user=None)
        Profile.objects.filter(user=personas.ops).update(language="en")
        body = client_for("ops").get(TOKENS).content.decode()
        for text in ["wall screen", "Last used", "Expires", "read-only", "never"]:
            assert text in body

    def test_all_tokens_go_with_one_button_and_it_is_audited(
        self, client_for: Any, personas: Personas
    ) -> None:
        raws = [do_create_api_token(personas.ops, acting_user=None).raw for _ in range(3)]
        other = do_create_api_token(personas.chair, acting_user=None).raw
        response = client_for("ops").post(reverse("accounts:revoke_all_tokens"))
        assert response.status_code == 302
        assert all(user_for_token(raw) is None for raw in raws)
        assert user_for_token(other) == personas.chair
        entry = AuditEntry.objects.get(action="accounts.revoke_all_api_tokens")
        assert entry.critical
        assert entry.after == {"revoked": 3, "reason": "requested"}

    def test_signing_out_leaves_tokens_valid_they_are_credentials_of_their_own(
        self, client_for: Any, personas: Personas
    ) -> None:
        client = client_for("ops")
        raw = do_create_api_token(personas.ops, acting_user=None).raw
        client.post("/accounts/logout/")
        assert user_for_token(raw) == personas.ops


class TestOwnPassword:
    def test_a_user_changes_their_own_password_and_it_is_audited(
        self, client_for: Any, personas: Personas
    ) -> None:
        client = client_for("ops")
        assert client.get(PASSWORD_PAGE).status_code == 200
        data = {
            "old_password": PASSWORD,
            "new_password1": "Nasiriyah-checkpoint-7",
            "new_password2": "Nasiriyah-checkpoint-7",
        }
        response = client.post(PASSWORD_PAGE, data)
        assert response.status_code == 302
        personas.ops.refresh_from_db()
        assert personas.ops.check_password("Nasiriyah-checkpoint-7")
        assert client.get(TOKENS).status_code == 200  # this session stays signed in
        entry = AuditEntry.objects.get(action="accounts.change_password", object_id="ops")
        assert entry.critical

    def test_a_password_change_revokes_every_token(
        self, client_for: Any, personas: Personas
    ) -> None:
        raw = do_create_api_token(personas.ops, acting_user=None).raw
        data = {
            "old_password": PASSWORD,
            "new_password1": "Nasiriyah-checkpoint-7",
            "new_password2": "Nasiriyah-checkpoint-7",
        }
        client_for("ops").post(PASSWORD_PAGE, data)
        assert user_for_token(raw) is None

    def test_django_validators_refuse_a_weak_password(
        self, client_for: Any, personas: Personas
    ) -> None:
        data = {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"}
        response = client_for("ops").post(PASSWORD_PAGE, data)
        assert response.status_code == 200
        assert response.context["form"].errors["new_password2"]
        personas.ops.refresh_from_db()
        assert personas.ops.check_password(PASSWORD)


class TestTokenCommand:
    def test_the_command_takes_days_and_read_only(self, personas: Personas) -> None:
        out = io.StringIO()
        call_command("pollguard_token", "ihec", "--days", "7", "--read-only", stdout=out)
        token = token_for(out.getvalue().strip())
        assert token is not None
        assert token.read_only
        assert token.expires_at - token.created_at < timedelta(days=8)

    def test_the_command_refuses_more_than_ninety_days(self, personas: Personas) -> None:
        with pytest.raises(CommandError, match="90"):
            call_command("pollguard_token", "ihec", "--days", "365", stdout=io.StringIO())
