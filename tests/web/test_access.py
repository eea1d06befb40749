"""Who sees which registry objects (registry/access.py), role by role."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pollguard.common.errors import NotFound
from pollguard.registry import access

from .personas import Personas

pytestmark = pytest.mark.django_db

CENTERS_SEEN = {
    "chair": {"C-0001", "C-0002", "C-0003", "C-0004", "C-0101"},
    "ops": {"C-0001", "C-0002", "C-0003", "C-0004", "C-0101"},
    "auditor": {"C-0001", "C-0002", "C-0003", "C-0004", "C-0101"},
    "commission": {"C-0001", "C-0002", "C-0003", "C-0004", "C-0101"},
    "intel": {"C-0001", "C-0002", "C-0003", "C-0004", "C-0101"},
    "cmd_rifai": {"C-0001", "C-0002"},
    "cmd_shatra": {"C-0003", "C-0004", "C-0101"},
    "liaison_army": set(),
    "field": {"C-0003"},
    "outsider": set(),
}

UNITS_SEEN = {
    "chair": {"U-0001", "U-0002", "U-0003", "U-0004", "U-0005"},
    "ops": {"U-0001", "U-0002", "U-0003", "U-0004", "U-0005"},
    "auditor": {"U-0001", "U-0002", "U-0003", "U-0004", "U-0005"},
    "commission": set(),
    "intel": set(),
    "cmd_rifai": {"U-0001", "U-0002"},
    "cmd_shatra": {"U-0003", "U-0004"},
    "liaison_army": {"U-0002", "U-0005"},
    "field": set(),
    "outsider": set(),
}


@pytest.mark.parametrize(("persona", "expected"), CENTERS_SEEN.items())
def test_each_role_sees_exactly_its_centers(
    personas: Personas, persona: str, expected: set[str]
) -> None:
    user = personas[persona]
    assert {c.code for c in access.centers_for(user)} == expected
    for code in CENTERS_SEEN["chair"] - expected:
        with pytest.raises(NotFound):
            access.access_center(user, code)


@pytest.mark.parametrize(("persona", "expected"), UNITS_SEEN.items())
def test_each_role_sees_exactly_its_units(
    personas: Personas, persona: str, expected: set[str]
) -> None:
    user = personas[persona]
    assert {u.code for u in access.units_for(user)} == expected
    for code in UNITS_SEEN["chair"] - expected:
        with pytest.raises(NotFound):
            access.access_unit(user, code)


def test_a_missing_center_and_another_sectors_center_raise_the_same_error(
    personas: Personas,
) -> None:
    with pytest.raises(NotFound) as missing:
        access.access_center(personas.cmd_rifai, "C-9999")
    with pytest.raises(NotFound) as foreign:
        access.access_center(personas.cmd_rifai, "C-0003")
    assert type(missing.value) is type(foreign.value)


@pytest.mark.parametrize("persona", ["chair", "intel", "auditor"])
def test_intelligence_reports_reach_the_chair_intelligence_and_the_auditor(
    personas: Personas, persona: str
) -> None:
    assert [r.code for r in access.intel_reports_for(personas[persona])] == ["I-1"]


@pytest.mark.parametrize(
    "persona", ["ops", "commission", "cmd_rifai", "liaison_army", "field", "outsider"]
)
def test_intelligence_reports_are_hidden_from_everyone_else(
    personas: Personas, persona: str
) -> None:
    assert not access.intel_reports_for(personas[persona]).exists()


def test_the_overview_counts_a_sector_commanders_own_sector_only(personas: Personas) -> None:
    rows = access.sector_summary(personas.cmd_rifai)
    assert [(r.sector.code if r.sector else None) for r in rows] == ["RIF"]
    assert (rows[0].centers, rows[0].stations, rows[0].voters) == (2, 6, 3300)
    assert (rows[0].units, rows[0].headcount, rows[0].personnel) == (2, 160, 2)


def test_the_overview_adds_a_reserve_row_for_those_who_see_reserves(personas: Personas) -> None:
    rows = {(r.sector.code if r.sector else None): r for r in access.sector_summary(personas.ops)}
    assert set(rows) == {"RIF", "SHA", None}
    assert rows["SHA"].centers == 3
    assert (rows[None].units, rows[None].headcount) == (1, 200)


def test_the_overview_takes_a_fixed_number_of_queries(personas: Personas) -> None:
    user = User.objects.get(pk=personas.ops.pk)  # fresh: no cached profile
    with CaptureQueriesContext(connection) as queries:
        access.sector_summary(user)
    assert len(queries) == 6  # profile, election, sectors, centers, units, personnel
