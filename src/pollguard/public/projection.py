"""The published projection: the only view of the registry that reaches the public.

The public page and `centers.json` read nothing but this projection. It is built by
explicit allow-lists, not by copying rows: the database is asked only for the columns in
`_CENTER_COLUMNS` (never a unit, a risk, an intelligence report, an incident, a sector's
commander), and every center becomes a dict with exactly the keys of `PUBLISHED_FIELDS`.
`tests/web/test_public_safety.py` checks every public response against the demo's
security data.

Status: the internal status is mapped by `choices.PUBLIC_STATUS_OF`; a disrupted center
keeps the public status it had before the disruption (the police decide what to publish),
and a published, valid "center moved" notice makes it "moved". Only general polling
centers are listed: special voting centers (security forces, prisons, hospitals) are
announced to their voters by their institutions, not to the public.

The projection is built once and kept in the process for `POLLGUARD_PUBLIC_CACHE_SECONDS`
(with its search index, `pollguard.core.search`), or until a change bumps the generation
in the shared counters (`forget`): a notice published or a center's status changed.
"""

from __future__ import annotations

import threading
import time
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as clock
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pollguard.common import counters
from pollguard.core.search import SearchIndex
from pollguard.public.choices import PUBLIC_STATUS_OF, NoticeKind, PublicStatus
from pollguard.public.models import PublicNotice
from pollguard.registry.access import default_election
from pollguard.registry.choices import CenterKind, CenterStatus
from pollguard.registry.models import Center, CenterStatusChange, Election, Station

# Every key a public center carries, and nothing else.
PUBLISHED_FIELDS: tuple[str, ...] = (
    "code",
    "name_ar",
    "name_en",
    "sector_ar",
    "sector_en",
    "district_ar",
    "district_en",
    "subdistrict_ar",
    "subdistrict_en",
    "lat",
    "lon",
    "stations",
    "voters",
    "voting_day",
    "polls_open",
    "polls_close",
    "status",
    "last_updated",
)
# Every key a public notice carries.
NOTICE_FIELDS: tuple[str, ...] = (
    "id",
    "kind",
    "text_ar",
    "text_en",
    "center",
    "valid_from",
    "valid_until",
)
# The columns read from the database for a center: the allow-list at the source.
_CENTER_COLUMNS = (
    "id",
    "code",
    "name_ar",
    "name_en",
    "sector__name_ar",
    "sector__name_en",
    "district__name_ar",
    "district__name_en",
    "subdistrict__name_ar",
    "subdistrict__name_en",
    "lat",
    "lon",
    "status",
    "status_changed_at",
)
_GENERATION_KEY = "pollguard.public.generation"


@dataclass
class Projection:
    """The public data of one election, with its search index."""

    election_code: str = ""
    election_ar: str = ""
    election_en: str = ""
    timezone_name: str = "UTC"
    centers: list[dict[str, Any]] = field(default_factory=list)
    notices: list[dict[str, Any]] = field(default_factory=list)
    by_code: dict[str, dict[str, Any]] = field(default_factory=dict)
    index: SearchIndex = field(default_factory=lambda: SearchIndex([]))
    generation: int = 0
    built_at: float = 0.0

    def search(self, query: str) -> list[dict[str, Any]]:
        """Centers matching `query`, best first; every center (by code) for an empty query."""
        if not query.strip():
            return self.centers
        return [self.centers[hit.index] for hit in self.index.search(query)]

    def notices_for(self, code: str | None) -> list[dict[str, Any]]:
        """Notices to everyone (`code` None) or those of one center."""
        return [notice for notice in self.notices if notice["center"] == code]


def _iso(moment: datetime | None, zone: zoneinfo.ZoneInfo) -> str | None:
    return moment.astimezone(zone).isoformat(timespec="minutes") if moment else None


def _local(day: date, at: clock, zone: zoneinfo.ZoneInfo) -> str:
    return datetime.combine(day, at, tzinfo=zone).isoformat(timespec="minutes")


def public_status_history(
    changes: list[tuple[str, datetime]], start: CenterStatus
) -> tuple[PublicStatus, datetime | None]:
    """The public status after a center's status changes (oldest first), and since when.

    A change into a status with no public form (disrupted) changes nothing the public sees,
    so the public status and its time stay those of the last published one.
    """
    status = PUBLIC_STATUS_OF[start] or PublicStatus.NOT_YET_OPEN
    since: datetime | None = None
    for to_status, at in changes:
        shown = PUBLIC_STATUS_OF[CenterStatus(to_status)]
        if shown is not None and shown != status:
            status, since = shown, at
    return status, since


def publish_notice(
    notice: PublicNotice, center_code: str | None, zone: zoneinfo.ZoneInfo
) -> dict[str, Any]:
    """A notice as the public sees it: the keys of `NOTICE_FIELDS`, nothing of who wrote it."""
    return {
        "id": str(notice.uuid),
        "kind": notice.kind,
        "text_ar": notice.text_ar,
        "text_en": notice.text_en,
        "center": center_code,
        "valid_from": _iso(notice.valid_from, zone),
        "valid_until": _iso(notice.valid_until, zone),
    }


