"""The audit page: the auditor and the chair read the trail and verify it; nobody else sees it."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pollguard.audit.actions import do_chain_entries, do_make_checkpoint
from pollguard.audit.models import AuditEntry
from pollguard.registry.actions import do_set_center_status
from pollguard.registry.choices import CenterStatus
from pollguard.registry.models import Center

from .personas import PERSONAS, Personas

pytestmark = pytest.mark.django_db
READERS = {"auditor", "chair"}


@pytest.fixture(autouse=True)
def audit_key(settings: Any, tmp_path: Path) -> None:
    settings.POLLGUARD_AUDIT_KEY_FILE = tmp_path / "audit.pem"


def status_change(personas: Personas) -> AuditEntry:
    center = Center.objects.get(code="C-0001")
    do_set_center_status(
        center, CenterStatus.OPEN, acting_user=personas.ops, expected_version=center.version
    )
    do_chain_entries()
    return AuditEntry.objects.get(action="registry.set_center_status")


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_auditor_and_the_chair_see_the_trail(
    client_for: Any, personas: Personas, persona: str
) -> None:
    entry = status_change(personas)
    client = client_for(persona)
    pages = [client.get("/audit/"), client.get(f"/audit/{entry.seq}/")]
    verify = client.post("/audit/verify")
    if persona in READERS:
        assert [p.status_code for p in pages] == [200, 200]
        assert verify.status_code == 302
        assert b'href="/audit/"' in pages[0].content  # the navigation link
    else:
        assert [p.status_code for p in pages] == [404, 404]
        assert verify.status_code == 404
        assert b'href="/audit/"' not in client.get("/").content
    assert AuditEntry.objects.filter(action="audit.verify").exists() == (persona in READERS)


def test_the_list_searches_by_action_actor_object_and_date(
    client_for: Any, personas: Personas
) -> None:
    entry = status_change(personas)
    client = client_for("auditor")
    found = client.get("/audit/", {"action": "set_center", "actor": "ops", "object": "C-0001"})
    assert f'data-seq="{entry.seq}"'.encode() in found.content
    assert found.content.count(b"data-seq=") == 1
    # The day as the page reads it: in the election's time zone (Baghdad is UTC+3, so
    # between 21:00 and 24:00 UTC the UTC date is the day before).
    day = entry.created_at.astimezone(ZoneInfo("Asia/Baghdad")).date().isoformat()
    assert client.get("/audit/", {"since": day, "until": day}).content.count(b"data-seq=") > 1
    none = client.get("/audit/", {"until": "2001-01-01"})
    assert b"data-seq=" not in none.content


def test_the_list_runs_a_fixed_number_of_queries(client_for: Any, personas: Personas) -> None:
    client = client_for("auditor")
    client.get("/audit/")
    with CaptureQueriesContext(connection) as few:
        client.get("/audit/")
    for _ in range(30):
        status_change_again(personas)
    with CaptureQueriesContext(connection) as many:
        client.get("/audit/")
    assert len(many) == len(few)


def status_change_again(personas: Personas) -> None:
    center = Center.objects.get(code="C-0002")
    status = CenterStatus.OPEN if center.status != CenterStatus.OPEN else CenterStatus.CLOSED
    do_set_center_status(center, status, acting_user=personas.ops, expected_version=center.version)


def test_an_entry_shows_its_diff_hashes_and_previous_entry(
    client_for: Any, personas: Personas
) -> None:
    entry = status_change(personas)
    page = client_for("auditor").get(f"/audit/{entry.seq}/").content.decode()
    assert entry.hash in page
    assert entry.prev_hash in page
    assert f'href="/audit/{entry.seq - 1}/"' in page
    assert "<strong>open</strong>" in page  # the changed field is marked
    assert client_for("auditor").get("/audit/99999/").status_code == 404


def test_verify_now_reports_the_result_and_is_audited(client_for: Any, personas: Personas) -> None:
    do_make_checkpoint(acting_user=None)
    client = client_for("auditor")
    response = client.post("/audit/verify", follow=True)
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="audit.verify")
    assert entry.actor_name == "auditor"
    assert entry.after is not None
    assert entry.after["ok"] is True
    assert "pg-message--success" in response.content.decode()
    AuditEntry.objects.filter(seq=1).update(after={})
    client.post("/audit/verify")
    broken = AuditEntry.objects.filter(action="audit.verify").order_by("-id").first()
    assert broken is not None
    assert broken.after is not None
    assert broken.after["ok"] is False
    status = client.get("/audit/").content.decode()
    assert 'data-testid="audit-status"' in status


def test_the_page_is_arabic_for_an_arabic_user(client_for: Any, personas: Personas) -> None:
    page = client_for("auditor").get("/audit/").content.decode()
    assert 'dir="rtl"' in page
    assert "Verify now" not in page
