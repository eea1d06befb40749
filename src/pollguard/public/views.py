"""The public "find your polling center" pages, and the notices page of the operations room.

Public pages (`/public/`, `/public/centers/<code>/`): anonymous, Arabic by default, English
with `?lang=en` (in the address, not a cookie: an anonymous visitor gets no cookie at all,
neither a session nor a CSRF token, and each language is its own cached answer). They read
only the published projection (`projection.py`), answer 429 with Retry-After past the
rate limit (`throttle.py`) and are cached per query for `POLLGUARD_PUBLIC_CACHE_SECONDS`,
by the server (Django's cache) and by browsers and proxies (`Cache-Control: public`).

Notices page (`/public-notices/`): chair and operations officers write, publish and
unpublish notices; the auditor reads; everyone else gets 404 (`access.py`).
"""

from __future__ import annotations

import hashlib
import zoneinfo
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from pollguard.common.errors import Conflict
from pollguard.public.access import (
    access_notice_for_change,
    manages_notices,
    notices_for,
    require_manage_notices,
    sees_notices,
)
from pollguard.public.actions import do_create_public_notice, do_set_public_notice_published
from pollguard.public.choices import NoticeKind, PublicStatus
from pollguard.public.projection import Projection, current
from pollguard.public.throttle import retry_after
from pollguard.registry.access import current_election
from pollguard.registry.models import Center
from pollguard.registry.views import shell_context

# Longer search text is refused: no name in a register is this long.
MAX_QUERY = 100
RESULTS_PER_PAGE = 20
MAX_PAGE = 500


def public_language(request: HttpRequest) -> str:
    """Arabic unless the address asks for English (`?lang=en`)."""
    return "en" if request.GET.get("lang") == "en" else "ar"


def clean_query(raw: str) -> str:
    """The search text without control characters, spaces folded; may be longer than allowed."""
    text = "".join(ch if ch.isprintable() else " " for ch in raw)
    return " ".join(text.split())


def page_number(raw: str | None) -> int:
    try:
        number = int(raw or "1")
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def _cache_key(kind: str, projection: Projection, lang: str, *parts: object) -> str:
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return f"pollguard.public.{kind}:{projection.generation}:{projection.built_at}:{lang}:{digest}"


def public_response(
    request: HttpRequest,
    kind: str,
    parts: tuple[object, ...],
    make: Callable[[Projection, str], HttpResponse],
) -> HttpResponse:
    """Rate-limit, then answer from the cache or `make` (whose 200, 404 and 422 are cached)."""
    wait = retry_after(request)
    lang = public_language(request)
    if wait is not None:
        with translation.override(lang):
            response = too_many(request, kind, wait)
        return response
    projection = current()
    key = _cache_key(kind, projection, lang, *parts)
    kept = cache.get(key)
    if kept is not None:
        status, content_type, body = kept
        response = HttpResponse(body, status=status, content_type=content_type)
    else:
        # Times are shown in the election's time zone, whatever the server's.
        with (
            translation.override(lang),
            timezone.override(zoneinfo.ZoneInfo(projection.timezone_name)),
        ):
            response = make(projection, lang)
        if response.status_code in (200, 404, 422):
            cache.set(
                key,
                (response.status_code, response["Content-Type"], response.content),
                timeout=settings.POLLGUARD_PUBLIC_CACHE_SECONDS,
            )
    response["Content-Language"] = lang
    patch_cache_control(response, public=True, max_age=settings.POLLGUARD_PUBLIC_MAX_AGE)
    return response


def too_many(request: HttpRequest, kind: str, wait: int) -> HttpResponse:
    """429 with Retry-After, in the JSON error shape for JSON and as a page otherwise."""
    detail = _("Too many requests from your address. Please try again in a minute.")
    if kind == "json":
        response: HttpResponse = JsonResponse(
            {"detail": detail, "code": "rate_limited"}, status=429
        )
    else:
        response = HttpResponse(
            render_to_string("public/too_many.html", {"detail": detail, **_chrome(request)}),
            status=429,
        )
    response["Retry-After"] = str(wait)
    patch_cache_control(response, no_store=True)
    return response


