"""Edits made in the Django admin are audited like actions (and stay in the hash chain)."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pollguard.accounts.actions import do_create_api_token
from pollguard.audit.actions import verify_chain
from pollguard.audit.models import AuditEntry

from .personas import Personas

pytestmark = pytest.mark.django_db


class FormValues(HTMLParser):
    """The values a browser would submit from the page's main form."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, Any] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.values[name] = a.get("value") or "on"
            else:
                self.values[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            if "multiple" not in a:  # an empty multiple select submits nothing
                self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data


def form_of(client: Client, url: str) -> dict[str, Any]:
    parser = FormValues()
    parser.feed(client.get(url).content.decode())
    return parser.values


@pytest.fixture
def admin_client_(personas: Personas) -> Client:
    User.objects.create_superuser("root", password="x" * 20)
    client = Client()
    client.force_login(User.objects.get(username="root"))
    return client


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


def test_editing_a_user_in_the_admin_is_audited(admin_client_: Client, personas: Personas) -> None:
    url = f"/admin/auth/user/{personas.ops.pk}/change/"
    data = form_of(admin_client_, url)
    data["is_staff"] = "on"
    response = admin_client_.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    [entry] = entries("admin.change_user")
    assert entry.actor_name == "root"
    assert entry.object_id == "ops"
    assert entry.after is not None
    assert entry.after["is_staff"] is True
    assert "password" not in entry.after
    assert verify_chain().ok


def test_a_password_set_in_the_admin_is_audited(admin_client_: Client, personas: Personas) -> None:
    url = f"/admin/auth/user/{personas.ops.pk}/password/"
    new = "another long passphrase 42"
    response = admin_client_.post(
        url, {"password1": new, "password2": new, "usable_password": "true"}
    )
    assert response.status_code == 302, response.content[:2000]
    [entry] = entries("admin.change_password")
    assert entry.object_id == "ops"
    assert verify_chain().ok


def test_deleting_a_user_in_the_admin_is_audited_and_keeps_the_chain(
    admin_client_: Client, personas: Personas
) -> None:
    url = f"/admin/auth/user/{personas.outsider.pk}/delete/"
    response = admin_client_.post(url, {"post": "yes"})
    assert response.status_code == 302
    [entry] = entries("admin.delete_user")
    assert entry.before is not None
    assert entry.before["username"] == "outsider"
    assert verify_chain().ok


def test_revoking_and_deleting_tokens_in_the_admin_is_audited(
    admin_client_: Client, personas: Personas
) -> None:
    token = do_create_api_token(personas.ops, name="script", acting_user=None).token
    url = f"/admin/accounts/apitoken/{token.pk}/change/"
    data = form_of(admin_client_, url)
    data["name"] = "renamed"
    assert admin_client_.post(url, data).status_code == 302
    assert entries("admin.change_apitoken")[0].after["name"] == "renamed"  # type: ignore[index]
    response = admin_client_.post(
        "/admin/accounts/apitoken/",
        {"action": "delete_selected", "_selected_action": [token.pk], "post": "yes"},
    )
    assert response.status_code == 302
    [deleted] = entries("admin.delete_apitoken")
    assert "digest" not in (deleted.before or {})
    assert verify_chain().ok
