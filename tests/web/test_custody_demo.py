"""The demo's chain of custody (custody.demo), seeded through the same actions as the API.

On the web tests' small election: every station of the first centers has a box taken from
the warehouse to its center and its station, the first center's boxes reach the counting
center, one of them with a changed seal (an exception and an incident), the rest are not
yet counted; seeding again writes nothing.
"""

from __future__ import annotations

from typing import Any

from pollguard.audit.models import AuditEntry
from pollguard.custody.choices import HolderStage
from pollguard.custody.demo import CENTERS, COUNTING, seed_demo_custody
from pollguard.custody.models import CustodyException, Handover, Item
from pollguard.operations.models import Incident
from pollguard.registry.choices import CenterKind
from pollguard.registry.models import Center, Station

from .personas import Personas


def test_the_demo_custody_has_a_whole_chain_a_changed_seal_and_boxes_not_yet_counted(
    personas: Personas, client_for: Any
) -> None:
    election = Center.objects.get(code="C-0001").election
    centers = list(Center.objects.filter(kind=CenterKind.GENERAL).order_by("code")[:CENTERS])
    stations = Station.objects.filter(center__in=centers)
    first = centers[0]

    boxes = seed_demo_custody(election, acting_user=personas.commission)

    assert boxes == stations.count() == Item.objects.count() > 0
    counted = Item.objects.filter(holder_stage=HolderStage.COUNTING)
    assert set(counted.values_list("station__center__code", flat=True)) == {first.code}
    assert counted.count() == first.stations.count()
    assert set(Item.objects.exclude(holder_stage=HolderStage.COUNTING).values_list(
        "holder_stage", flat=True
    )) == {HolderStage.STATION}  # fmt: skip
    exception = CustodyException.objects.get()
    assert exception.item.station.center == first
    incident = Incident.objects.get()
    assert (incident.kind, incident.center) == ("seal_broken", first)
    assert exception.incident == incident
    assert AuditEntry.objects.filter(action="custody.record_handover").count() == (
        Handover.objects.count()
    )
    for handover in Handover.objects.all():
        assert handover.witness not in (handover.given_by, handover.received_by)

    before = (Item.objects.count(), Handover.objects.count(), AuditEntry.objects.count())
    assert seed_demo_custody(election, acting_user=personas.commission) == 0
    assert (Item.objects.count(), Handover.objects.count(), AuditEntry.objects.count()) == before

    report = client_for("commission").get("/api/v1/custody/report").json()
    assert {item["code"] for item in report["missing"]} == set(
        Item.objects.exclude(holder_code=COUNTING).values_list("code", flat=True)
    )
