"""Pages of the registry: overview, map, centers, center page, units.

Thin shells: every query goes through `registry.access` (which scopes it to the user's
role and sector), every write through `registry.actions`. URLs carry public codes.
List pages run a fixed number of queries whatever the number of rows (tested).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from pollguard.accounts.access import profile_of
from pollguard.core.arabic import normalize
from pollguard.live.models import Event
from pollguard.registry.access import (
    access_center,
    access_center_for_status,
    can_set_center_status,
    centers_for,
    current_election,
    sector_summary,
    sectors_for,
    sees_centers,
    sees_units,
    stations_for,
    units_for,
)
from pollguard.registry.actions import do_set_center_status
from pollguard.registry.choices import CenterKind, CenterStatus, UnitKind
from pollguard.registry.models import Center, Election, Sector
from pollguard.registry.templatetags.pollguard_ui import local_name
from pollguard.web.errors import Conflict, Forbidden

PAGE_SIZE = 50
RESULTS_TARGET = "pg-results"  # the element id HTMX refreshes on list pages

# Sector colors: distinguishable on a light background and for the common color-vision
# deficiencies (Okabe-Ito first, then Tableau). A sector keeps its color for every user
# because the color follows its rank among all the election's sectors, not its position in
# the user's (scoped) list.
SECTOR_PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#D55E00",
    "#56B4E9",
    "#8C564B",
    "#7F7F7F",
    "#BCBD22",
    "#17BECF",
    "#9467BD",
    "#1F3A93",
)


def sector_colors(election: Election | None) -> dict[str, str]:
    """Sector code -> color, the same on every page and for every user; one query.

    Only codes are read (for their rank); what the user may see is still decided by the
    access helpers.
    """
    if election is None:
        return {}
    codes = Sector.objects.filter(election=election).order_by("code").values_list("code", flat=True)
    return {code: SECTOR_PALETTE[i % len(SECTOR_PALETTE)] for i, code in enumerate(codes)}


def status_info() -> dict[str, dict[str, str]]:
    """Status code -> translated label and color, for the badges and the live client."""
    return {s.value: {"label": str(s.label), "color": s.color} for s in CenterStatus}


def _live_config() -> dict[str, Any]:
    """Where the page's live client starts: the feed's position when the page was read.

    Starting from the position read *with* the page's data means a change committed
    between the render and the first poll is still delivered.
    """
    last = Event.objects.aggregate(last=Max("id"))["last"] or 0
    return {"url": reverse("live:events"), "after": last}


def shell_context(request: HttpRequest, current: str) -> dict[str, Any]:
    """What base.html needs on every signed-in page: election, role, scope and navigation.

    `current` is the navigation entry to mark as the current page.
    """
    user = request.user
    profile = profile_of(user)
    election = current_election()
    nav: list[dict[str, Any]] = [
        {"key": "overview", "url": reverse("registry:overview"), "label": _("Overview")}
    ]
    if sees_centers(user):
        nav.append({"key": "map", "url": reverse("registry:map"), "label": _("Map")})
        nav.append({"key": "centers", "url": reverse("registry:centers"), "label": _("Centers")})
    if sees_units(user):
        nav.append({"key": "units", "url": reverse("registry:units"), "label": _("Units")})
    for item in nav:
        item["current"] = item["key"] == current
    scope = ""
    if profile is not None:
        # At most one of these is set, so this costs one query (the related row).
        scoped = profile.sector or profile.agency or profile.center
        scope = local_name(scoped) if scoped is not None else ""
    return {
        "pg_election": election,
        "pg_election_name": local_name(election) if election is not None else "",
        "pg_role_label": profile.get_role_display() if profile is not None else "",
        "pg_scope_label": scope,
        "pg_nav": nav,
        "pg_statuses": status_info(),
    }


def _require(condition: bool) -> None:
    """Page-level check: a role without any such objects gets "not allowed" (403)."""
    if not condition:
        raise Forbidden


def _wants_fragment(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and (
        request.headers.get("HX-Target") == RESULTS_TARGET
    )


def _render_list(
    request: HttpRequest, page: str, fragment: str, context: dict[str, Any]
) -> HttpResponse:
    """The full page, or only the results fragment when HTMX refreshes the table."""
    if _wants_fragment(request):
        response = render(request, fragment, context)
    else:
        response = render(request, page, context)
    # The same URL answers with a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def _paginate(request: HttpRequest, rows: QuerySet[Any]) -> Page[Any]:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


# --- overview -------------------------------------------------------------------------


def _overview_figures(request: HttpRequest) -> dict[str, Any]:
    rows = sector_summary(request.user)
    colors = sector_colors(current_election())
    totals = {
        field: sum(getattr(row, field) for row in rows)
        for field in ("centers", "stations", "voters", "units", "headcount", "personnel")
    }
    counts = {
        row["status"]: row["n"]
        for row in centers_for(request.user).order_by().values("status").annotate(n=Count("id"))
    }
    statuses = [
        {"value": s.value, "label": s.label, "color": s.color, "count": counts.get(s.value, 0)}
        for s in CenterStatus
    ]
    return {
        "rows": [
            {"summary": row, "color": colors.get(row.sector.code, "") if row.sector else ""}
            for row in rows
        ],
        "totals": totals,
        "statuses": statuses,
        "sees_centers": sees_centers(request.user),
    }


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Per sector: centers, stations, voters, units and personnel, with totals and statuses."""
    _require(profile_of(request.user) is not None)
    context = shell_context(request, "overview")
    context.update(_overview_figures(request))
    context["live"] = _live_config()
    return render(request, "registry/overview.html", context)


