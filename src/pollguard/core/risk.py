"""Risk score of each polling center, with the reasons behind it.

The score is a weighted mean of four components, each scaled to [0, 1] so that a
person can compare them and see why a center scored as it did:

- history: incidents of previous elections near the center. Each incident counts
  `severity x 0.5 ** (age / history_half_life_days) x falloff(distance)`, where the
  falloff is linear, 1 at the center and 0 at `history_radius_km`; an incident whose
  `center` column names the center counts at distance 0. The sum `x` saturates as
  `1 - exp(-x)`: one severe recent incident gives ~0.63, three give ~0.95.
- intel: intelligence reports about the center, `severity x credibility x
  0.5 ** (age / intel_half_life_days)`, saturating the same way. A report about a place
  (lat/lon instead of a center) counts in full for every center within
  `intel_radius_km` of it: intelligence names a threat to an area, not a distance
  falloff that the source never gave. Which reports counted, and how much, is part of
  the explanation (`RiskAssessment.intel_counted`). Which reports exist at all (valid,
  not expired) is the caller's choice: the web app passes
  `registry.intel.intel_for_planning`.
- remoteness: great-circle distance to the nearest police unit's base divided by
  `remoteness_km`, capped at 1 (no police unit at all counts as fully remote).
- size: registered voters divided by `size_voters`, capped at 1.

The weights come from `policy.risk` and are normalised by their sum, so the score stays
in [0, 1] whatever weights an officer types. A `risk` value in centers.csv overrides
the model (the components are still reported, for the record). Ages are measured at
`now`, by default midnight at the start of the general vote day in the election's time
zone; an event dated after `now` counts as age 0 (never as a negative age, which would
make it weigh more than a fresh one).

Every component is monotonic: more, closer, newer or more severe incidents never lower
a score (tests/core/test_risk.py checks it by properties).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

import numpy as np

from pollguard.core.geo import distance_matrix_km
from pollguard.core.model import Center, ElectionPackage, IntelReport, UnitKind

__all__ = ["RiskAssessment", "assess", "default_now", "scores"]


@dataclass(frozen=True, slots=True)
class RiskAssessment:
    """The score of one center and its explanation.

    `score` is what the planner uses: `override` when the package gives one, else
    `model_score`. Components are in [0, 1]; `weights` are the normalised weights (they
    sum to 1, or are all 0), so `model_score == sum(weights[k] * component[k])`.
    """

    center: str
    score: float
    model_score: float
    history: float
    intel: float
    remoteness: float
    size: float
    weights: Mapping[str, float]
    override: float | None = None
    incidents_counted: int = 0
    reports_counted: int = 0
    nearest_police_km: float | None = None
    intel_counted: tuple[tuple[str, float], ...] = ()  # (report code, value), largest first

    @property
    def components(self) -> dict[str, float]:
        return {
            "history": self.history,
            "intel": self.intel,
            "remoteness": self.remoteness,
            "size": self.size,
        }


def default_now(pkg: ElectionPackage) -> datetime:
    """Midnight at the start of the general vote day, in the election's time zone."""
    return datetime.combine(
        pkg.election.general_vote_date, time(0, 0), tzinfo=ZoneInfo(pkg.election.timezone)
    )


def _aware(value: datetime, tz: ZoneInfo) -> datetime:
    # The package reader may give naive datetimes for date-only cells; they are local
    # to the election, never UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=tz)


def _age_days(when: datetime, now: datetime) -> float:
    return max(0.0, (now - when).total_seconds() / 86400.0)


def _saturate(x: float) -> float:
    return 1.0 - math.exp(-x) if x > 0 else 0.0


