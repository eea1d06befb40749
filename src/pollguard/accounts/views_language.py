"""Language switch that also remembers the choice in the user's profile.

It sits in front of Django's `set_language` (same URL name), so the "English / عربي" link
of the base template works unchanged and the choice follows the user to other browsers.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from pollguard.accounts.actions import do_set_user_language
from pollguard.accounts.choices import Language


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in Language.values:
        do_set_user_language(request.user, Language(language), acting_user=request.user)
    return response
