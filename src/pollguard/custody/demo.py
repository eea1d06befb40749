"""The demo's chain of custody: the boxes of a few centers on their way to the counting center.

`pollguard demo` calls `seed_demo_custody` once the package is loaded. It goes through the
same actions as the pages and the API (every hand-over witnessed, audited, seals re-entered),
so the custody pages, the gaps report and the reports have something real to show:

- the province's warehouse and counting center;
- one ballot box per station of the first `CENTERS` polling centers, each with two seals and
  its ballots' serial range;
- every box taken from the warehouse to its center the afternoon before polling day (by
  road, with the center's guarding unit as escort) and handed to its station at 06:15;
- the first center's boxes taken to the counting center after the close; the last of them
  arrives with one seal number changed, which opens a custody exception and a "seal broken
  or changed" incident at the center, the case the seed warns about;
- the other centers' boxes are still at their stations: the report lists them as not yet
  at the counting center.

Deterministic, and idempotent: a database that already holds custody items is left alone.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pollguard.accounts.access import AnyUser
from pollguard.custody.actions import (
    HandoverDraft,
    ItemDraft,
    do_add_depot,
    do_record_handover,
    do_register_item,
)
from pollguard.custody.choices import DepotKind, ItemKind
from pollguard.custody.models import Item
from pollguard.registry.choices import CenterKind
from pollguard.registry.models import Center, Election, Unit

CENTERS = 4
WAREHOUSE = "WH-DQ"
COUNTING = "CC-DQ"
BALLOTS_PER_STATION = 600
WITNESSES = ("مراقب كيان سياسي", "مراقب منظمة شمس", "مراقب دولي")


def _at(election: Election, day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=ZoneInfo(election.timezone))


def _escort(center: Center) -> str:
    """A unit of the center's sector escorts its boxes on the road."""
    unit = Unit.objects.filter(election=center.election, sector=center.sector).order_by("code")
    chosen = unit.first() or Unit.objects.filter(election=center.election).order_by("code").first()
    return chosen.code if chosen is not None else ""


def seed_demo_custody(election: Election, *, acting_user: AnyUser) -> int:
    """Depots, boxes and hand-overs for the demo; the number of boxes registered."""
    if Item.objects.filter(election=election).exists():
        return 0
    do_add_depot(
        election,
        code=WAREHOUSE,
        kind=DepotKind.WAREHOUSE,
        name_en="IHEC Dhi Qar warehouse, Nasiriyah",
        name_ar="مخزن مكتب المفوضية في ذي قار، الناصرية",
        acting_user=acting_user,
    )
    do_add_depot(
        election,
        code=COUNTING,
        kind=DepotKind.COUNTING,
        name_en="Dhi Qar counting center",
        name_ar="مركز العد والفرز في ذي قار",
        acting_user=acting_user,
    )
    polling_day = election.general_vote_date
    centers = list(
        Center.objects.filter(election=election, kind=CenterKind.GENERAL).order_by("code")[:CENTERS]
    )
    serial, boxes = 1, 0
    for number, center in enumerate(centers):
        escort = _escort(center)
        stations = list(center.stations.order_by("code"))
        for index, station in enumerate(stations):
            code = f"BOX-{station.code}"
            seals = [f"DQ-{serial:06d}", f"DQ-{serial + 1:06d}"]
            serial += 2
            first = (boxes * BALLOTS_PER_STATION) + 1
            item = do_register_item(
                election,
                ItemDraft(
                    code=code,
                    kind=ItemKind.BALLOT_BOX,
                    station=station.code,
                    warehouse=WAREHOUSE,
                    seals=seals,
                    ballots_from=first,
                    ballots_to=first + BALLOTS_PER_STATION - 1,
                ),
                acting_user=acting_user,
            )
            boxes += 1
            witness = WITNESSES[index % len(WITNESSES)]
            legs: list[tuple[str, str, datetime, datetime, list[str], bool]] = [
                (
                    WAREHOUSE,
                    center.code,
                    _at(election, polling_day - timedelta(days=1), time(14, 0)),
                    _at(election, polling_day - timedelta(days=1), time(15, 10 + number * 5)),
                    seals,
                    True,
                ),
                (
                    center.code,
                    station.code,
                    _at(election, polling_day, time(6, 10)),
                    _at(election, polling_day, time(6, 15)),
                    seals,
                    False,
                ),
            ]
            if number == 0:
                last = index == len(stations) - 1
                # The last box of the first center arrives with its second seal changed.
                found = [seals[0], f"DQ-{900000 + serial:06d}"] if last else seals
                legs.append(
                    (
                        station.code,
                        COUNTING,
                        _at(election, polling_day, time(19, 30)),
                        _at(election, polling_day, time(20, 5 + index * 3)),
                        found,
                        True,
                    )
                )
            for frm, to, released, received, found, road in legs:
                do_record_handover(
                    item,
                    HandoverDraft(
                        item=code,
                        frm=frm,
                        to=to,
                        witness=witness,
                        seals=found,
                        given_by="أمين المخزن" if frm == WAREHOUSE else "مدير المحطة",
                        received_by="مدير المركز" if to == center.code else "المستلم",
                        released_at=released,
                        received_at=received,
                        vehicle=f"ذي قار {41000 + boxes}" if road else "",
                        escort=escort if road else "",
                    ),
                    acting_user=acting_user,
                )
                item.refresh_from_db()
    return boxes
