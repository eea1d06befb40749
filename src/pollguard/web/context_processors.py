"""Template context shared by every page (no database queries here)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def pollguard(request: HttpRequest) -> dict[str, object]:
    """Map settings the base template and the map script need."""
    return {
        "POLLGUARD_TILE_URL": settings.POLLGUARD_TILE_URL,
        "POLLGUARD_TILE_ATTRIBUTION": settings.POLLGUARD_TILE_ATTRIBUTION,
    }
