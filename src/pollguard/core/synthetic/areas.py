"""Synthetic sector and district outlines for a generated package (its areas.geojson).

A real package carries the boundaries the directorate uses. A synthetic one has none, so
these are made from the centers themselves: each center gets the part of the province nearer
to it than to any other center (a Voronoi cell, shapely), and a sector's outline is the
union of its centers' cells, a district's the union of its centers' cells. So every center
lies inside its own sector's and district's outline, neighbouring outlines share their
borders instead of overlapping, and the province's outline is the centers' convex hull
widened by `margin_deg`. Coordinates are rounded to 4 decimals (about 10 m) so that the
generated file is small and the same bytes on every machine.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import shapely
from shapely.geometry import MultiPoint, Point, mapping
from shapely.geometry.base import BaseGeometry

from pollguard.core.model import Area, Center

DECIMALS = 4


def _rounded(geometry: BaseGeometry) -> dict[str, Any]:
    """GeoJSON of a polygon or multipolygon, counter-clockwise shells, rounded coordinates."""
    geometry = shapely.set_precision(geometry, 10**-DECIMALS)
    geometry = shapely.normalize(shapely.orient_polygons(geometry))
    geo = mapping(geometry)

    def rnd(coords: Iterable[Any]) -> list[Any]:
        return [
            [round(float(c[0]), DECIMALS), round(float(c[1]), DECIMALS)]
            if not isinstance(c[0], (list, tuple))
            else rnd(c)
            for c in coords
        ]

    return {"type": geo["type"], "coordinates": rnd(geo["coordinates"])}


def voronoi_areas(centers: Iterable[Center], *, margin_deg: float = 0.08) -> tuple[Area, ...]:
    """Sector outlines, and district outlines for the centers that name their district."""
    centers = list(centers)
    sites = sorted({(c.lon, c.lat) for c in centers})
    if len(sites) < 3:
        return ()
    hull = MultiPoint([Point(x, y) for x, y in sites]).convex_hull
    province = hull.buffer(margin_deg, quad_segs=4)
    # ordered=True: the i-th cell belongs to the i-th site (shapely >= 2.1).
    cells = shapely.voronoi_polygons(
        MultiPoint([Point(x, y) for x, y in sites]), extend_to=province, ordered=True
    )
    cell_of = {
        site: cell.intersection(province) for site, cell in zip(sites, cells.geoms, strict=True)
    }
    groups: dict[tuple[str, str], dict[tuple[float, float], BaseGeometry]] = defaultdict(dict)
    for center in centers:
        site = (center.lon, center.lat)
        groups[("sector", center.sector)][site] = cell_of[site]
        if center.district:
            groups[("district", center.district)][site] = cell_of[site]
    return tuple(
        Area(kind=kind, code=code, geometry=_rounded(shapely.union_all(list(parts.values()))))
        for (kind, code), parts in sorted(groups.items())
    )
