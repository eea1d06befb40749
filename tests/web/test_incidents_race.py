"""Concurrent incident creates on PostgreSQL: numbers never repeat, a retried create with
the same Idempotency-Key is stored once, one unit is never sent twice without a reason.

Threads on separate connections start together at a barrier; nothing waits on time.
(SQLite takes the whole database's write lock per transaction: no such race there, and
the same code paths run single-threaded in test_incidents.py.)
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from pollguard.accounts.actions import do_provision_user
from pollguard.accounts.choices import Role
from pollguard.common.errors import Conflict
from pollguard.operations.actions import (
    IncidentDraft,
    do_dispatch_unit,
    do_file_incident,
    do_set_unit_status,
    do_transition_incident,
    election_zone,
    next_number,
    number_sequence,
)
from pollguard.operations.choices import IncidentKind, IncidentState, UnitStatus
from pollguard.operations.models import Assignment, Incident, IncidentCounter
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Center, Election, Unit

from .personas import make_package

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serializes whole write transactions: no such race",
    ),
    pytest.mark.django_db(transaction=True),
]

THREADS = 12


def together(work: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    barrier = threading.Barrier(THREADS)
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            value = work(i)
            with lock:
                results.append(value)
        except BaseException as error:  # collected and asserted on by the test
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


@pytest.fixture
def setup() -> tuple[Election, Any]:
    do_load_package(make_package(), acting_user=None)
    election = Election.objects.get(code="test-2010")
    ops = do_provision_user("ops", password="x" * 20, role=Role.OPERATIONS, acting_user=None)
    return election, ops


def draft(text: str = "") -> IncidentDraft:
    return IncidentDraft(
        kind=IncidentKind.CROWD,
        severity=2,
        text=text,
        observed_at=timezone.now(),
        center=Center.objects.get(code="C-0001"),
    )


def test_concurrent_creates_get_distinct_consecutive_numbers(setup: tuple[Election, Any]) -> None:
    election, ops = setup
    results, errors = together(
        lambda i: do_file_incident(election, draft(f"t{i}"), acting_user=ops)[0].code
    )
    assert errors == []
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in results)
    # The year's sequence outlives the tables' flush between tests: distinct and with no
    # gap (nothing rolled back), from wherever an earlier test left it.
    assert numbers == list(range(numbers[0], numbers[0] + THREADS))


def test_a_rolled_back_create_leaves_a_gap_and_no_repeat(setup: tuple[Election, Any]) -> None:
    election, ops = setup
    first = int(do_file_incident(election, draft("a"), acting_user=ops)[0].code.rsplit("-", 1)[1])
    year = int(Incident.objects.get().code.split("-")[1])
    drawn: list[int] = []

    def failing_create() -> None:
        with transaction.atomic():
            drawn.append(next_number(f"INC-{year}"))
            raise RuntimeError("the create fails after drawing its number")

    with pytest.raises(RuntimeError):
        failing_create()
    after = int(do_file_incident(election, draft("b"), acting_user=ops)[0].code.rsplit("-", 1)[1])
    assert drawn == [first + 1]
    assert after == first + 2  # the documented gap: the number is not given back


def test_the_sequence_starts_after_an_existing_counter(setup: tuple[Election, Any]) -> None:
    """An installation that numbered with the counter row goes on after its last number."""
    election, ops = setup
    year = timezone.now().astimezone(election_zone(election)).year
    key = f"INC-{year}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SEQUENCE IF EXISTS {number_sequence(key)}")
    IncidentCounter.objects.update_or_create(key=key, defaults={"last": 41})
    code = do_file_incident(election, draft("c"), acting_user=ops)[0].code
    assert code == f"INC-{year}-00042"


def test_concurrent_retries_with_one_key_are_stored_once(setup: tuple[Election, Any]) -> None:
    election, ops = setup
    body = draft("same")
    results, errors = together(
        lambda i: do_file_incident(election, body, acting_user=ops, idempotency_key="k-1")
    )
    assert errors == []
    assert len({incident.code for incident, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert Incident.objects.count() == 1


def test_one_unit_sent_to_many_incidents_at_once_goes_to_one(setup: tuple[Election, Any]) -> None:
    election, ops = setup
    incidents = []
    for i in range(THREADS):
        incident = do_file_incident(election, draft(f"d{i}"), acting_user=ops)[0]
        incidents.append(do_transition_incident(incident, IncidentState.VERIFIED, acting_user=ops))
    unit = Unit.objects.get(code="U-0005")
    # The status row exists already: otherwise its first insert (unique per unit) would
    # queue the threads by itself and the test would not exercise the row lock.
    do_set_unit_status(unit, UnitStatus.AT_POST, acting_user=ops, expected_version=1)
    results, errors = together(lambda i: do_dispatch_unit(incidents[i], unit, acting_user=ops))
    assert len(results) == 1
    assert len(errors) == THREADS - 1
    assert all(isinstance(e, Conflict) for e in errors)
    assert Assignment.objects.filter(unit=unit).count() == 1