def _chrome(request: HttpRequest, **query: str) -> dict[str, Any]:
    """What the public layout needs: the language, and the same page in the other language."""
    lang = translation.get_language() or "ar"
    other = "ar" if lang == "en" else "en"
    params = {k: v for k, v in query.items() if v}
    if other == "en":
        params["lang"] = "en"
    switch = request.path + ("?" + urlencode(params) if params else "")
    return {
        "lang": lang,
        "lang_suffix": "?lang=en" if lang == "en" else "",
        "lang_param": "en" if lang == "en" else "",
        "switch_url": switch,
        "switch_label": "English" if other == "en" else "العربية",
        "switch_lang": other,
    }


def localized(projection: Projection, item: dict[str, Any], lang: str) -> dict[str, Any]:
    """A published center or notice with its names and texts in `lang` for the templates."""
    shown = dict(item)
    first, second = ("_en", "_ar") if lang == "en" else ("_ar", "_en")
    for base in ("name", "sector", "district", "subdistrict", "text"):
        if f"{base}_ar" in item:
            shown[base] = item.get(base + first) or item.get(base + second) or ""
    if "status" in item:
        status = PublicStatus(item["status"])
        shown["status_label"] = status.label
    for moment in ("last_updated", "polls_open", "polls_close", "valid_from", "valid_until"):
        if item.get(moment):
            shown[moment + "_at"] = datetime.fromisoformat(item[moment])
    if "voting_day" in item:
        shown["voting_day_date"] = datetime.fromisoformat(item["voting_day"]).date()
    return shown


