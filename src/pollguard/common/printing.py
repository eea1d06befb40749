"""What every printable page shares (plan orders, reports): its language switch and answer."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

LANGS = ("ar", "en")
LANG_NAMES = {"ar": "العربية", "en": "English"}


def print_language(value: str | None) -> str:
    """The language asked for (`?lang=`), else the user's own."""
    if value in LANGS:
        assert value is not None
        return value
    return "en" if (get_language() or "ar").startswith("en") else "ar"


def other_language(request: HttpRequest, lang: str) -> dict[str, str]:
    """The toolbar's link to the same page in the other language."""
    other = "en" if lang == "ar" else "ar"
    return {
        "other_language": other,
        "other_language_name": LANG_NAMES[other],
        "other_language_url": f"{request.path}?lang={other}",
    }


def printed(html: str, lang: str) -> HttpResponse:
    """A print page's answer, saying its language (it may differ from the user's)."""
    response = HttpResponse(html)
    response.headers["Content-Language"] = lang
    return response
