"""The center list filter, one for the pages and the API, so both find the same centers."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from pollguard.core.arabic import normalize
from pollguard.registry.models import Center


@dataclass(frozen=True, slots=True)
class CenterFilter:
    """Sector code, status, kind and a search; empty values filter nothing.

    Search compares normalized text (hamza, ta marbuta, alef maqsura, diacritics, digits
    folded) and every word must occur in the code or a name, in any order: "الرفاعي مدرسة"
    finds "مدرسة الرفاعي للبنين".
    """

    sector: str = ""
    status: str = ""
    kind: str = ""
    search: str = ""

    def apply(self, centers: QuerySet[Center]) -> QuerySet[Center]:
        if self.sector:
            centers = centers.filter(sector__code=self.sector)
        if self.status:
            centers = centers.filter(status=self.status)
        if self.kind:
            centers = centers.filter(kind=self.kind)
        for word in normalize(self.search).split():
            centers = centers.filter(search_name__contains=word)
        return centers