def _election_name(projection: Projection, lang: str) -> str:
    if lang == "en":
        return projection.election_en or projection.election_ar
    return projection.election_ar or projection.election_en


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """`GET /public/?q=`: the search box, the results and the notices to everyone."""
    raw = request.GET.get("q", "")
    query = clean_query(raw)
    page = page_number(request.GET.get("page"))

    def make(projection: Projection, lang: str) -> HttpResponse:
        too_long = len(query) > MAX_QUERY
        results: list[dict[str, Any]] = []
        total = 0
        pages = 1
        if query and not too_long:
            found = projection.search(query)
            total = len(found)
            pages = max(1, -(-total // RESULTS_PER_PAGE))
            start = (min(page, pages) - 1) * RESULTS_PER_PAGE
            results = [
                localized(projection, c, lang) for c in found[start : start + RESULTS_PER_PAGE]
            ]
        context = {
            "query": query[:MAX_QUERY] if not too_long else "",
            "too_long": too_long,
            "max_query": MAX_QUERY,
            "searched": bool(query) and not too_long,
            "results": results,
            "total": total,
            "page": min(page, pages),
            "pages": pages,
            "election_name": _election_name(projection, lang),
            "notices": [localized(projection, n, lang) for n in projection.notices_for(None)],
            **_chrome(request, q=query if not too_long else ""),
        }
        if context["page"] > 1:
            context["previous_url"] = _page_url(query, context["page"] - 1, lang)
        if context["page"] < pages:
            context["next_url"] = _page_url(query, context["page"] + 1, lang)
        return HttpResponse(render_to_string("public/search.html", context))

    return public_response(request, "search", (query, page), make)


def _page_url(query: str, page: int, lang: str) -> str:
    params: dict[str, str | int] = {"q": query, "page": page}
    if lang == "en":
        params["lang"] = "en"
    return reverse("public:search") + "?" + urlencode(params)


@require_GET
def center(request: HttpRequest, code: str) -> HttpResponse:
    """`GET /public/centers/<code>/`: one center with its map, stations, hours and notices."""

    def make(projection: Projection, lang: str) -> HttpResponse:
        item = projection.by_code.get(code)
        if item is None:
            context = {"election_name": _election_name(projection, lang), **_chrome(request)}
            return HttpResponse(render_to_string("public/not_found.html", context), status=404)
        context = {
            "center": localized(projection, item, lang),
            "notices": [localized(projection, n, lang) for n in projection.notices_for(code)],
            "election_name": _election_name(projection, lang),
            "tile_url": settings.POLLGUARD_TILE_URL,
            "tile_attribution": settings.POLLGUARD_TILE_ATTRIBUTION,
            **_chrome(request),
        }
        return HttpResponse(render_to_string("public/center.html", context))

    return public_response(request, "center", (code,), make)


# --- the notices page of the operations room ------------------------------------------


class NoticeForm(forms.Form):
    """A new notice; every field checked here, errors in the user's language."""

    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=NoticeKind.choices)
    text_ar = forms.CharField(
        label=gettext_lazy("Text (Arabic)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    text_en = forms.CharField(
        label=gettext_lazy("Text (English)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    center = forms.CharField(
        label=gettext_lazy("Center code"),
        max_length=64,
        required=False,
        help_text=gettext_lazy("Empty for a notice to everyone; required when a center moved."),
    )
    valid_from = forms.DateTimeField(
        label=gettext_lazy("Valid from"),
        required=False,
        help_text=gettext_lazy("Election time; empty: now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    valid_until = forms.DateTimeField(
        label=gettext_lazy("Valid until"),
        required=False,
        help_text=gettext_lazy("Election time; empty: until unpublished."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    published = forms.BooleanField(label=gettext_lazy("Publish now"), required=False)

    def __init__(self, *args: Any, election_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.election_id = election_id
        self.center_row: Center | None = None

    def clean_text_ar(self) -> str:
        return _without_controls(self.cleaned_data["text_ar"])

    def clean_text_en(self) -> str:
        return _without_controls(self.cleaned_data["text_en"])

    def clean_center(self) -> str:
        code = str(self.cleaned_data["center"]).strip()
        if code:
            self.center_row = Center.objects.filter(
                election_id=self.election_id, code=code, active=True
            ).first()
            if self.center_row is None:
                raise forms.ValidationError(_("No polling center has this code."))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("kind") == NoticeKind.CENTER_MOVED
            and not data.get("center")
            and "center" not in self.errors
        ):
            self.add_error("center", _("Name the center that moved."))
        start = data.get("valid_from") or timezone.now()
        data["valid_from"] = start
        end = data.get("valid_until")
        if end is not None and end <= start:
            self.add_error("valid_until", _("The end must come after the start."))
        return data


def _without_controls(text: str) -> str:
    if any(not ch.isprintable() and ch not in "\n\r\t" for ch in text):
        raise forms.ValidationError(_("Control characters are not allowed."))
    return text


@login_required
@never_cache
def notices(request: HttpRequest) -> HttpResponse:
    """The notices of the current election; chair and operations also write one here."""
    if not sees_notices(request.user):
        raise Http404
    election = current_election(request.user)
    if election is None:
        raise Http404
    form = NoticeForm(election_id=election.pk)
    status = 200
    if request.method == "POST":
        require_manage_notices(request.user)
        form = NoticeForm(request.POST, election_id=election.pk)
        if form.is_valid():
            data = form.cleaned_data
            do_create_public_notice(
                election,
                kind=NoticeKind(data["kind"]),
                text_ar=data["text_ar"],
                text_en=data["text_en"],
                center=form.center_row,
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                published=data["published"],
                acting_user=request.user,
            )
            messages.success(request, _("The notice was saved."))
            return HttpResponseRedirect(reverse("public_notices:list"))
        status = 422
    rows = Paginator(notices_for(request.user).order_by("-created_at", "-id"), 50).get_page(
        request.GET.get("page")
    )
    context = {
        **shell_context(request, "notices"),
        "form": form,
        "rows": rows,
        "manages": manages_notices(request.user),
        "now": timezone.now(),
    }
    return render(request, "public/notices.html", context, status=status)


@login_required
@require_POST
def set_published(request: HttpRequest, notice_id: str) -> HttpResponse:
    """Publish (`published=1`) or unpublish a notice, at the version the page showed."""
    notice = access_notice_for_change(request.user, notice_id)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        do_set_public_notice_published(
            notice,
            published=request.POST.get("published") == "1",
            expected_version=version,
            acting_user=request.user,
        )
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The notice was updated."))
    return HttpResponseRedirect(reverse("public_notices:list"))
