"""Changing a center's status: optimistic concurrency, audit row and live event together."""

from __future__ import annotations

import pytest

from pollguard.audit.models import AuditEntry
from pollguard.common.errors import Conflict
from pollguard.live.models import Event
from pollguard.registry.actions import do_set_center_status
from pollguard.registry.choices import CenterStatus
from pollguard.registry.models import Center

from .personas import Personas

pytestmark = pytest.mark.django_db


def test_a_status_change_bumps_the_version_and_records_who_did_it(personas: Personas) -> None:
    center = Center.objects.get(code="C-0001")
    saved = do_set_center_status(
        center,
        CenterStatus.OPEN,
        acting_user=personas.ops,
        expected_version=1,
        remark="  on\ntime ",
    )
    assert (saved.status, saved.version) == ("open", 2)
    assert saved.status_changed_at is not None
    entry = AuditEntry.objects.get(action="registry.set_center_status")
    assert (entry.actor_name, entry.object_id) == ("ops", "C-0001")
    assert entry.before == {"status": "not_open", "version": 1}
    assert entry.after == {"status": "open", "version": 2, "remark": "on time"}
    change = center.status_changes.get()
    assert (change.from_status, change.to_status, change.actor_name) == ("not_open", "open", "ops")
    event = Event.objects.get(kind="center.status")
    assert event.sector_id == center.sector_id
    assert event.payload["center"] == "C-0001"
    assert (event.payload["from"], event.payload["remark"]) == ("not_open", "on time")


def test_the_second_of_two_concurrent_edits_conflicts(personas: Personas) -> None:
    # Both operators loaded the page at version 1.
    seen_by_ops = Center.objects.get(code="C-0001")
    seen_by_chair = Center.objects.get(code="C-0001")
    do_set_center_status(
        seen_by_ops, CenterStatus.OPEN, acting_user=personas.ops, expected_version=1
    )
    with pytest.raises(Conflict) as conflict:
        do_set_center_status(
            seen_by_chair, CenterStatus.CLOSED, acting_user=personas.chair, expected_version=1
        )
    assert conflict.value.current_version == 2
    assert Center.objects.get(code="C-0001").status == "open"
    assert AuditEntry.objects.filter(action="registry.set_center_status").count() == 1
    assert Event.objects.filter(kind="center.status").count() == 1
    # The refused edit leaves no trace in the center's history either.
    assert seen_by_ops.status_changes.count() == 1


def test_a_reload_of_the_package_makes_open_edit_forms_stale(personas: Personas) -> None:
    import dataclasses

    from pollguard.registry.loader import do_load_package

    from .personas import make_package

    package = make_package()
    renamed = dataclasses.replace(package.centers[0], name_en="Renamed")
    do_load_package(make_package(centers=(renamed, *package.centers[1:])), acting_user=None)
    center = Center.objects.get(code="C-0001")
    with pytest.raises(Conflict):
        do_set_center_status(
            center, CenterStatus.OPEN, acting_user=personas.ops, expected_version=1
        )
    assert center.status == "not_open"  # the load never touches operational status