def assess(pkg: ElectionPackage, *, now: datetime | None = None) -> dict[str, RiskAssessment]:
    """Score every center of the package (all kinds; the planner uses the general ones)."""
    policy = pkg.policy.risk
    tz = ZoneInfo(pkg.election.timezone)
    now = _aware(now, tz) if now is not None else default_now(pkg)
    raw = {
        "history": max(0.0, policy.weight_history),
        "intel": max(0.0, policy.weight_intel),
        "remoteness": max(0.0, policy.weight_remoteness),
        "size": max(0.0, policy.weight_size),
    }
    total = sum(raw.values())
    weights = {k: (v / total if total > 0 else 0.0) for k, v in raw.items()}

    centers = pkg.centers
    n = len(centers)
    if n == 0:
        return {}
    clat = np.array([c.lat for c in centers], dtype=float)
    clon = np.array([c.lon for c in centers], dtype=float)

    history_x: np.ndarray = np.zeros(n)
    history_count: np.ndarray = np.zeros(n, dtype=int)
    radius = policy.history_radius_km
    if pkg.incidents_history:
        index = {c.code: i for i, c in enumerate(centers)}
        ilat = np.array([p.lat for p in pkg.incidents_history], dtype=float)
        ilon = np.array([p.lon for p in pkg.incidents_history], dtype=float)
        half = policy.history_half_life_days
        decay = np.array(
            [
                p.severity
                * (0.5 ** (_age_days(_aware(p.when, tz), now) / half) if half > 0 else 1.0)
                for p in pkg.incidents_history
            ]
        )
        rows, cols, dist = _pairs_within(clat, clon, ilat, ilon, max(radius, 0.0))
        # An incident recorded at a center counts there at distance 0.
        at = {
            (index[p.center], col): None
            for col, p in enumerate(pkg.incidents_history)
            if p.center is not None and p.center in index
        }
        keep = np.array(
            [(r, c) not in at for r, c in zip(rows.tolist(), cols.tolist(), strict=True)],
            dtype=bool,
        )
        rows = np.concatenate([rows[keep], np.array([r for r, _ in at], dtype=int)])
        cols = np.concatenate([cols[keep], np.array([c for _, c in at], dtype=int)])
        dist = np.concatenate([dist[keep], np.zeros(len(at))])
        if radius > 0:
            falloff = np.clip(1.0 - dist / radius, 0.0, 1.0)
        else:
            falloff = (dist <= 0.0).astype(float)
        contrib = falloff * decay[cols]
        history_x = np.bincount(rows, weights=contrib, minlength=n)
        history_count = np.bincount(rows, weights=(contrib > 0).astype(float), minlength=n).astype(
            int
        )

    intel_x: dict[str, float] = {}
    intel_count: dict[str, int] = {}
    intel_by: dict[str, list[tuple[str, float]]] = {}

    def count_intel(center_code: str, code: str, value: float) -> None:
        intel_x[center_code] = intel_x.get(center_code, 0.0) + value
        if value > 0:
            intel_count[center_code] = intel_count.get(center_code, 0) + 1
            intel_by.setdefault(center_code, []).append((code, value))

    half = policy.intel_half_life_days
    places: list[tuple[IntelReport, float]] = []
    for report in pkg.intel:
        age = _age_days(_aware(report.when, tz), now)
        value = report.severity * report.credibility * (0.5 ** (age / half) if half > 0 else 1.0)
        if report.center is not None:
            count_intel(report.center, report.code, value)
        elif report.lat is not None and report.lon is not None:
            places.append((report, value))
    if places:
        rlat = np.array([r.lat for r, _ in places], dtype=float)
        rlon = np.array([r.lon for r, _ in places], dtype=float)
        rows, cols, _ = _pairs_within(clat, clon, rlat, rlon, max(policy.intel_radius_km, 0.0))
        for row, col in sorted(zip(rows.tolist(), cols.tolist(), strict=True)):
            report, value = places[col]
            count_intel(centers[row].code, report.code, value)

    police = sorted({(u.lat, u.lon) for u in pkg.units if u.kind is UnitKind.POLICE})
    nearest = np.full(n, np.inf)
    if police:
        plat = np.array([p[0] for p in police], dtype=float)
        plon = np.array([p[1] for p in police], dtype=float)
        # Only distances up to remoteness_km change the score; search that far on a grid,
        # then measure exactly for the (few) centers with no police base that close.
        reach = max(policy.remoteness_km, 1.0)
        rows, _, dist = _pairs_within(clat, clon, plat, plon, reach)
        np.minimum.at(nearest, rows, dist)
        far = np.nonzero(~np.isfinite(nearest))[0]
        for start in range(0, len(far), 256):
            chunk = far[start : start + 256]
            nearest[chunk] = distance_matrix_km(clat[chunk], clon[chunk], plat, plon).min(axis=1)

    result: dict[str, RiskAssessment] = {}
    for i, center in enumerate(centers):
        history = _saturate(float(history_x[i]))
        intel = _saturate(intel_x.get(center.code, 0.0))
        near = float(nearest[i])
        if policy.remoteness_km > 0 and math.isfinite(near):
            remoteness = min(1.0, near / policy.remoteness_km)
        else:
            remoteness = 1.0 if not math.isfinite(near) else 0.0
        size = _size(center, policy.size_voters)
        model = (
            weights["history"] * history
            + weights["intel"] * intel
            + weights["remoteness"] * remoteness
            + weights["size"] * size
        )
        model = min(1.0, max(0.0, model))
        override = None if center.risk is None else min(1.0, max(0.0, center.risk))
        result[center.code] = RiskAssessment(
            center=center.code,
            score=model if override is None else override,
            model_score=model,
            history=history,
            intel=intel,
            remoteness=remoteness,
            size=size,
            weights=weights,
            override=override,
            incidents_counted=int(history_count[i]),
            reports_counted=intel_count.get(center.code, 0),
            nearest_police_km=near if math.isfinite(near) else None,
            intel_counted=tuple(
                sorted(intel_by.get(center.code, ()), key=lambda item: (-item[1], item[0]))
            ),
        )
    return result


