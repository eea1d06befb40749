"""A package reload racing a center status change on PostgreSQL loses neither change.

The loader reads the centers, compares, then writes the changed ones in bulk. Nothing
locks a center between that read and that write, so an operator's status change can
commit in between. The test puts it exactly there (no timing: the loader's bulk write of
centers first runs the status change on another connection and waits for its commit).
"""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.db.models.query import QuerySet

from pollguard.audit.actions import verify_chain
from pollguard.audit.models import AuditEntry
from pollguard.registry.actions import do_set_center_status
from pollguard.registry.choices import CenterStatus
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Center
from pollguard.web.errors import Conflict

from .personas import make_package

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serializes whole write transactions (BEGIN IMMEDIATE): no such race",
    ),
    pytest.mark.django_db(transaction=True),
]


def renamed_package() -> Any:
    base = make_package()
    first = dataclasses.replace(base.centers[0], name_en="Rifai Boys School (renamed)")
    return make_package(centers=(first, *base.centers[1:]))


def test_a_status_change_during_a_reload_keeps_its_version_increment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    do_load_package(make_package(), acting_user=None)
    seen = Center.objects.get(code="C-0001")
    original = QuerySet.bulk_update
    done: list[Center] = []

    def operator() -> None:
        try:
            center = Center.objects.get(code="C-0001")
            done.append(
                do_set_center_status(
                    center, CenterStatus.OPEN, acting_user=None, expected_version=center.version
                )
            )
        finally:
            connections.close_all()

    def bulk_update_after_a_status_change(self: QuerySet[Any], objs: Any, *a: Any, **k: Any) -> Any:
        if self.model is Center and not done:
            thread = threading.Thread(target=operator)
            thread.start()
            thread.join(timeout=20)
            assert done, "the status change did not commit"
        return original(self, objs, *a, **k)

    monkeypatch.setattr(QuerySet, "bulk_update", bulk_update_after_a_status_change)
    do_load_package(renamed_package(), acting_user=None)

    center = Center.objects.get(code="C-0001")
    assert center.status == CenterStatus.OPEN
    assert center.name_en == "Rifai Boys School (renamed)"
    # Two changes, two increments: the operator's view (after their change) is stale now.
    assert done[0].version == seen.version + 1
    assert center.version == seen.version + 2
    with pytest.raises(Conflict):
        do_set_center_status(
            center, CenterStatus.CLOSED, acting_user=None, expected_version=done[0].version
        )
    assert AuditEntry.objects.filter(action="registry.set_center_status").count() == 1
    assert verify_chain().ok
