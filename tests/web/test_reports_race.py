"""Situation reports issued at the same instant on PostgreSQL: distinct consecutive numbers,
and two corrections of one number get distinct versions.

Threads on separate connections start together at a barrier (as test_incidents_race.py);
SQLite serializes whole write transactions, so the race exists only here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection

from pollguard.accounts.actions import do_provision_user
from pollguard.accounts.choices import Role
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Election
from pollguard.reports.actions import do_issue_sitrep
from pollguard.reports.models import SituationReport

from .personas import BAGHDAD, make_package
from .test_incidents_race import THREADS, together

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serializes whole write transactions: no such race",
    ),
    pytest.mark.django_db(transaction=True),
]
START = datetime(2010, 3, 7, 6, 0, tzinfo=BAGHDAD)


@pytest.fixture
def setup() -> tuple[Election, Any]:
    do_load_package(make_package(), acting_user=None)
    election = Election.objects.get(code="test-2010")
    chair = do_provision_user("chair", password="x" * 20, role=Role.CHAIR, acting_user=None)
    return election, chair


def test_reports_issued_together_get_distinct_consecutive_numbers(
    setup: tuple[Election, Any],
) -> None:
    election, chair = setup
    results, errors = together(
        lambda i: do_issue_sitrep(
            election, period_from=START, period_to=START + timedelta(hours=1 + i),
            acting_user=chair,
        ).number
    )  # fmt: skip
    assert errors == []
    assert sorted(results) == list(range(1, THREADS + 1))
    first = SituationReport.objects.get(number=1)
    results, errors = together(
        lambda i: do_issue_sitrep(
            election, period_from=START, period_to=START + timedelta(hours=2),
            correcting=first, acting_user=chair,
        ).version
    )  # fmt: skip
    assert errors == []
    assert sorted(results) == list(range(2, THREADS + 2))
