"""Pages of the chain of custody and the ballot configuration.

Phone first: the hand-over form is one column of large fields, so the receiver at a
center's gate fills it in on a phone. Who sees and records what is `custody.access`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from pollguard.common.errors import Conflict
from pollguard.core.problems import InvalidInput
from pollguard.custody import access
from pollguard.custody.actions import (
    HandoverDraft,
    do_close_custody_exception,
    do_record_handover,
)
from pollguard.custody.choices import ExceptionState, HolderStage
from pollguard.custody.models import CustodyException
from pollguard.custody.report import custody_report
from pollguard.registry.models import BallotEntity, Component
from pollguard.registry.views import shell_context


def _lang() -> str:
    return "en" if (get_language() or "ar").startswith("en") else "ar"


@never_cache
@login_required
def custody_index(request: HttpRequest) -> HttpResponse:
    """Open exceptions first, then what the report flags, then every item."""
    election = access.custody_election(request.user)
    items = access.items_for(request.user).annotate(
        open_exceptions=Count("exceptions", filter=Q(exceptions__state=ExceptionState.OPEN))
    )
    report = custody_report(election, items, access.handovers_for(request.user))
    context = shell_context(request, "custody")
    context.update(
        {
            "items": list(items.order_by("code")),
            "exceptions": list(
                access.exceptions_for(request.user)
                .filter(state=ExceptionState.OPEN)
                .order_by("-opened_at")
            ),
            "report": report,
            "can_close": access.closes_exceptions(request.user),
        }
    )
    return render(request, "custody/index.html", context)


@never_cache
@login_required
@require_POST
def exception_close(request: HttpRequest, exception_id: str) -> HttpResponse:
    exception = access.access_exception_for_close(request.user, exception_id)
    try:
        do_close_custody_exception(
            exception, reason=request.POST.get("reason", "")[:500], acting_user=request.user
        )
    except InvalidInput as invalid:
        for line in invalid.render(_lang()):
            messages.error(request, line)
    except Conflict as conflict:
        messages.error(request, str(conflict))
    else:
        messages.success(
            request, _("The exception on %(item)s is closed.") % {"item": exception.item.code}
        )
    return HttpResponseRedirect(reverse("custody:index"))


def _next_holders(item: Any) -> list[str]:
    """Where the item may go next (the form offers them)."""
    station = item.station
    stage = HolderStage(item.holder_stage)
    if stage == HolderStage.WAREHOUSE:
        return [station.center.code]
    if stage == HolderStage.CENTER:
        return [station.code]
    if stage == HolderStage.STATION:
        return list(
            access.depots_for_kind(item.election, "counting").values_list("code", flat=True)
        )
    return []


@never_cache
@login_required
def item_page(request: HttpRequest, code: str) -> HttpResponse:
    """One item: its timeline and, for those who record, the hand-over form."""
    item = access.access_item(request.user, code)
    timeline = list(
        access.handovers_for(request.user).filter(item=item).order_by("received_at", "id")
    )
    flagged = set(CustodyException.objects.filter(item=item).values_list("handover_id", flat=True))
    context = shell_context(request, "custody")
    context.update(
        {
            "item": item,
            "timeline": timeline,
            "flagged": flagged,
            "can_record": access.records_custody(request.user),
            "next_holders": _next_holders(item),
            "form": request.session.pop("custody_form", {}),
        }
    )
    return render(request, "custody/item.html", context)


@never_cache
@login_required
@require_POST
def item_handover(request: HttpRequest, code: str) -> HttpResponse:
    access.require_record(request.user)
    item = access.access_item(request.user, code)
    post = request.POST
    seals = [
        s
        for s in post.get("seals", "").replace("،", ",").replace("\n", ",").split(",")
        if s.strip()
    ]
    broken = [s for s in post.get("broken", "").replace("،", ",").split(",") if s.strip()]
    draft = HandoverDraft(
        item=item.code,
        frm=item.holder_code,
        to=post.get("to", "")[:64],
        witness=post.get("witness", "")[:200],
        seals=[s[:32] for s in seals[:20]],
        broken=[s[:32] for s in broken[:20]],
        given_by=post.get("given_by", "")[:200],
        received_by=post.get("received_by", "")[:200],
        place=post.get("place", "")[:200],
        vehicle=post.get("vehicle", "")[:64],
        escort=post.get("escort", "")[:64],
    )
    try:
        result = do_record_handover(item, draft, acting_user=request.user)
    except InvalidInput as invalid:
        for line in invalid.render(_lang()):
            messages.error(request, line)
        request.session["custody_form"] = {
            k: post.get(k, "")[:200]
            for k in (
                "to",
                "witness",
                "seals",
                "broken",
                "given_by",
                "received_by",
                "place",
                "vehicle",
                "escort",
            )
        }
    except Conflict as conflict:
        messages.error(request, str(conflict))
    else:
        if result.exception is not None:
            messages.error(
                request,
                _("Seals do not match: custody exception opened for %(item)s.")
                % {"item": item.code},
            )
        else:
            messages.success(
                request,
                _("%(item)s handed over to %(to)s.")
                % {"item": item.code, "to": result.handover.to_code},
            )
    return HttpResponseRedirect(reverse("custody:item", args=[item.code]))


@never_cache
@login_required
def ballot_page(request: HttpRequest) -> HttpResponse:
    """The ballot's entities and components, and the materials meant for each station."""
    election = access.custody_election(request.user)
    components = list(
        Component.objects.filter(election=election)
        .annotate(entities=Count("ballotentity"))
        .order_by("code")
    )
    entities = list(
        BallotEntity.objects.filter(election=election)
        .select_related("component")
        .order_by("number")
    )
    by_station: dict[str, list[Any]] = defaultdict(list)
    for item in access.items_for(request.user).order_by("station__code", "kind", "code"):
        by_station[item.station.code].append(item)
    context = shell_context(request, "ballot")
    context.update(
        {
            "components": components,
            "entities": entities,
            "general_entities": sum(1 for e in entities if e.component_id is None),
            "component_entities": sum(1 for e in entities if e.component_id is not None),
            "materials": sorted(by_station.items()),
        }
    )
    return render(request, "custody/ballot.html", context)
