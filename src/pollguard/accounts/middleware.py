"""Applies the signed-in user's language and the election's time zone to each request."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from pollguard.accounts.access import profile_of
from pollguard.registry.access import current_election, request_election_cache


class UserPreferencesMiddleware:
    """After authentication: the profile's language wins over cookie and browser.

    Times are stored in UTC; pages show them in the current election's time zone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_election_cache():
            return self._with_preferences(request)

    def _with_preferences(self, request: HttpRequest) -> HttpResponse:
        profile = profile_of(request.user)
        if profile is not None and profile.language:
            translation.activate(profile.language)
            request.LANGUAGE_CODE = profile.language
        election = current_election(request.user) if request.user.is_authenticated else None
        if election is not None:
            try:
                timezone.activate(zoneinfo.ZoneInfo(election.timezone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
