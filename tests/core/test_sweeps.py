"""EOD and K9 sweep routing (pollguard.core.planning.sweeps) and its checker."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pollguard.core.geo import distance_matrix_km, haversine_km
from pollguard.core.model import (
    PACKAGE_FORMAT_VERSION,
    Agency,
    Center,
    CenterKind,
    Election,
    ElectionPackage,
    Policy,
    Sector,
    SweepPolicy,
    Unit,
    UnitKind,
)
from pollguard.core.planning.sweeps import (
    SweepResult,
    SweepRoute,
    SweepStop,
    check_sweeps,
    greedy_sweeps,
    plan_sweeps,
    sweep_coverage,
)

BAGHDAD = timezone(timedelta(hours=3))
OPEN = datetime(2010, 3, 6, 6, 0, tzinfo=BAGHDAD)
# One degree of latitude is 111.2 km; with road factor 1 and 60 km/h, 0.1 degree is ~11 min.
DEG_KM = haversine_km(0.0, 0.0, 1.0, 0.0)


def center(
    code: str,
    lat: float,
    lon: float = 46.0,
    *,
    sector: str = "S1",
    risk: float = 0.0,
    stations: int = 0,
    kind: CenterKind = CenterKind.GENERAL,
) -> Center:
    return Center(code, code, code, sector, lat, lon, stations, 1000, risk=risk, kind=kind)


def unit(
    code: str,
    lat: float,
    lon: float = 46.0,
    *,
    kind: UnitKind = UnitKind.EOD,
    sector: str | None = None,
    teams: int = 1,
    speed: float | None = None,
) -> Unit:
    return Unit(code, "IP", kind, 4 * teams, sector, lat, lon, team_size=4, speed_kmh=speed)


def package(
    centers: list[Center],
    units: list[Unit],
    *,
    hours: float = 12.0,
    minutes_base: float = 20.0,
    minutes_per_station: float = 0.0,
    road_factor: float = 1.0,
    speed: float = 60.0,
    k9_min_risk: float = 0.5,
    risk_weight: float = 1.0,
) -> ElectionPackage:
    sweep = SweepPolicy(
        window_start=OPEN,
        window_end=OPEN + timedelta(hours=hours),
        road_factor=road_factor,
        speed_kmh={UnitKind.EOD: speed, UnitKind.K9: speed},
        minutes_base=minutes_base,
        minutes_per_station=minutes_per_station,
        k9_min_risk=k9_min_risk,
    )
    election = Election(
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
    )
    sectors = sorted({c.sector for c in centers} | {u.sector for u in units if u.sector})
    return ElectionPackage(
        version=PACKAGE_FORMAT_VERSION,
        election=election,
        policy=Policy(roles={}, sweep=sweep, risk_weight=risk_weight),
        agencies=(Agency("IP", "Police", "الشرطة"),),
        sectors=tuple(Sector(s, s, s) for s in sectors),
        centers=tuple(centers),
        units=tuple(units),
    )


def risks_of(pkg: ElectionPackage) -> dict[str, float]:
    return {c.code: c.risk or 0.0 for c in pkg.centers}


def swept(result: SweepResult, kind: UnitKind = UnitKind.EOD) -> set[str]:
    return {s.center for r in result.routes if r.kind == kind for s in r.stops}


def random_package(
    rng: random.Random,
    n_centers: int,
    n_teams: int,
    *,
    sectors: int = 2,
    reserves: bool = True,
    hours: float = 3.0,
) -> ElectionPackage:
    centers = [
        center(
            f"C{i:03d}",
            31.0 + rng.uniform(0, 0.5),
            46.0 + rng.uniform(0, 0.5),
            sector=f"S{rng.randrange(sectors) + 1}",
            risk=round(rng.random(), 2),
            stations=rng.randint(1, 8),
        )
        for i in range(n_centers)
    ]
    units = [
        unit(
            f"U{i:02d}",
            31.0 + rng.uniform(0, 0.5),
            46.0 + rng.uniform(0, 0.5),
            kind=UnitKind.EOD if i % 3 else UnitKind.K9,
            sector=None if reserves and rng.random() < 0.5 else f"S{rng.randrange(sectors) + 1}",
            teams=rng.choice((1, 1, 2)),
        )
        for i in range(n_teams)
    ]
    return package(
        centers, units, hours=hours, minutes_per_station=5.0, road_factor=1.3, speed=40.0
    )


def weighted(pkg: ElectionPackage, result: SweepResult) -> float:
    w = {c.code: 1.0 + pkg.policy.risk_weight * (c.risk or 0.0) for c in pkg.centers}
    return sum(w[s.center] for r in result.routes for s in r.stops)


SOLVERS = ("pyvrp", "ortools", "greedy")


class TestGeo:
    def test_haversine_matches_a_known_distance(self) -> None:
        # Nasiriyah to Shatra, about 40 km as the crow flies.
        assert haversine_km(31.05, 46.26, 31.41, 46.17) == pytest.approx(40.9, abs=0.5)

    def test_the_distance_matrix_agrees_with_haversine(self) -> None:
        lats, lons = [31.0, 31.2, 30.9], [46.0, 46.3, 45.8]
        m = distance_matrix_km(lats, lons)
        for i in range(3):
            for j in range(3):
                assert m[i, j] == pytest.approx(haversine_km(lats[i], lons[i], lats[j], lons[j]))


class TestPlanSweeps:
    @pytest.mark.parametrize("solver", SOLVERS)
    def test_one_team_in_a_window_for_two_sweeps_takes_the_two_heaviest(self, solver: str) -> None:
        # Three centers on a line 0.1 degree apart, the team's base at the first; 60 km/h,
        # 20 min per sweep, road factor 1: a window of 70 min fits two sweeps and one hop
        # (~11 min) but never three. The two far ones are heavier.
        pkg = package(
            [center("A", 31.0, risk=0.0), center("B", 31.1, risk=0.9), center("C", 31.2, risk=0.8)],
            [unit("E1", 31.0)],
            hours=70 / 60,
            k9_min_risk=2.0,  # no K9 sweep needed: EOD only
        )
        result = plan_sweeps(pkg, risks_of(pkg), time_limit=1, solver=solver)
        assert check_sweeps(pkg, risks_of(pkg), result.routes) == []
        assert swept(result) == {"B", "C"}
        assert [s.center for s in result.unswept] == ["A"]
        assert result.coverage == pytest.approx((1.9 + 1.8) / (1.0 + 1.9 + 1.8))
        assert result.travel_km == pytest.approx(0.2 * DEG_KM, rel=1e-6)

    @pytest.mark.parametrize("solver", SOLVERS)
    def test_a_window_too_short_for_any_sweep_leaves_everything_unswept(self, solver: str) -> None:
        pkg = package(
            [center("A", 31.0, risk=0.7), center("B", 31.1)],
            [unit("E1", 31.0), unit("K1", 31.0, kind=UnitKind.K9)],
            hours=0.25,
        )
        result = plan_sweeps(pkg, risks_of(pkg), time_limit=1, solver=solver)
        assert all(not r.stops for r in result.routes)
        assert {(s.center, s.kind) for s in result.unswept} == {
            ("A", UnitKind.EOD),
            ("B", UnitKind.EOD),
            ("A", UnitKind.K9),
        }
        assert result.coverage == 0.0

    def test_a_package_without_sweep_teams_reports_every_required_sweep(self) -> None:
        pkg = package([center("A", 31.0, risk=0.7)], [])
        result = plan_sweeps(pkg, risks_of(pkg), time_limit=1)
        assert result.routes == ()
        assert len(result.unswept) == 2
        assert result.coverage == 0.0

    def test_coverage_is_full_when_nothing_needs_a_sweep(self) -> None:
        pkg = package([center("P", 31.0, kind=CenterKind.SPECIAL_SECURITY)], [unit("E1", 31.0)])
        result = plan_sweeps(pkg, risks_of(pkg), time_limit=1)
        assert result.coverage == 1.0
        assert result.unswept == ()

    @pytest.mark.parametrize("solver", SOLVERS)
    def test_sector_bound_teams_never_leave_their_sector(self, solver: str) -> None:
        # Sector S2 has no team and lies right next to S1's team: it stays unswept.
        pkg = package(
            [
                center("A", 31.0, sector="S1"),
                center("B", 31.05, sector="S2", risk=1.0),
                center("C", 31.1, sector="S1"),
            ],
            [unit("E1", 31.0, sector="S1", teams=2)],
            k9_min_risk=2.0,
        )
        result = plan_sweeps(pkg, risks_of(pkg), time_limit=1, solver=solver)
        assert check_sweeps(pkg, risks_of(pkg), result.routes) == []
        assert swept(result) == {"A", "C"}
        assert [(s.center, s.kind) for s in result.unswept] == [("B", UnitKind.EOD)]

    @pytest.mark.parametrize("solver", SOLVERS)
    def test_k9_sweeps_only_centers_at_or_above_the_k9_risk(self, solver: str) -> None:
        pkg = package(
            [
                center("LOW", 31.0, risk=0.49),
                center("EDGE", 31.01, risk=0.5),
                center("HIGH", 31.02, risk=0.9),
            ],
            [unit("K1", 31.0, kind=UnitKind.K9), unit("E1", 31.0)],
        )
        result = plan_sweeps(pkg, risks_of(pkg), time_limit=1, solver=solver)
        assert check_sweeps(pkg, risks_of(pkg), result.routes) == []
        assert swept(result, UnitKind.K9) == {"EDGE", "HIGH"}
        assert swept(result, UnitKind.EOD) == {"LOW", "EDGE", "HIGH"}
        assert result.coverage == 1.0

    def test_a_unit_with_several_teams_gets_numbered_team_ids(self) -> None:
        pkg = package([center("A", 31.0)], [unit("E1", 31.0, teams=3), unit("E2", 31.0)])
        result = plan_sweeps(pkg, risks_of(pkg), time_limit=1)
        assert [r.team for r in result.routes] == ["E1#1", "E1#2", "E1#3", "E2"]

    def test_stops_are_aware_whole_seconds_inside_the_window(self) -> None:
        pkg = random_package(random.Random(7), 25, 5)
        result = plan_sweeps(pkg, risks_of(pkg), time_limit=1)
        stops = [s for r in result.routes for s in r.stops]
        assert stops
        for stop in stops:
            assert stop.start.tzinfo is not None
            assert stop.start >= OPEN
            assert stop.end <= pkg.policy.sweep.window_end
            assert (stop.start - OPEN).total_seconds() % 1 == 0

    @pytest.mark.parametrize("solver", SOLVERS)
    def test_plans_of_random_packages_pass_the_checker(self, solver: str) -> None:
        for seed in range(3):
            pkg = random_package(random.Random(seed), 30, 6)
            result = plan_sweeps(pkg, risks_of(pkg), time_limit=1, solver=solver, seed=seed)
            assert check_sweeps(pkg, risks_of(pkg), result.routes) == []
            done = {(s.center, r.kind) for r in result.routes for s in r.stops}
            missing = {(s.center, s.kind) for s in result.unswept}
            assert not done & missing
            coverage, unswept = sweep_coverage(pkg, risks_of(pkg), result.routes)
            assert coverage == pytest.approx(result.coverage)
            assert set(unswept) == set(result.unswept)

    def test_the_same_seed_gives_the_same_pyvrp_plan(self) -> None:
        pkg = random_package(random.Random(3), 15, 3)
        first = plan_sweeps(pkg, risks_of(pkg), time_limit=2, seed=5)
        second = plan_sweeps(pkg, risks_of(pkg), time_limit=2, seed=5)
        assert first.routes == second.routes

    def test_it_rejects_an_unknown_solver(self) -> None:
        pkg = package([center("A", 31.0)], [unit("E1", 31.0)])
        with pytest.raises(ValueError, match="unknown sweep solver"):
            plan_sweeps(pkg, risks_of(pkg), time_limit=1, solver="cplex")

    def test_greedy_sweeps_is_the_greedy_solver(self) -> None:
        pkg = random_package(random.Random(1), 20, 4)
        a = greedy_sweeps(pkg, risks_of(pkg))
        b = plan_sweeps(pkg, risks_of(pkg), time_limit=0, solver="greedy")
        assert a.routes == b.routes
        assert a.solver == "greedy"

    def test_greedy_sweeps_the_riskiest_center_first_and_the_optimizer_does_better(self) -> None:
        # One team at A; B (low risk) is next door, C (high risk) 33 km away; 75 min.
        # Greedy drives to C first and then has no time to come back (1.9 swept). Sweeping
        # A or B on the way out still leaves time for C (3.0 swept).
        pkg = package(
            [
                center("A", 31.0, risk=0.1),
                center("B", 31.01, risk=0.1),
                center("C", 31.3, risk=0.9),
            ],
            [unit("E1", 31.0)],
            hours=75 / 60,
            k9_min_risk=2.0,
        )
        greedy = greedy_sweeps(pkg, risks_of(pkg))
        assert [s.center for r in greedy.routes for s in r.stops] == ["C"]
        best = plan_sweeps(pkg, risks_of(pkg), time_limit=1)
        assert check_sweeps(pkg, risks_of(pkg), best.routes) == []
        assert len(swept(best)) == 2
        assert "C" in swept(best)

    @pytest.mark.slow
    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(seed=st.integers(0, 10_000), n=st.integers(3, 14), teams=st.integers(1, 4))
    def test_the_optimizer_never_sweeps_less_weight_than_greedy(
        self, seed: int, n: int, teams: int
    ) -> None:
        pkg = random_package(random.Random(seed), n, teams, hours=1.5)
        risks = risks_of(pkg)
        greedy = greedy_sweeps(pkg, risks)
        for solver in ("pyvrp", "ortools"):
            result = plan_sweeps(pkg, risks, time_limit=0.5, solver=solver, seed=seed)
            assert check_sweeps(pkg, risks, result.routes) == []
            assert weighted(pkg, result) >= weighted(pkg, greedy) - 1e-9
            assert result.coverage >= greedy.coverage - 1e-12


class TestCheckSweeps:
    def pkg(self) -> ElectionPackage:
        return package(
            [
                center("A", 31.0, sector="S1", risk=0.2),
                center("B", 31.1, sector="S1", risk=0.8),
                center("X", 31.0, sector="S2"),
                center("P", 31.0, kind=CenterKind.SPECIAL_SECURITY),
            ],
            [
                unit("E1", 31.0, sector="S1"),
                unit("K1", 31.0, kind=UnitKind.K9),
                unit("E2", 31.0, teams=2),
            ],
            hours=2,
        )

    def route(
        self,
        team: str,
        *stops: tuple[str, float, float],
        unit_code: str | None = None,
        kind: UnitKind = UnitKind.EOD,
    ) -> SweepRoute:
        return SweepRoute(
            team,
            unit_code or team.split("#")[0],
            kind,
            tuple(
                SweepStop(c, OPEN + timedelta(minutes=s), OPEN + timedelta(minutes=e))
                for c, s, e in stops
            ),
        )

    def check(self, *routes: SweepRoute) -> list[str]:
        pkg = self.pkg()
        return check_sweeps(pkg, risks_of(pkg), routes)

    def test_a_correct_route_passes(self) -> None:
        # A->B is 11.1 km at 60 km/h: 11.1 minutes.
        assert self.check(self.route("E1", ("A", 0, 20), ("B", 31.2, 51.2))) == []

    def test_it_accepts_a_route_with_no_stops_and_unswept_centers(self) -> None:
        assert self.check(self.route("E1")) == []

    def test_it_rejects_an_unknown_team(self) -> None:
        assert "no EOD or K9 team" in self.check(self.route("E9", ("A", 0, 20)))[0]

    def test_it_rejects_a_team_listed_with_the_wrong_unit_or_kind(self) -> None:
        problems = self.check(self.route("E1", unit_code="E2", kind=UnitKind.K9))
        assert len(problems) == 2

    def test_it_rejects_a_team_that_has_two_routes(self) -> None:
        assert "more than one route" in self.check(self.route("E2#1"), self.route("E2#1"))[0]

    def test_it_rejects_an_unknown_center(self) -> None:
        assert "no such center" in self.check(self.route("E1", ("Z", 0, 20)))[0]

    def test_it_rejects_a_special_center(self) -> None:
        assert "only general centers" in self.check(self.route("E2#1", ("P", 0, 20)))[0]

    def test_it_rejects_a_unit_outside_its_sector(self) -> None:
        assert "bound to S1" in self.check(self.route("E1", ("X", 0, 20)))[0]

    def test_a_reserve_may_sweep_any_sector(self) -> None:
        assert self.check(self.route("E2#2", ("X", 0, 20))) == []

    def test_it_rejects_a_k9_sweep_of_a_low_risk_center(self) -> None:
        assert "K9 sweeps only" in self.check(self.route("K1", ("A", 0, 20), kind=UnitKind.K9))[0]

    def test_it_rejects_a_stop_outside_the_window(self) -> None:
        assert "before the sweep window" in self.check(self.route("E1", ("A", -5, 20)))[0]
        assert "after the sweep window" in self.check(self.route("E1", ("A", 110, 130)))[0]

    def test_it_rejects_a_sweep_shorter_than_the_service_time(self) -> None:
        assert "the sweep needs 20.0" in self.check(self.route("E1", ("A", 0, 19)))[0]

    def test_it_rejects_a_first_stop_the_team_cannot_reach_from_its_base(self) -> None:
        assert "from its base" in self.check(self.route("E1", ("B", 10, 30)))[0]

    def test_it_rejects_a_hop_faster_than_the_team_drives(self) -> None:
        problems = self.check(self.route("E1", ("A", 0, 20), ("B", 30, 50)))
        assert "from the previous stop" in problems[0]

    def test_it_rejects_a_center_swept_twice_by_the_same_kind(self) -> None:
        problems = self.check(self.route("E2#1", ("A", 0, 20)), self.route("E2#2", ("A", 20, 40)))
        assert "already swept by eod team E2#1" in problems[0]

    def test_an_eod_and_a_k9_sweep_of_one_center_may_overlap(self) -> None:
        problems = self.check(
            self.route("E2#1", ("B", 11.2, 31.2)),
            self.route("K1", ("B", 11.2, 31.2), kind=UnitKind.K9),
        )
        assert problems == []

    def test_it_rejects_naive_times(self) -> None:
        naive = SweepRoute(
            "E1",
            "E1",
            UnitKind.EOD,
            (
                SweepStop("A", datetime(2010, 3, 6, 6), datetime(2010, 3, 6, 7)),  # noqa: DTZ001
            ),
        )
        assert "time zone" in self.check(naive)[0]

    def test_a_plan_edited_to_break_a_rule_fails_the_check(self) -> None:
        pkg = random_package(random.Random(11), 20, 4)
        result = plan_sweeps(pkg, risks_of(pkg), time_limit=1)
        route = next(r for r in result.routes if len(r.stops) >= 2)
        squeezed = replace(
            route,
            stops=(
                route.stops[0],
                replace(
                    route.stops[1],
                    start=route.stops[0].end,
                    end=route.stops[0].end + timedelta(hours=2),
                ),
            ),
        )
        others = [r for r in result.routes if r.team != route.team]
        assert check_sweeps(pkg, risks_of(pkg), [*others, squeezed]) != []
