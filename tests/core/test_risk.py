"""The risk model: bounded, explained, overridable and monotonic."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from planning_checks import BAGHDAD, center, package, unit

from pollguard.core.model import ElectionPackage, IntelReport, PastIncident, UnitKind
from pollguard.core.risk import assess, default_now, scores
from pollguard.core.synthetic import small

NOW = datetime(2010, 3, 7, 0, 0, tzinfo=BAGHDAD)


def base() -> ElectionPackage:
    return package(
        [
            center("C1", "S1", 31.0, 46.0, risk=None, voters=2500),
            center("C2", "S1", 31.3, 46.3, risk=None, voters=800),
        ],
        [unit("P1", UnitKind.POLICE, 20, "S1", 31.0, 46.05)],
    )


def incident(lat: float, lon: float, days_ago: float, severity: float = 0.8) -> PastIncident:
    return PastIncident("H1", NOW - timedelta(days=days_ago), lat, lon, "ied", severity)


def with_incidents(pkg: ElectionPackage, *items: PastIncident) -> ElectionPackage:
    numbered = tuple(replace(p, code=f"H{i}") for i, p in enumerate(items, start=1))
    return replace(pkg, incidents_history=pkg.incidents_history + numbered)


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=0, max_value=10**6))
def test_every_score_and_component_is_between_0_and_1(seed: int) -> None:
    pkg = small.build(random.Random(seed), 12, 8)
    for a in assess(pkg).values():
        assert 0.0 <= a.score <= 1.0
        assert 0.0 <= a.model_score <= 1.0
        for value in a.components.values():
            assert 0.0 <= value <= 1.0
        assert a.model_score == pytest.approx(
            sum(a.weights[k] * v for k, v in a.components.items())
        )


def test_the_weights_are_normalised_whatever_the_policy_says() -> None:
    pkg = base()
    policy = replace(
        pkg.policy,
        risk=replace(
            pkg.policy.risk, weight_history=3, weight_intel=3, weight_remoteness=3, weight_size=3
        ),
    )
    a = assess(replace(pkg, policy=policy))["C1"]
    assert sum(a.weights.values()) == pytest.approx(1.0)


def test_a_risk_column_overrides_the_model_but_keeps_the_explanation() -> None:
    pkg = base()
    pkg = replace(pkg, centers=(replace(pkg.centers[0], risk=0.97), pkg.centers[1]))
    a = assess(pkg)["C1"]
    assert a.score == 0.97
    assert a.override == 0.97
    assert a.model_score != 0.97
    assert scores(pkg)["C1"] == 0.97


def test_a_center_far_from_any_police_base_is_fully_remote() -> None:
    assessed = assess(base())
    assert assessed["C1"].remoteness < 0.2
    assert assessed["C2"].remoteness == 1.0  # ~45 km away, remoteness_km is 30
    no_police = replace(base(), units=())
    assert assess(no_police)["C1"].remoteness == 1.0


def test_intelligence_raises_the_score_by_severity_credibility_and_freshness() -> None:
    pkg = base()
    fresh = IntelReport("I1", NOW - timedelta(days=1), "C1", 0.9, 0.8)
    stale = replace(fresh, when=NOW - timedelta(days=200))
    plain = assess(pkg, now=NOW)["C1"]
    got_fresh = assess(replace(pkg, intel=(fresh,)), now=NOW)["C1"]
    got_stale = assess(replace(pkg, intel=(stale,)), now=NOW)["C1"]
    assert plain.intel == 0
    assert got_fresh.intel > got_stale.intel > 0
    assert got_fresh.score > plain.score
    assert got_fresh.reports_counted == 1


def test_now_defaults_to_the_start_of_general_vote_day_in_the_election_time_zone() -> None:
    assert default_now(base()) == NOW


def test_an_incident_beyond_the_radius_does_not_count() -> None:
    pkg = base()
    far = with_incidents(pkg, incident(31.2, 46.0, 10))  # ~22 km from C1, radius 5 km
    assert assess(far, now=NOW)["C1"].history == 0


@settings(max_examples=40, deadline=None)
@given(
    lat=st.floats(30.95, 31.05),
    lon=st.floats(45.95, 46.05),
    days=st.floats(0, 2000),
    severity=st.floats(0.01, 1.0),
    closer=st.floats(0.0, 1.0),
    newer=st.floats(0.0, 1.0),
)
def test_more_closer_newer_or_worse_incidents_never_lower_a_score(
    lat: float, lon: float, days: float, severity: float, closer: float, newer: float
) -> None:
    pkg = with_incidents(base(), incident(31.01, 46.02, 30, 0.5))
    before = assess(pkg, now=NOW)
    one_more = assess(with_incidents(pkg, incident(lat, lon, days, severity)), now=NOW)
    moved = incident(lat + (31.0 - lat) * closer, lon + (46.0 - lon) * closer, days, severity)
    nearer = assess(with_incidents(pkg, moved), now=NOW)
    fresher = assess(with_incidents(pkg, incident(lat, lon, days * (1 - newer), severity)), now=NOW)
    worse = assess(with_incidents(pkg, incident(lat, lon, days, min(1.0, severity * 1.5))), now=NOW)
    for code in ("C1", "C2"):
        assert one_more[code].score >= before[code].score - 1e-12
    # The same incident, moved towards C1, made newer or more severe: C1 never drops.
    reference = one_more["C1"].score
    assert nearer["C1"].score >= reference - 1e-12
    assert fresher["C1"].score >= reference - 1e-12
    assert worse["C1"].score >= reference - 1e-12


def test_a_place_report_counts_for_the_centers_within_the_intel_radius_only() -> None:
    pkg = base()
    # ~1.1 km north of C1 (31.0, 46.0); C2 is ~45 km away. Default radius: 3 km.
    place = IntelReport("I-P", NOW - timedelta(days=1), None, 0.9, 0.8, lat=31.01, lon=46.0)
    got = assess(replace(pkg, intel=(place,)), now=NOW)
    assert got["C1"].intel > 0
    assert got["C1"].intel_counted == (("I-P", got["C1"].intel_counted[0][1]),)
    assert got["C2"].intel == 0
    assert got["C2"].intel_counted == ()
    narrow = replace(pkg.policy, risk=replace(pkg.policy.risk, intel_radius_km=1.0))
    assert assess(replace(pkg, intel=(place,), policy=narrow), now=NOW)["C1"].intel == 0


def test_the_explanation_names_each_counted_report_largest_first() -> None:
    weak = IntelReport("I-W", NOW, "C1", 0.2, 0.5)
    strong = IntelReport("I-S", NOW, "C1", 0.9, 1.0)
    elsewhere = IntelReport("I-E", NOW, "C2", 0.9, 1.0)
    got = assess(replace(base(), intel=(weak, strong, elsewhere)), now=NOW)["C1"]
    assert [code for code, _ in got.intel_counted] == ["I-S", "I-W"]
    assert got.intel_counted[0][1] == pytest.approx(0.9)
    assert got.reports_counted == 2
