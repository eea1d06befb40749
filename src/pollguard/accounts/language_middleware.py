"""Arabic first: the interface language ignores the browser's Accept-Language header.

Django's LocaleMiddleware would follow the browser, so an officer on an English-language
Windows machine would get an English login page. pollguard's rule is Arabic by default,
English one click away: only an explicit choice counts (the language cookie set by the
language button, and, once signed in, the profile's language, applied by
UserPreferencesMiddleware).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class IgnoreBrowserLanguageMiddleware:
    """Drops Accept-Language before LocaleMiddleware reads it (must come before it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
