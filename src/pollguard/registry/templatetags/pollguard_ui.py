"""Template filters shared by the pages: names in the user's language and grouped numbers."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils.dateformat import DateFormat
from django.utils.dateformat import format as date_format
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


# Month names as Iraq writes them (CLDR ar-IQ): Django's "ar" locale has the Egyptian
# names ("مارس" for March), which read as foreign in an Iraqi operations room.
IRAQI_MONTHS = (
    "كانون الثاني",
    "شباط",
    "آذار",
    "نيسان",
    "أيار",
    "حزيران",
    "تموز",
    "آب",
    "أيلول",
    "تشرين الأول",
    "تشرين الثاني",
    "كانون الأول",
)


class _IraqiDateFormat(DateFormat):
    """Django's date format with the Iraqi month names for `F` (and `N`, `E`)."""

    def F(self) -> str:
        assert isinstance(self.data, date)  # a time has no month; Django would fail too
        return IRAQI_MONTHS[self.data.month - 1]

    def E(self) -> str:
        return self.F()

    def N(self) -> str:
        return self.F()


@register.filter(name="localdate", expects_localtime=True)
def localdate_filter(value: date | datetime | None, fmt: str = "j F Y") -> str:
    """A date (or datetime, already in the election's time zone) in the user's language.

    Arabic pages get the Iraqi month names; digits stay Western, as the seed document
    writes them. `{{ when|localdate:"j F Y H:i" }}`.
    """
    if value is None or value == "":
        return ""
    if not (get_language() or "ar").startswith("ar"):
        return str(date_format(value, fmt))
    return str(_IraqiDateFormat(value).format(fmt))
