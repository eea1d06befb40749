"""The station board's query count does not grow with the number of stations (design.md
section 7: list endpoints with a fixed number of queries; the demo's board took a second)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from pollguard.core import model as core
from pollguard.fieldreports.actions import (
    CheckinReport,
    do_generate_expected_checkins,
    do_record_checkin,
)
from pollguard.fieldreports.choices import Channel
from pollguard.fieldreports.models import ExpectedCheckin
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Election, Station

URLS = ("/api/v1/board?limit=500", "/board/", "/board/?exception=conflict")


def _conflict(station: str) -> None:
    """Two different opening reports of one station: a conflict with its two choices."""
    expected = ExpectedCheckin.objects.select_related("station").get(
        station__code=station, slot="opening"
    )
    for status in ("open", "suspended"):
        report = CheckinReport(uuid.uuid4(), "opening", status, None, expected.due_at)
        do_record_checkin(
            expected.station, report, channel=Channel.API, reporter_key=f"t:{status}",
            acting_user=None, now=expected.due_at + timedelta(minutes=5),
        )  # fmt: skip


def _counts(client: Any) -> list[int]:
    found = []
    for url in URLS:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, url
        found.append(len(queries))
    return found


def test_the_board_makes_as_many_queries_for_many_stations_as_for_few(
    election: Election, small_package: core.ElectionPackage, client_for: Any
) -> None:
    do_generate_expected_checkins(election, acting_user=None)
    _conflict("C-0001-01")
    client = client_for("chair")
    client.get("/api/v1/board?limit=1")  # the session's first request loads more
    few_stations = Station.objects.count()
    few = _counts(client)

    # Ten times the stations at every center, and a conflict in each sector.
    bigger = dataclasses.replace(
        small_package,
        centers=tuple(
            dataclasses.replace(c, stations=c.stations * 10) for c in small_package.centers
        ),
    )
    do_load_package(bigger, acting_user=None)
    do_generate_expected_checkins(election, acting_user=None)
    _conflict("C-0001-07")
    _conflict("C-0003-12")
    assert Station.objects.count() >= 10 * few_stations
    many = _counts(client)

    assert many == few
    # And few: session, user, profile, election and the board's own handful.
    assert max(many) <= 20
    rows = client.get("/api/v1/board?limit=500").json()["items"]
    assert len(rows) == Station.objects.count()
    conflicts = [r["station"] for r in rows if any(s["state"] == "conflict" for s in r["slots"])]
    assert conflicts == ["C-0001-01", "C-0001-07", "C-0003-12"]
