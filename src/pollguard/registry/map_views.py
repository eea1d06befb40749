"""The map of polling centers, its data, and the operations room's wall display.

Thin shells like `registry.views`: every query goes through `registry.access`, so a sector
commander's map and wall show their sector and a field reporter's their one center.
Filters travel in the query string (`?status=delayed&status=disrupted&sector=RIF`) so a
filtered view can be linked from other pages and kept as a bookmark.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from pollguard.registry.access import centers_for, current_election, sectors_for, sees_centers
from pollguard.registry.choices import CenterStatus
from pollguard.registry.models import Area, District, Election
from pollguard.registry.templatetags.pollguard_ui import local_name
from pollguard.registry.views import _live_config, _require, sector_colors, shell_context

# Where to look before the data arrives (or when there is none): Dhi Qar.
DEFAULT_VIEW = [31.04, 46.26]


def _map_statuses() -> list[dict[str, Any]]:
    """Every status with what the map needs: label, fill color, severity, exception flag."""
    return [
        {
            "value": s.value,
            "label": str(s.label),
            "color": s.color,
            "severity": s.severity,
            "exception": s.is_exception,
        }
        for s in CenterStatus
    ]


def _filter_state(request: HttpRequest, sector_codes: list[str]) -> dict[str, Any]:
    """The filters named in the query string; unknown values are ignored, not an error.

    No `status` parameter means every status is shown.
    """
    known = set(CenterStatus.values)
    chosen = [s for s in request.GET.getlist("status") if s in known]
    sector = request.GET.get("sector", "")
    return {
        "statuses": chosen or list(CenterStatus.values),
        "sector": sector if sector in sector_codes else "",
    }


def _map_config(request: HttpRequest, election: Election | None) -> dict[str, Any]:
    return {
        "dataUrl": reverse("registry:map_data"),
        "tileUrl": settings.POLLGUARD_TILE_URL,
        "tileAttribution": settings.POLLGUARD_TILE_ATTRIBUTION,
        "center": DEFAULT_VIEW,
        "timezone": election.timezone if election is not None else "Asia/Baghdad",
        "language": get_language() or "ar",
        "statuses": _map_statuses(),
        "labels": {
            "status": _("Status"),
            "voters": _("Voters"),
            "sector": _("Sector"),
            "open": _("Open center page"),
            "approximate": _("approximate area"),
            # %(count)s is replaced in the browser; kept whole so it translates as a sentence.
            "inView": _("%(count)s exceptions in view"),
            "noneInView": _("No exceptions in view"),
            "more": _("and %(count)s more: zoom in to see them"),
        },
    }


@login_required
@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    """Centers filled with their status color, exceptions on top, clustered when zoomed out.

    The data comes from `map_data`; the filters are rendered here from the query string so
    the page and a shared link agree.
    """
    _require(sees_centers(request.user))
    election = current_election(request.user)
    context = shell_context(request, "map")
    context["live"] = _live_config(request)
    colors = sector_colors(election)
    sectors = list(sectors_for(request.user, election).order_by("code"))
    context["sectors"] = [{"sector": s, "color": colors.get(s.code, "")} for s in sectors]
    context["filters"] = _filter_state(request, [s.code for s in sectors])
    context["map_statuses"] = _map_statuses()
    context["map_config"] = _map_config(request, election)
    outlined = set(
        Area.objects.filter(election=election, kind="sector").values_list("ref", flat=True)
    )
    context["all_outlined"] = bool(sectors) and {s.code for s in sectors} <= outlined
    return render(request, "registry/map.html", context)


@login_required
@require_GET
def wall(request: HttpRequest) -> HttpResponse:
    """Full-screen view for the operations room's wall: map, exceptions, live figures, clock.

    The same visibility as the map. Counts are computed here (one query) and then kept
    current in the browser from the live feed, like the markers.
    """
    _require(sees_centers(request.user))
    election = current_election(request.user)
    context = shell_context(request, "map")
    context["live"] = _live_config(request)
    counts = dict(
        centers_for(request.user, election)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    statuses = _map_statuses()
    for item in statuses:
        item["count"] = counts.get(item["value"], 0)
    context["map_statuses"] = statuses
    context["open_exceptions"] = sum(s["count"] for s in statuses if s["exception"])
    context["filters"] = _filter_state(request, [])
    config = _map_config(request, election)
    config["wall"] = True
    zone = config["timezone"]
    context["clock_label"] = _("Baghdad time") if zone == "Asia/Baghdad" else zone
    context["map_config"] = config
    return render(request, "registry/wall.html", context)


def _district_labels(
    election: Election | None, rows: list[tuple[Any, ...]], arabic: bool
) -> list[dict[str, Any]]:
    """Town labels: each district's name at the centroid of the visible centers in it.

    Only districts with a visible center are named, so a sector commander's map does not
    reveal the rest of the province. Sub-districts name the smaller towns.
    """
    points: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for row in rows:
        for district_id in (row[8], row[9]):
            if district_id:
                points[district_id].append((row[4], row[5]))
    if election is None or not points:
        return []
    labels = []
    for district in District.objects.filter(election=election, id__in=points.keys()).order_by(
        "code"
    ):
        pts = points[district.id]
        name = (district.name_ar or district.name_en) if arabic else district.name_en
        labels.append(
            {
                "code": district.code,
                "name": name or district.name_ar or district.code,
                "lat": round(sum(p[0] for p in pts) / len(pts), 5),
                "lon": round(sum(p[1] for p in pts) / len(pts), 5),
                "major": district.parent_id is None,
            }
        )
    return labels


@login_required
@require_GET
@gzip_page
def map_data(request: HttpRequest) -> JsonResponse:
    """Every visible center as a compact row, plus sectors and town labels.

    Rows are `[code, name, sector, lat, lon, voters, status, url, district]`: arrays rather
    than objects. 10,000 centers are 1.5 MB of JSON, about a tenth of that gzipped, which
    matters on an operations room's shared link. Only this JSON is compressed: it carries
    no secret, whereas compressing pages with CSRF tokens would invite BREACH. `areas` holds
    the package's sector and district outlines, when it has them. Four queries whatever the
    count.
    """
    _require(sees_centers(request.user))
    election = current_election(request.user)
    arabic = (get_language() or "ar").startswith("ar")
    url_template = reverse("registry:center", args=["CODE"])
    head, tail = url_template.split("CODE")
    colors = sector_colors(election)
    sectors = [
        {"code": s.code, "name": local_name(s), "color": colors.get(s.code, "")}
        for s in sectors_for(request.user, election).order_by("code")
    ]
    rows = list(
        centers_for(request.user, election)
        .order_by("code")
        .values_list(
            "code",
            "name_ar",
            "name_en",
            "sector__code",
            "lat",
            "lon",
            "voters",
            "status",
            "district_id",
            "subdistrict_id",
            "district__code",
        )
    )
    centers = [
        [
            row[0],
            (row[1] or row[2] or row[0]) if arabic else (row[2] or row[1] or row[0]),
            row[3],
            row[4],
            row[5],
            row[6],
            row[7],
            f"{head}{quote(row[0])}{tail}",
            row[10] or "",
        ]
        for row in rows
    ]
    labels = _district_labels(election, rows, arabic)
    areas = _areas(election, [s["code"] for s in sectors], [d["code"] for d in labels])
    return JsonResponse(
        {"sectors": sectors, "centers": centers, "districts": labels, "areas": areas}
    )


def _areas(
    election: Election | None, sector_codes: list[str], district_codes: list[str]
) -> list[dict[str, Any]]:
    """The package's outlines (areas.geojson) of the sectors and districts the user sees.

    One query. Without them the map falls back to its dashed hulls, marked approximate.
    """
    if election is None:
        return []
    wanted = Q(kind="sector", ref__in=sector_codes) | Q(kind="district", ref__in=district_codes)
    return [
        {"kind": kind, "code": ref, "geometry": geometry}
        for kind, ref, geometry in Area.objects.filter(wanted, election=election)
        .order_by("kind", "ref")
        .values_list("kind", "ref", "geometry")
    ]
