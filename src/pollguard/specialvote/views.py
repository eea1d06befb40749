"""Pages of the special vote: check-in at a station with live tallies, and the reconciliation.

Who sees what is `specialvote.access`: commission liaisons check voters in, the chair
undoes a check-in, operations and the auditor read; everyone else gets 404. Forms post,
the action runs, the page redirects back with the outcome as a message (so a reload never
repeats a check-in).
"""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from pollguard.common.errors import Conflict
from pollguard.core.problems import InvalidInput
from pollguard.registry.models import Station
from pollguard.registry.views import _live_config, shell_context
from pollguard.specialvote import access
from pollguard.specialvote.actions import (
    SPECIAL_KINDS,
    AlreadyVoted,
    do_check_in,
    do_resolve_conflict,
    do_undo_checkin,
    special_vote_window,
)
from pollguard.specialvote.choices import CheckinState
from pollguard.specialvote.lookup import lookup_voters, tallies
from pollguard.specialvote.reconciliation import deployed_not_registered, reconcile

RECENT = 20


def _lang() -> str:
    return "en" if (get_language() or "ar").startswith("en") else "ar"


def _back(station: str, q: str = "") -> HttpResponseRedirect:
    params = {k: v for k, v in {"station": station, "q": q}.items() if v}
    url = reverse("specialvote:checkin")
    return HttpResponseRedirect(f"{url}?{urlencode(params)}" if params else url)


@never_cache
@login_required
def checkin_page(request: HttpRequest) -> HttpResponse:
    """Look a voter up and check them in at the chosen station; tallies per center."""
    election = access.special_vote_election(request.user)
    stations = list(
        Station.objects.filter(election=election, active=True, center__kind__in=SPECIAL_KINDS)
        .select_related("center")
        .order_by("center__code", "number")
    )
    station = request.GET.get("station", "")[:64]
    query = request.GET.get("q", "")[:200].strip()
    opens, closes = special_vote_window(election)
    checkins = access.checkins_for(request.user)
    context = shell_context(request, "specialvote")
    context.update(
        {
            "election": election,
            "can_check_in": access.can_check_in(request.user),
            "can_undo": access.can_undo(request.user),
            "stations": stations,
            "station": station,
            "query": query,
            "matches": lookup_voters(election, query) if query else None,
            "tallies": tallies(election),
            "recent": list(checkins.order_by("-recorded_at", "-id")[:RECENT]),
            "conflicts": list(
                checkins.filter(state=CheckinState.CONFLICT).order_by("-recorded_at")
            ),
            "opens": opens,
            "closes": closes,
            "live": _live_config(request),
        }
    )
    return render(request, "specialvote/checkin.html", context)


@never_cache
@login_required
@require_POST
def checkin_submit(request: HttpRequest) -> HttpResponse:
    election = access.require_check_in(request.user)
    station = request.POST.get("station", "")[:64]
    voter = request.POST.get("voter", "")[:64]
    query = request.POST.get("q", "")[:200]
    try:
        result = do_check_in(
            election,
            voter=voter,
            station=station,
            conditional=request.POST.get("conditional") == "1",
            reason=request.POST.get("reason", "")[:500],
            acting_user=request.user,
        )
    except AlreadyVoted as refused:
        messages.error(request, str(refused))
    except InvalidInput as invalid:
        for line in invalid.render(_lang()):
            messages.error(request, line)
    else:
        checkin = result.checkin
        messages.success(
            request,
            _("%(voter)s checked in at station %(station)s.")
            % {"voter": checkin.person_code, "station": checkin.station.code},
        )
    return _back(station, query)


@never_cache
@login_required
@require_POST
def checkin_undo(request: HttpRequest, checkin_id: str) -> HttpResponse:
    checkin = access.access_checkin_for_undo(request.user, checkin_id)
    try:
        do_undo_checkin(
            checkin, reason=request.POST.get("reason", "")[:500], acting_user=request.user
        )
    except InvalidInput as invalid:
        for line in invalid.render(_lang()):
            messages.error(request, line)
    except Conflict as conflict:
        messages.error(request, str(conflict))
    else:
        messages.success(
            request, _("The check-in of %(voter)s was undone.") % {"voter": checkin.person_code}
        )
    return _back(request.POST.get("station", "")[:64])


@never_cache
@login_required
@require_POST
def checkin_resolve(request: HttpRequest, checkin_id: str) -> HttpResponse:
    conflict = access.access_conflict_for_resolve(request.user, checkin_id)
    try:
        do_resolve_conflict(
            conflict,
            keep_offline=request.POST.get("keep") == "offline",
            reason=request.POST.get("reason", "")[:500],
            acting_user=request.user,
        )
    except InvalidInput as invalid:
        for line in invalid.render(_lang()):
            messages.error(request, line)
    except Conflict as conflict_error:
        messages.error(request, str(conflict_error))
    else:
        messages.success(
            request,
            _("The double-vote conflict of %(voter)s was decided.")
            % {"voter": conflict.person_code},
        )
    return _back("")


@never_cache
@login_required
def reconciliation_page(request: HttpRequest) -> HttpResponse:
    """The register against the deployment: the flagged units first, then every figure."""
    election = access.special_vote_election(request.user)
    result = reconcile(election)
    context = shell_context(request, "reconciliation")
    context.update({"election": election, "rec": result, "flagged": result.flagged_units})
    return render(request, "specialvote/reconciliation.html", context)


EXPORT_HEADER = ["id", "name_ar", "unit", "agency", "sector"]
UNIT_HEADER = [
    "unit",
    "agency",
    "sector",
    "deployed",
    "registered",
    "deployed_registered",
    "deployed_not_registered",
    "registered_not_deployed",
    "voted",
    "registered_not_voted",
]


def _flagged_rows(request: HttpRequest) -> tuple[list[list[str]], list[list[Any]]]:
    election = access.special_vote_election(request.user)
    people = [
        [
            p.code,
            p.name_ar,
            p.unit.code,
            p.unit.agency.code,
            p.unit.sector.code if p.unit.sector else "",
        ]
        for p in deployed_not_registered(election)
    ]
    units = [
        [r.code, r.agency, r.sector, *(r.counts.as_json()[h] for h in UNIT_HEADER[3:])]
        for r in reconcile(election).units
    ]
    return people, units


@never_cache
@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    """Deployed personnel missing from the register, one per line (UTF-8 with BOM for Excel)."""
    people, _units = _flagged_rows(request)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(EXPORT_HEADER)
    writer.writerows(people)
    answer = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    answer["Content-Disposition"] = 'attachment; filename="deployed-not-registered.csv"'
    return answer


@never_cache
@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    """The same people on the first sheet, the figures per unit on the second."""
    from openpyxl import Workbook

    people, units = _flagged_rows(request)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("deployed_not_registered")
    sheet.append(EXPORT_HEADER)
    for row in people:
        sheet.append(row)
    per_unit = book.create_sheet("units")
    per_unit.append(UNIT_HEADER)
    for row in units:
        per_unit.append(row)
    out = io.BytesIO()
    book.save(out)
    answer = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    answer["Content-Disposition"] = 'attachment; filename="special-vote-reconciliation.xlsx"'
    return answer
