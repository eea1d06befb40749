"""Distances on the ground between bases, polling centers and incidents.

The planner has no road network: it estimates the road distance as
`road_factor` x the great-circle distance (design.md section 6), and the travel
time as that distance over the unit's speed. Everything here works in
kilometres, decimal degrees and minutes.

`distance_matrix_km` is the vectorised form the sweep router and the dispatch
index use: one numpy call for every pair instead of a Python loop per pair.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG); the error against the ellipsoid is below 0.5 % in Iraq."""

FloatArray = npt.NDArray[np.float64]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres between two points given in decimal degrees."""
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    # min() guards asin against a rounding error that pushes `a` a hair above 1 (antipodes).
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def road_km(lat1: float, lon1: float, lat2: float, lon2: float, road_factor: float) -> float:
    """Estimated road distance: `road_factor` x the great-circle distance."""
    return road_factor * haversine_km(lat1, lon1, lat2, lon2)


def travel_minutes(distance_km: float, speed_kmh: float) -> float:
    """Minutes to cover `distance_km` at `speed_kmh` (a non-positive speed never arrives)."""
    if speed_kmh <= 0:
        return math.inf
    return 60.0 * distance_km / speed_kmh


def distance_matrix_km(
    lats_from: Sequence[float] | FloatArray,
    lons_from: Sequence[float] | FloatArray,
    lats_to: Sequence[float] | FloatArray | None = None,
    lons_to: Sequence[float] | FloatArray | None = None,
) -> FloatArray:
    """Great-circle distances in km, shape (len(from), len(to)).

    With only the `from` points it returns the square matrix between them. Multiply
    by the road factor for road distances; the result is a fresh array the caller
    may scale in place.
    """
    la1 = np.radians(np.asarray(lats_from, dtype=np.float64))[:, None]
    lo1 = np.radians(np.asarray(lons_from, dtype=np.float64))[:, None]
    if lats_to is None or lons_to is None:
        la2, lo2 = la1.T, lo1.T
    else:
        la2 = np.radians(np.asarray(lats_to, dtype=np.float64))[None, :]
        lo2 = np.radians(np.asarray(lons_to, dtype=np.float64))[None, :]
    a = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    out: FloatArray = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return out


def distances_to_point_km(
    lats: Sequence[float] | FloatArray, lons: Sequence[float] | FloatArray, lat: float, lon: float
) -> FloatArray:
    """Great-circle distances in km from each of many points to one point (a vector)."""
    return distance_matrix_km(lats, lons, [lat], [lon])[:, 0]


def within_outlines(
    geometries: list[dict[str, object]], lat: float, lon: float, *, margin_km: float
) -> bool:
    """Whether (lat, lon) lies inside the union of these GeoJSON polygons, or within
    `margin_km` of it (a report from the road just outside a district still counts)."""
    import shapely
    from shapely.geometry import Point, shape

    area = shapely.union_all([shape(g) for g in geometries])
    # Degrees of latitude are ~111 km; longitude shrinks with the cosine of the latitude,
    # so the margin is taken in the smaller (longitude) degree to stay generous.
    margin = margin_km / (111.0 * max(0.2, math.cos(math.radians(lat))))
    return bool(area.buffer(margin).covers(Point(lon, lat)))
