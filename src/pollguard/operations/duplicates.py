"""Near-duplicate suggestions: the same event reported twice, for a person to confirm.

A candidate is another incident of the election that is not itself a duplicate, of the
same kind, received within `DUPLICATE_WINDOW_MINUTES`, at the same center or within
`DUPLICATE_RADIUS_KM`, and whose text, Arabic-normalized (`core.arabic.normalize`), shares
enough words (Jaccard similarity of the word sets; an empty text counts as similar, since
place, kind and time already match). Nothing is merged automatically.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import QuerySet

from pollguard.core.geo import haversine_km
from pollguard.operations import policy
from pollguard.operations.choices import IncidentState
from pollguard.operations.models import Incident


def text_similarity(a: str, b: str) -> float:
    """Jaccard similarity of the normalized word sets, 1.0 when either is empty."""
    left, right = set(a.split()), set(b.split())
    if not left or not right:
        return 1.0
    return len(left & right) / len(left | right)


@dataclass(frozen=True)
class DuplicateCandidate:
    incident: Incident
    distance_km: float
    similarity: float


def duplicate_candidates(
    incident: Incident, visible: QuerySet[Incident], *, limit: int = 5
) -> list[DuplicateCandidate]:
    """Likely duplicates of `incident` among `visible`, most similar first."""
    window = timedelta(minutes=policy.DUPLICATE_WINDOW_MINUTES)
    rows = (
        visible.filter(
            kind=incident.kind,
            received_at__gte=incident.received_at - window,
            received_at__lte=incident.received_at + window,
        )
        .exclude(pk=incident.pk)
        .exclude(state=IncidentState.DUPLICATE)
    )
    found: list[DuplicateCandidate] = []
    for other in rows[:200]:
        distance = haversine_km(incident.lat, incident.lon, other.lat, other.lon)
        same_place = (
            incident.center_id is not None and incident.center_id == other.center_id
        ) or distance <= policy.DUPLICATE_RADIUS_KM
        similarity = text_similarity(incident.search_text, other.search_text)
        if same_place and similarity >= policy.DUPLICATE_TEXT_SIMILARITY:
            found.append(DuplicateCandidate(other, distance, similarity))
    found.sort(key=lambda c: (-c.similarity, c.distance_km, c.incident.code))
    return found[:limit]