@never_cache
@login_required
@require_GET
def overview_figures(request: HttpRequest) -> HttpResponse:
    """The overview's figures alone, refreshed by the page when a live event arrives."""
    _require(profile_of(request.user) is not None)
    return render(request, "registry/partials/overview_figures.html", _overview_figures(request))


# --- centers --------------------------------------------------------------------------


class CenterFilterForm(forms.Form):
    """Filters of the center list; invalid values are ignored rather than failing."""

    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=200)
    sector = forms.ChoiceField(label=gettext_lazy("Sector"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *CenterStatus.choices],
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("All")), *CenterKind.choices],
    )

    def __init__(self, data: Any, sectors: list[Sector]) -> None:
        super().__init__(data)
        field = self.fields["sector"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("All")), *((s.code, local_name(s)) for s in sectors)]


def filter_centers(centers: QuerySet[Center], form: CenterFilterForm) -> QuerySet[Center]:
    """Apply the list filters. Search compares normalized text, so spelling variants of an
    Arabic name (hamza, ta marbuta, alef maqsura, diacritics, digits) all match."""
    if not form.is_valid():
        return centers
    data = form.cleaned_data
    if data["sector"]:
        centers = centers.filter(sector__code=data["sector"])
    if data["status"]:
        centers = centers.filter(status=data["status"])
    if data["kind"]:
        centers = centers.filter(kind=data["kind"])
    query = normalize(data["q"] or "")
    for word in query.split():
        centers = centers.filter(search_name__contains=word)
    return centers


@login_required
@require_GET
def center_list(request: HttpRequest) -> HttpResponse:
    """Centers with filters and search, paginated; HTMX refreshes only the table."""
    _require(sees_centers(request.user))
    election = current_election()
    sectors = list(sectors_for(request.user, election).order_by("code"))
    form = CenterFilterForm(request.GET, sectors)
    centers = filter_centers(centers_for(request.user, election), form).order_by("code")
    page = _paginate(request, centers)
    context = shell_context(request, "centers")
    context.update({"form": form, "page": page, "live": _live_config()})
    return _render_list(
        request, "registry/center_list.html", "registry/partials/center_table.html", context
    )


class CenterStatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("New status"), choices=CenterStatus.choices)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