def build(election: Election | None, *, now: datetime | None = None) -> Projection:
    """Read the published projection of `election` from the database (a handful of queries)."""
    if election is None:
        return Projection(built_at=time.monotonic())
    now = now or timezone.now()
    try:
        zone = zoneinfo.ZoneInfo(election.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    rows = list(
        Center.objects.filter(election=election, active=True, kind=CenterKind.GENERAL)
        .order_by("code")
        .values(*_CENTER_COLUMNS)
    )
    [row["id"] for row in rows]
    stations: dict[int, list[dict[str, int]]] = defaultdict(list)
    for center_id, number, voters in (
        Station.objects.filter(election=election, active=True, center__active=True)
        .order_by("center_id", "number")
        .values_list("center_id", "number", "voters")
    ):
        stations[center_id].append({"number": number, "voters": voters})
    disrupted = [row["id"] for row in rows if row["status"] == CenterStatus.DISRUPTED]
    history: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    first_status: dict[int, CenterStatus] = {}
    for center_id, from_status, to_status, at in (
        CenterStatusChange.objects.filter(center_id__in=disrupted)
        .order_by("changed_at", "id")
        .values_list("center_id", "from_status", "to_status", "changed_at")
    ):
        first_status.setdefault(center_id, CenterStatus(from_status))
        history[center_id].append((to_status, at))
    notices = [
        notice
        for notice in PublicNotice.objects.filter(election=election, published=True)
        .select_related("center")
        .order_by("-valid_from", "-id")
        if notice.is_valid_at(now) and (notice.center is None or notice.center.active)
    ]
    moved_at: dict[int, datetime] = {}
    notice_at: dict[int, datetime] = {}
    for notice in notices:
        if notice.center_id is not None:
            notice_at[notice.center_id] = max(
                notice.updated_at, notice_at.get(notice.center_id, notice.updated_at)
            )
            if notice.kind == NoticeKind.CENTER_MOVED:
                moved_at[notice.center_id] = notice.updated_at

    day = election.general_vote_date
    opens = _local(day, election.polls_open, zone)
    closes = _local(day, election.polls_close, zone)
    centers: list[dict[str, Any]] = []
    texts: list[list[str]] = []
    for row in rows:
        status_at: datetime | None
        if row["status"] == CenterStatus.DISRUPTED:
            status, status_at = public_status_history(
                history[row["id"]], first_status.get(row["id"], CenterStatus.NOT_OPEN)
            )
        else:
            shown = PUBLIC_STATUS_OF[CenterStatus(row["status"])]
            status = shown or PublicStatus.NOT_YET_OPEN
            status_at = row["status_changed_at"]
        if row["id"] in moved_at:
            status = PublicStatus.MOVED
        times = [election.loaded_at, status_at, notice_at.get(row["id"])]
        center_stations = stations.get(row["id"], [])
        center = {
            "code": row["code"],
            "name_ar": row["name_ar"],
            "name_en": row["name_en"],
            "sector_ar": row["sector__name_ar"],
            "sector_en": row["sector__name_en"],
            "district_ar": row["district__name_ar"] or "",
            "district_en": row["district__name_en"] or "",
            "subdistrict_ar": row["subdistrict__name_ar"] or "",
            "subdistrict_en": row["subdistrict__name_en"] or "",
            "lat": round(row["lat"], 6),
            "lon": round(row["lon"], 6),
            "stations": center_stations,
            "voters": sum(station["voters"] for station in center_stations),
            "voting_day": day.isoformat(),
            "polls_open": opens,
            "polls_close": closes,
            "status": str(status),
            "last_updated": _iso(max(t for t in times if t is not None), zone),
        }
        centers.append(center)
        texts.append(
            [
                center["code"],
                center["name_ar"],
                center["name_en"],
                center["sector_ar"],
                center["sector_en"],
                center["district_ar"],
                center["district_en"],
                center["subdistrict_ar"],
                center["subdistrict_en"],
            ]
        )
    codes = {row["id"]: row["code"] for row in rows}
    published_notices = [
        publish_notice(n, codes.get(n.center_id) if n.center_id else None, zone)
        for n in notices
        if n.center_id is None or n.center_id in codes
    ]
    return Projection(
        election_code=election.code,
        election_ar=election.name_ar,
        election_en=election.name_en,
        timezone_name=zone.key,
        centers=centers,
        notices=published_notices,
        by_code={center["code"]: center for center in centers},
        index=SearchIndex(texts),
        built_at=time.monotonic(),
    )


_lock = threading.Lock()
_current: Projection | None = None


def generation() -> int:
    """The change counter: bumped by `forget`, shared by every server process."""
    return counters.get(_GENERATION_KEY)


def current() -> Projection:
    """The projection of the public election, rebuilt when stale or after a change."""
    global _current
    seen = generation()
    ttl = settings.POLLGUARD_PUBLIC_CACHE_SECONDS
    kept = _current
    if kept is not None and kept.generation == seen and time.monotonic() - kept.built_at < ttl:
        return kept
    with _lock:
        kept = _current
        if kept is not None and kept.generation == seen and time.monotonic() - kept.built_at < ttl:
            return kept
        fresh = build(default_election())
        fresh.generation = seen
        _current = fresh
        return fresh


def forget() -> None:
    """After the caller's transaction commits, make every process rebuild its projection
    (and drop every cached public answer, whose keys carry the generation)."""

    def bump() -> None:
        counters.incr(_GENERATION_KEY, ttl=None)

    transaction.on_commit(bump)
