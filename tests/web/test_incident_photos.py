"""Photos sent with incident reports (issue 14, item 4): `POST /api/v1/incidents/{code}/photos`
with the image as the body and an Idempotency-Key; validated type and size; shown on the
incident page to those who see the incident, never on the public page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from pollguard.audit.models import AuditEntry
from pollguard.operations.models import PHOTO_MAX_BYTES, IncidentPhoto

from .test_incidents import file

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def send(
    client: Client, code: str, data: bytes, *, kind: str = "image/jpeg", key: str = "k1"
) -> Any:
    return client.post(
        f"/api/v1/incidents/{code}/photos",
        data,
        content_type=kind,
        headers={"Idempotency-Key": key} if key else {},
    )


# At C-0003 (al-Shatra), filed by its field reporter.
PHOTO_SENDERS = {
    "field": 201, "ops": 201, "chair": 201, "cmd_shatra": 201,
    "auditor": 403, "intel": 403,
    "cmd_rifai": 404, "commission": 404, "liaison_army": 404, "outsider": 404,
}  # fmt: skip


@pytest.mark.parametrize(("persona", "status"), sorted(PHOTO_SENDERS.items()))
def test_who_may_add_a_photo(client_for: Any, persona: str, status: int) -> None:
    code = file(client_for("field"), center="C-0003")
    answer = send(client_for(persona), code, JPEG)
    assert answer.status_code == status, answer.content
    assert IncidentPhoto.objects.count() == (1 if status == 201 else 0)


def test_a_resend_is_stored_once_and_other_bytes_with_the_same_key_are_409(
    client_for: Any,
) -> None:
    field = client_for("field")
    code = file(field, center="C-0003")
    first = send(field, code, JPEG)
    assert first.status_code == 201
    body = first.json()
    assert body["incident"] == code
    assert body["content_type"] == "image/jpeg"
    assert body["size"] == len(JPEG)
    again = send(field, code, JPEG)
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert send(field, code, JPEG + b"x").status_code == 409
    assert send(field, code, PNG, kind="image/png", key="k2").status_code == 201
    assert IncidentPhoto.objects.count() == 2
    assert AuditEntry.objects.filter(action="operations.attach_photo").count() == 2


@pytest.mark.parametrize(
    ("data", "kind", "message"),
    [
        (b"hello, not an image", "image/jpeg", "photo: send a JPEG, PNG or WebP image"),
        (PNG, "image/jpeg", "photo: send a JPEG, PNG or WebP image"),
        (b"GIF89a" + b"\x00" * 20, "image/gif", "photo: send a JPEG, PNG or WebP image"),
        (
            JPEG[:3] + b"\x00" * PHOTO_MAX_BYTES,
            "image/jpeg",
            f"photo: the photo is {PHOTO_MAX_BYTES + 3} bytes; at most {PHOTO_MAX_BYTES} are",
        ),
    ],
)
def test_a_bad_photo_is_422_naming_the_field_and_stores_nothing(
    client_for: Any, personas: Any, data: bytes, kind: str, message: str
) -> None:
    from pollguard.accounts.models import Profile

    Profile.objects.filter(user=personas.field).update(language="en")
    field = client_for("field")
    code = file(field, center="C-0003")
    answer = send(field, code, data, kind=kind)
    assert answer.status_code == 422, answer.content
    assert any(message in line for line in answer.json()["detail"]), answer.json()
    assert not IncidentPhoto.objects.exists()


def test_a_photo_needs_an_idempotency_key(client_for: Any) -> None:
    field = client_for("field")
    code = file(field, center="C-0003")
    assert send(field, code, JPEG, key="").status_code == 422


def test_the_arabic_error_for_a_bad_photo(client_for: Any, personas: Any) -> None:
    field = client_for("field")
    code = file(field, center="C-0003")
    answer = field.post(
        f"/api/v1/incidents/{code}/photos",
        b"nope",
        content_type="image/png",
        headers={"Idempotency-Key": "k", "Accept-Language": "ar"},
    )
    assert answer.status_code == 422
    assert "أرسل صورة بصيغة JPEG أو PNG أو WebP" in " ".join(answer.json()["detail"])


def test_the_photo_shows_to_those_who_see_the_incident_and_never_publicly(
    client_for: Any,
) -> None:
    field = client_for("field")
    code = file(field, center="C-0003")
    photo_id = send(field, code, JPEG).json()["id"]
    url = f"/operations/{code}/photos/{photo_id}"
    for persona in ("field", "ops", "auditor", "cmd_shatra", "chair"):
        client = client_for(persona)
        assert url in client.get(f"/operations/{code}/").content.decode(), persona
        shown = client.get(url)
        assert shown.status_code == 200
        assert shown["Content-Type"] == "image/jpeg"
        assert shown.content == JPEG
        assert "no-store" in shown["Cache-Control"]
    for persona in ("cmd_rifai", "commission", "outsider"):
        assert client_for(persona).get(url).status_code == 404, persona
    assert Client().get(url).status_code == 302  # to the login page
    assert client_for("ops").get(f"/operations/{code}/photos/not-a-uuid").status_code == 404
    public = Client().get("/public/centers/C-0003/")
    assert photo_id not in public.content.decode()
    assert "/photos/" not in public.content.decode()


def test_a_field_reporter_files_at_his_phones_position_near_his_center_only(
    client_for: Any,
) -> None:
    from .test_incidents import call, report

    field = client_for("field")  # C-0003 at 31.41, 46.17
    near = call(field, "post", "/incidents", report(center=None, lat=31.415, lon=46.172))
    assert near.status_code == 201, near.content  # ~600 m away
    code = near.json()["code"]
    assert call(field, "get", f"/incidents/{code}").status_code == 200
    assert send(field, code, JPEG).status_code == 201
    far = call(field, "post", "/incidents", report(center=None, lat=31.45, lon=46.17))
    assert far.status_code == 422  # ~4.5 km: not his place
    assert "center" in far.json()["detail"][0]