@login_required
@require_GET
def center_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One center: details, stations, status and (for roles allowed) the status form."""
    center = access_center(request.user, code)
    stations = stations_for(request.user).filter(center=center).order_by("number")
    context = shell_context(request, "centers")
    can_change = can_set_center_status(request.user, center)
    context.update(
        {
            "center": center,
            "sector_color": sector_colors(center.election).get(center.sector.code, ""),
            "stations": stations,
            "can_change_status": can_change,
            "status_form": CenterStatusForm(
                initial={"status": center.status, "version": center.version}
            )
            if can_change
            else None,
            "live": _live_config(),
        }
    )
    return render(request, "registry/center_detail.html", context)


@login_required
@require_POST
def center_set_status(request: HttpRequest, code: str) -> HttpResponse:
    """Change a center's status; the version guards against overwriting someone else."""
    center = access_center_for_status(request.user, code)
    target = reverse("registry:center", args=[center.code])
    form = CenterStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid status."))
        return HttpResponseRedirect(target)
    status = CenterStatus(form.cleaned_data["status"])
    try:
        do_set_center_status(
            center,
            status,
            acting_user=request.user,
            expected_version=form.cleaned_data["version"],
        )
    except Conflict:
        center.refresh_from_db(fields=["status", "version"])
        messages.error(
            request,
            _(
                "Not saved: someone else changed this center while you were looking at it. "
                "Its status is now “%(status)s”. Check it and choose again."
            )
            % {"status": CenterStatus(center.status).label},
        )
        return HttpResponseRedirect(target)
    messages.success(request, _("Status changed to “%(status)s”.") % {"status": status.label})
    return HttpResponseRedirect(target)


# --- units ----------------------------------------------------------------------------


class UnitFilterForm(forms.Form):
    """Filters of the unit list."""

    RESERVE_CHOICES = (
        ("", gettext_lazy("All")),
        ("yes", gettext_lazy("Governorate reserve")),
        ("no", gettext_lazy("Sector units")),
    )

    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=200)
    agency = forms.ChoiceField(label=gettext_lazy("Agency"), required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("All")), *UnitKind.choices],
    )
    sector = forms.ChoiceField(label=gettext_lazy("Sector"), required=False)
    reserve = forms.ChoiceField(
        label=gettext_lazy("Reserve"), required=False, choices=RESERVE_CHOICES
    )

    def __init__(self, data: Any, sectors: list[Sector], agencies: list[tuple[str, str]]) -> None:
        super().__init__(data)
        sector_field = self.fields["sector"]
        agency_field = self.fields["agency"]
        assert isinstance(sector_field, forms.ChoiceField)
        assert isinstance(agency_field, forms.ChoiceField)
        sector_field.choices = [("", _("All")), *((s.code, local_name(s)) for s in sectors)]
        agency_field.choices = [("", _("All")), *agencies]


@login_required
@require_GET
def unit_list(request: HttpRequest) -> HttpResponse:
    """Units with filters (agency, kind, sector, reserve) and search, paginated."""
    _require(sees_units(request.user))
    election = current_election()
    units = units_for(request.user, election)
    sectors = list(sectors_for(request.user, election).order_by("code"))
    agencies = _visible_agencies(units)
    form = UnitFilterForm(request.GET, sectors, agencies)
    if form.is_valid():
        data = form.cleaned_data
        if data["agency"]:
            units = units.filter(agency__code=data["agency"])
        if data["kind"]:
            units = units.filter(kind=data["kind"])
        if data["sector"]:
            units = units.filter(sector__code=data["sector"])
        if data["reserve"] == "yes":
            units = units.filter(sector__isnull=True)
        elif data["reserve"] == "no":
            units = units.filter(sector__isnull=False)
        for word in normalize(data["q"] or "").split():
            units = units.filter(Q(search_name__contains=word) | Q(code__icontains=word))
    page = _paginate(request, units.order_by("code"))
    context = shell_context(request, "units")
    context.update({"form": form, "page": page})
    return _render_list(
        request, "registry/unit_list.html", "registry/partials/unit_table.html", context
    )


def _visible_agencies(units: QuerySet[Any]) -> list[tuple[str, str]]:
    """(code, name) of the agencies that have units the user may see; one query."""
    arabic = (get_language() or "ar").startswith("ar")
    rows = (
        units.order_by("agency__code")
        .values_list("agency__code", "agency__name_ar", "agency__name_en")
        .distinct()
    )
    return [(code, (ar or en or code) if arabic else (en or ar or code)) for code, ar, en in rows]
