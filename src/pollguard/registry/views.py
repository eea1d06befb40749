"""Pages of the registry: overview, map, centers, center page, units.

Thin shells: every query goes through `registry.access` (which scopes it to the user's
role and sector), every write through `registry.actions`. URLs carry public codes.
List pages run a fixed number of queries whatever the number of rows (tested).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from pollguard.accounts.access import profile_of
from pollguard.accounts.actions import do_choose_election
from pollguard.accounts.choices import Role
from pollguard.common.errors import Conflict, Forbidden
from pollguard.core.arabic import normalize
from pollguard.core.risk import RiskAssessment
from pollguard.live.cursor import encode_position
from pollguard.registry.access import (
    access_center,
    access_center_for_status,
    access_election,
    can_set_center_status,
    centers_for,
    current_election,
    elections_for,
    feed_position,
    sector_summary,
    sectors_for,
    sees_centers,
    sees_intel,
    sees_units,
    stations_for,
    status_changes_for,
    units_for,
)
from pollguard.registry.actions import do_record_intel_read, do_set_center_status
from pollguard.registry.choices import (
    EXCEPTION_STATUSES,
    CenterKind,
    CenterStatus,
    UnitKind,
)
from pollguard.registry.filters import CenterFilter
from pollguard.registry.intel import center_risk
from pollguard.registry.models import Center, Election, Sector
from pollguard.registry.templatetags.pollguard_ui import local_name

PAGE_SIZE = 50
PRINT_CAP = 2000  # rows in "print all matching": a whole governorate, not a national list
FEED_SIZE = 20  # status changes on the overview
HISTORY_SIZE = 100  # status changes on a center's page
RESULTS_TARGET = "pg-results"  # the element id HTMX refreshes on list pages
# What the top bar's election selector reads of each election.
ELECTION_LABEL_FIELDS = ("code", "name_en", "name_ar", "loaded_at")

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


def _live_config(request: HttpRequest) -> dict[str, Any]:
    """Where the page's live client starts: the user's feed position when the page was read.

    Starting from the position read *with* the page's data means a change committed
    between the render and the first poll is still delivered.
    """
    election = current_election(request.user)
    url = reverse("live:events")
    if election is not None:
        # The feed answers {"reload": true} once the user has chosen another election
        # (in another tab), so this page never mixes two elections' events.
        url += "?" + urlencode({"election": election.code})
    return {"url": url, "after": encode_position(feed_position(request.user), request.user.pk)}


def _is_current(election: Election) -> bool:
    """The `is_current` mark `elections_for` puts on each election."""
    return bool(getattr(election, "is_current", False))


def shell_context(request: HttpRequest, current: str) -> dict[str, Any]:
    """What base.html needs on every signed-in page: election, role, scope and navigation.

    `current` is the navigation entry to mark as the current page.
    """
    user = request.user
    profile = profile_of(user)
    # Every election, for the top bar's selector; the user's current one is marked in it.
    elections = list(elections_for(user).only(*ELECTION_LABEL_FIELDS))
    if profile is not None:
        election = next((e for e in elections if _is_current(e)), None)
    else:
        election = current_election(user)
    nav: list[dict[str, Any]] = [
        {"key": "overview", "url": reverse("registry:overview"), "label": _("Overview")}
    ]
    if sees_centers(user):
        nav.append({"key": "map", "url": reverse("registry:map"), "label": _("Map")})
        nav.append({"key": "centers", "url": reverse("registry:centers"), "label": _("Centers")})
    if sees_units(user):
        nav.append({"key": "units", "url": reverse("registry:units"), "label": _("Units")})
    if sees_intel(user):
        nav.append({"key": "intel", "url": reverse("registry:intel"), "label": _("Intelligence")})
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
        # The selector appears only when there is something to choose.
        "pg_elections": [
            {"code": e.code, "name": local_name(e), "current": _is_current(e)} for e in elections
        ]
        if len(elections) > 1
        else [],
        "pg_next": request.get_full_path(),
        "pg_role_label": profile.get_role_display() if profile is not None else "",
        "pg_role": profile.role if profile is not None else "",
        "pg_scope_label": scope,
        "pg_nav": nav,
        "pg_statuses": status_info(),
        "pg_printed_at": timezone.now(),
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
    """One page of rows; with `?all=1` ("print all matching") every row up to `PRINT_CAP`."""
    if request.GET.get("all") == "1":
        return Paginator(rows[:PRINT_CAP], PRINT_CAP).page(1)
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _url_with(request: HttpRequest, **changes: str | None) -> str:
    """The current URL with some query parameters replaced (None removes one)."""
    query = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path


class Column:
    """A list column: its header, and how `?sort=<key>` orders by it (None: not sortable)."""

    def __init__(
        self,
        key: str,
        label: str,
        order: tuple[str, ...] | None = None,
        *,
        numeric: bool = False,
    ) -> None:
        self.key = key
        self.label = label
        self.order = order
        self.numeric = numeric


def _sorted(
    request: HttpRequest, rows: QuerySet[Any], columns: list[Column], default: str
) -> tuple[QuerySet[Any], list[dict[str, Any]]]:
    """Order rows by `?sort=key` or `?sort=-key` (whitelisted by `columns`), and describe the
    headers: a link that sorts by the column (reversing it when it is the current one) and
    `aria-sort`. An unknown key falls back to `default`; the code breaks ties."""
    requested = request.GET.get("sort", "")
    descending = requested.startswith("-")
    key = requested.removeprefix("-")
    by_key = {c.key: c for c in columns if c.order}
    if key not in by_key:
        key, descending = default, False
    fields = by_key[key].order or ()
    ordering = [f"-{f}" if descending else f for f in fields]
    if "code" not in fields:
        ordering.append("code")
    headers = []
    for column in columns:
        current = column.key == key
        header: dict[str, Any] = {
            "label": column.label,
            "numeric": column.numeric,
            "key": column.key,
        }
        if column.order:
            next_sort = f"-{column.key}" if current and not descending else column.key
            header["url"] = _url_with(request, sort=next_sort, page=None)
            header["aria_sort"] = (
                ("descending" if descending else "ascending") if current else "none"
            )
        headers.append(header)
    return rows.order_by(*ordering), headers


def _filters_in_effect(form: forms.Form) -> list[dict[str, str]]:
    """Label and shown value of every filter set, for the print header."""
    if not form.is_valid():
        return []
    shown = []
    for name, value in form.cleaned_data.items():
        if not value:
            continue
        field = form.fields[name]
        text = str(value)
        if isinstance(field, forms.ChoiceField):
            text = str(dict(field.choices).get(value, value))  # type: ignore[arg-type]
        shown.append({"label": str(field.label), "value": text})
    return shown


def _name_order() -> tuple[str, ...]:
    return ("name_ar", "name_en") if (get_language() or "ar").startswith("ar") else ("name_en",)


# --- overview -------------------------------------------------------------------------


def _status_links(status: str) -> dict[str, str]:
    query = f"?status={quote(status)}"
    return {
        "list_url": reverse("registry:centers") + query,
        "map_url": reverse("registry:map") + query,
    }


def _overview_figures(request: HttpRequest) -> dict[str, Any]:
    rows = sector_summary(request.user)
    colors = sector_colors(current_election(request.user))
    totals = {
        field: sum(getattr(row, field) for row in rows)
        for field in ("centers", "stations", "voters", "units", "headcount", "personnel")
    }
    counts = {
        row["status"]: row["n"]
        for row in centers_for(request.user).order_by().values("status").annotate(n=Count("id"))
    }

    def figure(s: CenterStatus) -> dict[str, Any]:
        return {
            "value": s.value,
            "label": s.label,
            "color": s.color,
            "count": counts.get(s.value, 0),
            **_status_links(s.value),
        }

    return {
        "rows": [
            {"summary": row, "color": colors.get(row.sector.code, "") if row.sector else ""}
            for row in rows
        ],
        "totals": totals,
        "exceptions": [figure(s) for s in EXCEPTION_STATUSES],
        "normal": [figure(s) for s in CenterStatus if s not in EXCEPTION_STATUSES],
        "sees_centers": sees_centers(request.user),
        "sees_units": sees_units(request.user),
        "feed": list(status_changes_for(request.user)[:FEED_SIZE]),
    }


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Exceptions first (centers not open, delayed, disrupted, closed), the latest status
    changes, then per sector: centers, stations, voters, units and personnel.

    A field reporter has one center: `/` (where login lands) is that center's page.
    """
    profile = profile_of(request.user)
    _require(profile is not None)
    assert profile is not None
    if profile.role == Role.FIELD_REPORTER and profile.center is not None:
        return HttpResponseRedirect(reverse("registry:center", args=[profile.center.code]))
    context = shell_context(request, "overview")
    context.update(_overview_figures(request))
    context["live"] = _live_config(request)
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
    """Apply the list filters through the filter the API uses; invalid input filters nothing."""
    if not form.is_valid():
        return centers
    data = form.cleaned_data
    return CenterFilter(
        sector=data["sector"], status=data["status"], kind=data["kind"], search=data["q"] or ""
    ).apply(centers)


