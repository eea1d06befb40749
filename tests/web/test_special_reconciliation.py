"""Reconciliation of the special register with the deployment roster, API and exports."""

from __future__ import annotations

import copy
import csv
import dataclasses
import io
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pollguard.core import model as core
from pollguard.core.package import read_package
from pollguard.jobs.actions import do_request_job
from pollguard.planning.actions import do_decide_plan, do_store_plan, do_submit_plan
from pollguard.planning.jobs import PLAN_RUN
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Center, Election
from pollguard.specialvote import clock
from pollguard.specialvote.actions import do_check_in
from pollguard.specialvote.reconciliation import reconcile

from .personas import BAGHDAD, Personas, make_package

DEMO = Path(__file__).resolve().parents[2] / "scenarios" / "dhi-qar-2010"


@pytest.fixture
def small_package() -> core.ElectionPackage:
    """Roster: P-1, P-2 (U-0001, al-Rifai, not registered), P-3 (U-0003, registered),
    P-4 (U-0002, army, registered). Register also: X-9 (U-0005), on no roster."""
    base = make_package()
    return dataclasses.replace(
        base,
        personnel=(*base.personnel, core.Person("P-4", "كريم عباس", "U-0002")),
        special_register=(
            *base.special_register,
            core.SpecialVoter("P-4", "كريم عباس", "C-0101", unit="U-0002"),
            core.SpecialVoter("X-9", "سالم ناصر", "C-0101", unit="U-0005"),
        ),
    )


def get(client: Client, path: str) -> Any:
    return client.get(f"/api/v1{path}")


def approve(election: Election, personas: Personas, units: list[str]) -> None:
    """An approved plan whose assignments name `units` (one post each)."""
    job, _ = do_request_job(
        PLAN_RUN,
        parameters={"time_limit": 2, "seed": 0},
        election_id=election.pk,
        acting_user=personas.ops,
    )
    document = {
        "schema": "pollguard.plan/1",
        "assignments": [
            {"unit": u, "center": "C-0001", "role": "inner_cordon", "headcount": 4} for u in units
        ],
        "sweeps": [],
        "shortfalls": [],
        "metrics": {"objective": 0.0, "bound": 0.0, "gap": 0.0},
    }
    plan = do_store_plan(
        election=election,
        document=copy.deepcopy(document),
        sector_of={c.code: c.sector.code for c in Center.objects.select_related("sector")},
        params={"time_limit": 2, "seed": 0},
        based_on=None,
        job=job,
    )
    plan = do_submit_plan(plan, acting_user=personas.ops)
    do_decide_plan(plan, approve=True, comment="", acting_user=personas.chair)


def test_without_an_approved_plan_the_whole_roster_counts_and_says_so(client_for: Any) -> None:
    got = get(client_for("commission"), "/special-vote/reconciliation").json()
    assert (got["basis"], got["plan"]) == ("roster", None)
    t = got["totals"]
    assert (t["deployed"], t["registered"], t["deployed_registered"]) == (4, 3, 2)
    assert (t["deployed_not_registered"], t["registered_not_deployed"]) == (2, 1)
    assert got["deployed_not_registered"]["by_unit"] == [
        {"unit": "U-0001", "agency": "IP", "sector": "RIF", "count": 2}
    ]
    assert got["registered_not_deployed"]["by_unit"] == [
        {"unit": "U-0005", "agency": "IA", "sector": None, "count": 1}
    ]
    sectors = {s["code"]: s["deployed_not_registered"] for s in got["sectors"]}
    assert sectors == {"RIF": 2, "SHA": 0, None: 0}
    agencies = {a["code"]: a["registered"] for a in got["agencies"]}
    assert agencies == {"IP": 1, "IA": 2}


def test_with_an_approved_plan_only_its_units_are_deployed(
    client_for: Any, election: Election, personas: Personas
) -> None:
    approve(election, personas, ["U-0001", "U-0003"])
    got = get(client_for("chair"), "/special-vote/reconciliation").json()
    assert got["basis"] == "approved_plan"
    assert got["plan"] is not None
    t = got["totals"]
    # P-4's army unit guards nothing in this plan: registered, not deployed (with X-9).
    assert (t["deployed"], t["deployed_not_registered"], t["registered_not_deployed"]) == (3, 2, 2)
    assert {r["unit"] for r in got["registered_not_deployed"]["by_unit"]} == {"U-0002", "U-0005"}


def test_registered_not_yet_voted_falls_as_voters_check_in(
    client_for: Any, election: Election, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock, "now", lambda: datetime(2010, 3, 4, 10, 0, tzinfo=BAGHDAD))
    before = reconcile(election).totals
    assert (before.voted, before.registered_not_voted) == (0, 3)
    do_check_in(election, voter="P-3", station="C-0101-01", acting_user=personas.commission)
    after = get(client_for("auditor"), "/special-vote/reconciliation").json()["totals"]
    assert (after["voted"], after["registered_not_voted"]) == (1, 2)


def test_the_reconciliation_takes_a_fixed_number_of_queries(election: Election) -> None:
    with CaptureQueriesContext(connection) as queries:
        reconcile(election)
    assert len(queries) <= 5


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_flagged_people_export_in_csv_and_xlsx(client_for: Any, fmt: str) -> None:
    answer = client_for("commission").get(f"/special-vote/reconciliation/export.{fmt}")
    assert answer.status_code == 200
    assert "attachment" in answer["Content-Disposition"]
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    else:
        book = openpyxl.load_workbook(io.BytesIO(answer.content), read_only=True)
        rows = [
            [c if c is not None else "" for c in r]
            for r in book.worksheets[0].iter_rows(values_only=True)
        ]
    header, *people = rows
    assert header[:3] == ["id", "name_ar", "unit"]
    assert sorted(p[0] for p in people) == ["P-1", "P-2"]
    assert {p[2] for p in people} == {"U-0001"}


@pytest.mark.parametrize("persona", ["cmd_rifai", "intel", "field", "liaison_army"])
def test_the_export_is_404_for_those_who_do_not_see_the_special_vote(
    client_for: Any, persona: str
) -> None:
    client = client_for(persona)
    assert client.get("/special-vote/reconciliation/export.csv").status_code == 404
    assert client.get("/special-vote/reconciliation/").status_code == 404


@pytest.mark.slow
def test_the_demo_shows_the_6300_police_missing_from_the_register(
    db: None, client: Client, personas_demo: Any
) -> None:
    got = json.loads(client.get("/api/v1/special-vote/reconciliation").content)
    t = got["totals"]
    assert (t["deployed"], t["registered"]) == (24_600, 18_300)
    assert t["deployed_not_registered"] == 6_300
    police_units = {u["code"] for u in got["units"]}
    assert sum(r["count"] for r in got["deployed_not_registered"]["by_unit"]) == 6_300
    assert police_units
    page = client.get("/special-vote/reconciliation/")
    assert page.status_code == 200
    assert "6,300" in page.content.decode()
    # The demo's ballot: 21 political entities and 7 of the Christian component.
    ballot = client.get("/custody/ballot/").content.decode()
    summary = ballot.split('data-testid="ballot-summary"')[1].split("</p>")[0]
    assert re.search(r"(?<!\d)21\D+(?<!\d)7(?!\d)", summary), summary


@pytest.fixture
def personas_demo(db: None, client: Client) -> None:
    from pollguard.accounts.actions import do_provision_user
    from pollguard.accounts.choices import Role

    do_load_package(read_package(DEMO), acting_user=None)
    user = do_provision_user(
        "ihec", password="x-long-password-1", role=Role.COMMISSION, acting_user=None
    )
    client.force_login(user)
