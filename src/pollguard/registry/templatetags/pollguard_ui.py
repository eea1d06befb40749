"""Template filters shared by the pages: names in the user's language and grouped numbers."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

register = template.Library()


def local_name(obj: object) -> str:
    """The object's name in the active language, falling back to the other one, then the code.

    Registry objects carry `name_ar` and `name_en`; packages may leave either empty.
    """
    arabic = (get_language() or "ar").startswith("ar")
    name_ar = str(getattr(obj, "name_ar", "") or "")
    name_en = str(getattr(obj, "name_en", "") or "")
    first, second = (name_ar, name_en) if arabic else (name_en, name_ar)
    return first or second or str(getattr(obj, "code", "") or "")


@register.filter(name="localname")
def localname_filter(obj: object) -> str:
    return local_name(obj)


@register.filter
def grouped(value: object) -> str:
    """12345 -> "12,345". Western digits and comma grouping in both languages, as Iraqi
    operations rooms write figures; None -> "—"."""
    if value is None or value == "":
        return "—"
    try:
        return f"{int(value):,}"  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(value)