def _pairs_within(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray, radius_km: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (i, j, km) with point i of set 1 within `radius_km` of point j of set 2.

    A grid of cells at least `radius_km` wide means only the 3 x 3 neighbouring cells
    can hold a match, so a national package (10,000 centers, 20,000 bases) costs a few
    small distance matrices instead of one with 200 million entries.
    """
    empty = (np.zeros(0, dtype=int), np.zeros(0, dtype=int), np.zeros(0))
    if len(lat1) == 0 or len(lat2) == 0:
        return empty
    radius = max(radius_km, 1e-6)
    top = float(min(89.0, max(np.abs(lat1).max(), np.abs(lat2).max()) + 1.0))
    cell_lat = radius / 110.5  # a degree of latitude is at least 110.5 km
    cell_lon = radius / (111.4 * math.cos(math.radians(top)))
    key1 = np.stack([np.floor(lat1 / cell_lat), np.floor(lon1 / cell_lon)], axis=1).astype(np.int64)
    key2 = np.stack([np.floor(lat2 / cell_lat), np.floor(lon2 / cell_lon)], axis=1).astype(np.int64)
    buckets: dict[tuple[int, int], list[int]] = {}
    for j, (a, b) in enumerate(key2.tolist()):
        buckets.setdefault((a, b), []).append(j)
    groups: dict[tuple[int, int], list[int]] = {}
    for i, (a, b) in enumerate(key1.tolist()):
        groups.setdefault((a, b), []).append(i)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    dists: list[np.ndarray] = []
    for (a, b), members in groups.items():
        near = [
            j for da in (-1, 0, 1) for db in (-1, 0, 1) for j in buckets.get((a + da, b + db), ())
        ]
        if not near:
            continue
        ii = np.array(members, dtype=int)
        jj = np.array(near, dtype=int)
        d = distance_matrix_km(lat1[ii], lon1[ii], lat2[jj], lon2[jj])
        r, c = np.nonzero(d <= radius_km)
        rows.append(ii[r])
        cols.append(jj[c])
        dists.append(d[r, c])
    if not rows:
        return empty
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(dists)


def _size(center: Center, size_voters: int) -> float:
    if size_voters <= 0:
        return 1.0 if center.voters > 0 else 0.0
    return min(1.0, max(0.0, center.voters / size_voters))


def scores(pkg: ElectionPackage, *, now: datetime | None = None) -> dict[str, float]:
    """Just the score per center code (what the planner consumes)."""
    return {code: a.score for code, a in assess(pkg, now=now).items()}
