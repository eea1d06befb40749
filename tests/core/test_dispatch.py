"""Dispatch suggestions for an incident (pollguard.core.planning.dispatch)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import pytest

from pollguard.core.geo import haversine_km
from pollguard.core.model import (
    PACKAGE_FORMAT_VERSION,
    Agency,
    Center,
    Election,
    ElectionPackage,
    Policy,
    RolePolicy,
    Sector,
    SweepPolicy,
    Unit,
    UnitKind,
)
from pollguard.core.planning.dispatch import (
    DispatchIndex,
    SuggestionReason,
    suggest_units,
)

BAGHDAD = timezone(timedelta(hours=3))
INCIDENT = (31.0, 46.0)


@dataclass(frozen=True)
class Assignment:
    unit: str
    center: str
    role: str
    headcount: int


def police(
    code: str,
    lat: float,
    *,
    sector: str | None = "S1",
    headcount: int = 8,
    team_size: int | None = None,
    kind: UnitKind = UnitKind.POLICE,
    max_km: float | None = None,
    speed: float | None = None,
) -> Unit:
    return Unit(
        code,
        "IP",
        kind,
        headcount,
        sector,
        lat,
        46.0,
        team_size=team_size,
        max_distance_km=max_km,
        speed_kmh=speed,
    )


def package(units: list[Unit]) -> ElectionPackage:
    start = datetime(2010, 3, 6, 6, tzinfo=BAGHDAD)
    return ElectionPackage(
        version=PACKAGE_FORMAT_VERSION,
        election=Election(
            "t",
            "T",
            "ت",
            "DQ",
            "Dhi Qar",
            "ذي قار",
            "Asia/Baghdad",
            date(2010, 3, 4),
            date(2010, 3, 7),
            time(7),
            time(17),
        ),
        policy=Policy(
            roles={
                "inner_cordon": RolePolicy(frozenset({UnitKind.POLICE}), 4),
                "outer_cordon": RolePolicy(frozenset({UnitKind.ARMY, UnitKind.POLICE}), 8),
            },
            sweep=SweepPolicy(window_start=start, window_end=start + timedelta(hours=12)),
        ),
        agencies=(Agency("IP", "Police", "الشرطة"),),
        sectors=(Sector("S1", "S1", "S1"),),
        centers=(Center("C1", "C1", "C1", "S1", 31.2, 46.0, 4, 2000),),
        units=tuple(units),
    )


class TestSuggestUnits:
    def test_it_ranks_a_nearer_unit_first(self) -> None:
        pkg = package([police("FAR", 31.3), police("NEAR", 31.1)])
        ranked = suggest_units(pkg, [], *INCIDENT, UnitKind.POLICE)
        assert [s.unit for s in ranked] == ["NEAR", "FAR"]

    def test_it_estimates_arrival_from_road_distance_and_speed(self) -> None:
        pkg = package([police("A", 31.1)])
        (s,) = suggest_units(pkg, [], *INCIDENT, UnitKind.POLICE)
        road = 1.3 * haversine_km(31.1, 46.0, *INCIDENT)
        assert s.distance_km == pytest.approx(road)
        assert s.eta_minutes == pytest.approx(road / 40.0 * 60.0)

    def test_a_units_own_speed_overrides_the_default(self) -> None:
        pkg = package([police("A", 31.1, speed=80.0)])
        (s,) = suggest_units(pkg, [], *INCIDENT, UnitKind.POLICE)
        assert s.eta_minutes == pytest.approx(s.distance_km / 80.0 * 60.0)

    def test_it_prefers_a_reserve_at_equal_arrival(self) -> None:
        pkg = package([police("SECTOR", 31.1), police("RESERVE", 31.1, sector=None)])
        ranked = suggest_units(pkg, [], *INCIDENT, UnitKind.POLICE)
        assert [s.unit for s in ranked] == ["RESERVE", "SECTOR"]
        assert ranked[0].is_reserve
        assert ranked[0].reason == SuggestionReason.RESERVE
        assert ranked[1].reason == SuggestionReason.SPARE

    def test_it_flags_a_unit_whose_departure_opens_a_gap(self) -> None:
        pkg = package([police("HELD", 31.05), police("FREE", 31.1)])
        plan = [Assignment("HELD", "C1", "inner_cordon", 8)]
        ranked = suggest_units(
            pkg, plan, *INCIDENT, UnitKind.POLICE, needs={"C1": {"inner_cordon": 8}}
        )
        assert [s.unit for s in ranked] == ["FREE", "HELD"]
        assert ranked[1].leaves_gap == ("C1",)
        assert ranked[1].reason == SuggestionReason.GAP
        assert ranked[0].leaves_gap == ()

    def test_a_unit_above_the_need_leaves_no_gap(self) -> None:
        pkg = package([police("HELD", 31.05, headcount=12, team_size=4)])
        plan = [Assignment("HELD", "C1", "inner_cordon", 12)]
        (s,) = suggest_units(
            pkg, plan, *INCIDENT, UnitKind.POLICE, needs={"C1": {"inner_cordon": 8}}
        )
        assert s.leaves_gap == ()

    def test_a_unit_with_an_unused_team_leaves_no_gap(self) -> None:
        pkg = package([police("HELD", 31.05, headcount=12, team_size=4)])
        plan = [Assignment("HELD", "C1", "inner_cordon", 8)]
        (s,) = suggest_units(
            pkg, plan, *INCIDENT, UnitKind.POLICE, needs={"C1": {"inner_cordon": 8}}
        )
        assert s.leaves_gap == ()

    def test_without_needs_every_assigned_person_counts_as_needed(self) -> None:
        pkg = package([police("HELD", 31.05)])
        plan = [Assignment("HELD", "C1", "inner_cordon", 8)]
        (s,) = suggest_units(pkg, plan, *INCIDENT, UnitKind.POLICE)
        assert s.leaves_gap == ("C1",)

    def test_a_much_nearer_unit_still_wins_despite_a_gap(self) -> None:
        pkg = package([police("HELD", 31.01), police("FAR", 33.0, sector=None)])
        plan = [Assignment("HELD", "C1", "inner_cordon", 8)]
        ranked = suggest_units(pkg, plan, *INCIDENT, UnitKind.POLICE)
        assert ranked[0].unit == "HELD"

    def test_only_available_units_of_an_eligible_kind_are_suggested(self) -> None:
        pkg = package(
            [
                police("P1", 31.1),
                police("P2", 31.2),
                police("A1", 31.1, kind=UnitKind.ARMY),
                police("T1", 31.0, kind=UnitKind.TRAFFIC),
            ]
        )
        assert [s.unit for s in suggest_units(pkg, [], *INCIDENT, "outer_cordon")] == [
            "A1",
            "P1",
            "P2",
        ]
        assert [s.unit for s in suggest_units(pkg, [], *INCIDENT, "army")] == ["A1"]
        only = suggest_units(pkg, [], *INCIDENT, UnitKind.POLICE, available={"P2", "GONE"})
        assert [s.unit for s in only] == ["P2"]

    def test_it_never_sends_a_unit_beyond_its_maximum_distance(self) -> None:
        pkg = package([police("TETHERED", 31.1, max_km=5.0), police("OTHER", 31.3)])
        assert [s.unit for s in suggest_units(pkg, [], *INCIDENT, UnitKind.POLICE)] == ["OTHER"]

    def test_it_returns_at_most_limit_suggestions_in_order(self) -> None:
        pkg = package([police(f"P{i}", 31.0 + 0.01 * i) for i in range(20)])
        index = DispatchIndex(pkg)
        ranked = index.suggest(*INCIDENT, UnitKind.POLICE, limit=3)
        assert [s.unit for s in ranked] == ["P0", "P1", "P2"]
        assert index.suggest(*INCIDENT, UnitKind.POLICE, limit=0) == []

    def test_it_rejects_an_unknown_capability(self) -> None:
        pkg = package([police("P1", 31.1)])
        with pytest.raises(ValueError, match="unknown capability"):
            suggest_units(pkg, [], *INCIDENT, "helicopter")
