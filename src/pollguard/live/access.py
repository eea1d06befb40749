"""Which live events a user receives: the same scope as the centers they may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from pollguard.accounts.access import AnyUser, profile_of
from pollguard.accounts.choices import Role
from pollguard.live.models import Event
from pollguard.registry.access import current_election

# Roles that receive every event of the election (they see every center).
_ALL_EVENTS = frozenset(
    {Role.CHAIR, Role.OPERATIONS, Role.AUDITOR, Role.COMMISSION, Role.INTELLIGENCE}
)


def events_for(user: AnyUser) -> QuerySet[Event]:
    """Events of the current election that concern what the user may see.

    A sector commander receives their sector's events and election-wide ones without a
    sector (e.g. "package loaded"); a field reporter only their center's; roles without
    centers (agency liaison, no role) nothing yet.
    """
    profile = profile_of(user)
    election = current_election()
    if profile is None or election is None:
        return Event.objects.none()
    events = Event.objects.filter(election=election)
    role = Role(profile.role)
    if role in _ALL_EVENTS:
        return events
    if role is Role.SECTOR_COMMANDER and profile.sector_id is not None:
        return events.filter(
            Q(sector_id=profile.sector_id) | Q(sector__isnull=True, center__isnull=True)
        )
    if role is Role.FIELD_REPORTER and profile.center_id is not None:
        return events.filter(center_id=profile.center_id)
    return Event.objects.none()