@login_required
@require_GET
def center_list(request: HttpRequest) -> HttpResponse:
    """Centers with filters, search and sorting, paginated; HTMX refreshes only the table.

    Columns that cannot vary for the user are left out (the sector for a sector
    commander or a field reporter).
    """
    _require(sees_centers(request.user))
    election = current_election(request.user)
    sectors = list(sectors_for(request.user, election).order_by("code"))
    form = CenterFilterForm(request.GET, sectors)
    name = _name_order()
    columns = [
        Column("code", _("Code"), ("code",)),
        Column("name", _("Name"), name),
        Column("sector", _("Sector"), tuple(f"sector__{f}" for f in name)),
        Column("district", _("District"), tuple(f"district__{f}" for f in name)),
        Column("kind", _("Kind"), ("kind",)),
        Column("stations", _("Stations"), ("stations_count",), numeric=True),
        Column("voters", _("Voters"), ("voters",), numeric=True),
        Column("status", _("Status"), ("status",)),
    ]
    show_sector = len(sectors) != 1
    if not show_sector:
        columns = [c for c in columns if c.key != "sector"]
    centers, headers = _sorted(
        request, filter_centers(centers_for(request.user, election), form), columns, "code"
    )
    page = _paginate(request, centers)
    context = shell_context(request, "centers")
    context.update(
        {
            "form": form,
            "page": page,
            "headers": headers,
            "show_sector": show_sector,
            "print_all_url": _url_with(request, all="1", page=None),
            "print_all": request.GET.get("all") == "1",
            "print_cap": PRINT_CAP,
            "pg_filters": _filters_in_effect(form),
            "live": _live_config(request),
        }
    )
    return _render_list(
        request, "registry/center_list.html", "registry/partials/center_table.html", context
    )


class CenterStatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("New status"), choices=CenterStatus.choices)
    remark = forms.CharField(
        label=gettext_lazy("Remark (optional)"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("Why: shown in the history and the operations room's feed."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


@login_required
@require_GET
def center_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One center: details, stations, status and (for roles allowed) the status form."""
    center = access_center(request.user, code)
    stations = stations_for(request.user).filter(center=center).order_by("number")
    context = shell_context(request, "centers")
    can_change = can_set_center_status(request.user, center)
    risk = center_risk(center)
    # Which reports raised the score is intelligence: only need-to-know roles see it, and
    # seeing it is a read of those reports (audited). Others see the score and the
    # components that are not intelligence.
    shows_intel = sees_intel(request.user)
    if shows_intel and risk.intel_counted:
        do_record_intel_read(
            [code for code, _value in risk.intel_counted],
            acting_user=request.user,
            where=f"page /centers/{center.code}/",
        )
    context.update(
        {
            "center": center,
            "risk": risk,
            "risk_rows": _risk_rows(risk, shows_intel),
            "shows_intel": shows_intel,
            "sector_color": sector_colors(center.election).get(center.sector.code, ""),
            "stations": stations,
            "can_change_status": can_change,
            "history": list(status_changes_for(request.user).filter(center=center)[:HISTORY_SIZE]),
            "status_form": CenterStatusForm(
                initial={"status": center.status, "version": center.version}
            )
            if can_change
            else None,
            "live": _live_config(request),
        }
    )
    return render(request, "registry/center_detail.html", context)


def _risk_rows(risk: RiskAssessment, shows_intel: bool) -> list[dict[str, Any]]:
    """The components of a center's score for its page, in the order the model adds them."""
    labels = {
        "history": _("Incidents of past elections nearby"),
        "intel": _("Intelligence reports"),
        "remoteness": _("Distance to the nearest police base"),
        "size": _("Size (registered voters)"),
    }
    rows = []
    for key, value in risk.components.items():
        hidden = key == "intel" and not shows_intel
        rows.append(
            {
                "key": key,
                "label": labels[key],
                "value": None if hidden else value,
                "weight": risk.weights.get(key, 0.0),
                "hidden": hidden,
            }
        )
    return rows


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
            remark=form.cleaned_data["remark"],
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
    election = current_election(request.user)
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
    name = _name_order()
    columns = [
        Column("code", _("Code"), ("code",)),
        Column("name", _("Name"), name),
        Column("agency", _("Agency"), tuple(f"agency__{f}" for f in name)),
        Column("kind", _("Kind"), ("kind",)),
        Column("sector", _("Home sector"), tuple(f"sector__{f}" for f in name)),
        Column("headcount", _("Headcount"), ("headcount",), numeric=True),
        Column("team_size", _("Team size"), ("team_size",), numeric=True),
    ]
    # A sector commander's units are all of one sector, a liaison's of one agency.
    show_sector = len(sectors) != 1
    show_agency = len(agencies) != 1
    columns = [
        c
        for c in columns
        if (c.key != "sector" or show_sector) and (c.key != "agency" or show_agency)
    ]
    units, headers = _sorted(request, units, columns, "code")
    page = _paginate(request, units)
    context = shell_context(request, "units")
    context.update(
        {
            "form": form,
            "page": page,
            "headers": headers,
            "show_sector": show_sector,
            "show_agency": show_agency,
            "print_all_url": _url_with(request, all="1", page=None),
            "print_all": request.GET.get("all") == "1",
            "print_cap": PRINT_CAP,
            "pg_filters": _filters_in_effect(form),
        }
    )
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


# --- elections ------------------------------------------------------------------------


@login_required
@require_GET
def election_list(request: HttpRequest) -> HttpResponse:
    """Every election in the database, which one the user's pages show, and a choose button."""
    _require(profile_of(request.user) is not None)
    context = shell_context(request, "elections")
    context["elections"] = list(elections_for(request.user))
    return render(request, "registry/election_list.html", context)


@login_required
@require_POST
def election_choose(request: HttpRequest) -> HttpResponse:
    """Make the posted election the user's current one, then go back where they were.

    An unknown code is 404 (as for a user without a role). Open pages of the previous
    election reload at their next live poll.
    """
    election = access_election(request.user, request.POST.get("election", ""))
    if do_choose_election(request.user, election, acting_user=request.user):
        messages.success(
            request, _("Now showing: %(election)s.") % {"election": local_name(election)}
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("registry:overview")
    return HttpResponseRedirect(_same_page_in(request, target))


def _same_page_in(request: HttpRequest, target: str) -> str:
    """`target` after a switch, unless it is a center the new election does not have (for
    this user): then the center list, rather than a "Not found" for a page that was there."""
    try:
        match = resolve(urlsplit(target).path)
    except Resolver404:
        return target
    if match.view_name == "registry:center":
        code = str(match.kwargs.get("code", ""))
        if not centers_for(request.user).filter(code=code).exists():
            return reverse("registry:centers")
    return target
