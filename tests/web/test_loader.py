"""Loading a package: one transaction, idempotent, updates in place, nothing on failure."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import models

from pollguard.audit.models import AuditEntry
from pollguard.core import model as core
from pollguard.core.package import read_package
from pollguard.live.models import Event
from pollguard.registry.access import sector_summary
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Center, Election, Person, SpecialVoter, Station, Unit

from .personas import Personas, make_package

pytestmark = pytest.mark.django_db


def registry_state() -> dict[str, list[tuple[object, ...]]]:
    """Every registry row with its bookkeeping columns, to compare before and after."""
    state = {}
    for model in apps.get_app_config("registry").get_models():
        columns = [f.attname for f in model._meta.concrete_fields]
        rows: models.QuerySet[models.Model] = model._default_manager.all()
        state[model.__name__] = sorted(rows.values_list(*columns), key=repr)
    return state


def test_it_loads_every_file_of_the_package() -> None:
    summary = do_load_package(make_package(), acting_user=None)
    assert summary.totals["center"] == 5
    assert Center.objects.count() == 5
    assert Station.objects.count() == 4 + 2 + 3 + 1 + 2  # numbered 1..stations per center
    assert Unit.objects.get(code="U-0005").sector is None
    assert Person.objects.filter(unit__code="U-0001").count() == 2
    center = Center.objects.select_related("sector", "district", "subdistrict").get(code="C-0002")
    assert center.sector.code == "RIF"
    assert center.district is not None
    assert center.district.code == "D-RIF"
    assert center.subdistrict is not None
    assert center.subdistrict.code == "D-RIF-N"
    assert center.risk_override == 0.7


def test_loading_the_same_package_twice_changes_nothing() -> None:
    do_load_package(make_package(), acting_user=None)
    before = registry_state()
    events = Event.objects.count()
    summary = do_load_package(make_package(), acting_user=None)
    assert not summary.changed
    assert registry_state() == before  # same rows, same updated_at, same versions
    assert Event.objects.count() == events  # nothing to tell open pages


def test_a_changed_package_updates_in_place() -> None:
    package = make_package()
    do_load_package(package, acting_user=None)
    first = Center.objects.get(code="C-0001")
    untouched = Center.objects.get(code="C-0004")
    renamed = dataclasses.replace(package.centers[0], name_en="Rifai Model School", voters=2500)
    changed = make_package(
        centers=(renamed, *package.centers[1:3], package.centers[4]),  # C-0004 dropped
        units=package.units[:4],  # U-0005 dropped
        personnel=package.personnel[:2],  # P-3 dropped (check-ins may point at it: kept)
        special_register=(),
    )
    summary = do_load_package(changed, acting_user=None)

    center = Center.objects.get(code="C-0001")
    assert center.pk == first.pk
    assert center.uuid == first.uuid
    assert (center.name_en, center.voters) == ("Rifai Model School", 2500)
    assert center.version == first.version + 1
    assert center.updated_at > first.updated_at
    dropped = Center.objects.get(code="C-0004")
    assert not dropped.active  # others may refer to it: kept, hidden
    assert dropped.version == untouched.version
    assert not Unit.objects.get(code="U-0005").active
    assert not Person.objects.get(code="P-3").active
    assert summary.updated["center"] == 1
    assert summary.retired == {**summary.retired, "center": 1, "unit": 1, "person": 1}


def test_a_center_listed_again_becomes_active_again() -> None:
    package = make_package()
    do_load_package(package, acting_user=None)
    do_load_package(
        make_package(centers=package.centers[:3] + package.centers[4:]), acting_user=None
    )
    do_load_package(package, acting_user=None)
    assert Center.objects.get(code="C-0004").active


def test_a_failure_halfway_writes_nothing() -> None:
    do_load_package(make_package(), acting_user=None)
    before = registry_state()
    audit = AuditEntry.objects.count()
    package = make_package()
    # The reader would refuse this package; here it reaches the loader to prove that an
    # error after many rows were written still rolls back everything.
    orphan = dataclasses.replace(package.units[0], code="U-0099", agency="NOPE")
    broken = make_package(
        centers=(*package.centers, dataclasses.replace(package.centers[0], code="C-0999")),
        units=(*package.units, orphan),
    )
    with pytest.raises(KeyError):
        do_load_package(broken, acting_user=None)
    assert registry_state() == before
    assert AuditEntry.objects.count() == audit


def test_a_load_writes_one_critical_audit_entry_with_the_counts() -> None:
    do_load_package(make_package(), acting_user=None)
    entry = AuditEntry.objects.get(action="registry.load_package")
    assert entry.critical
    assert entry.after is not None
    assert entry.after["totals"]["center"] == 5
    assert entry.after["created"]["center"] == 5


def test_two_elections_live_side_by_side() -> None:
    do_load_package(make_package(), acting_user=None)
    other = make_package(election=dataclasses.replace(make_package().election, code="other-2014"))
    do_load_package(other, acting_user=None)
    assert Election.objects.count() == 2
    assert Center.objects.filter(code="C-0001").count() == 2


def test_search_keys_fold_arabic_spelling_variants() -> None:
    do_load_package(make_package(), acting_user=None)
    center = Center.objects.get(code="C-0002")
    assert "الناصريه" in center.search_name  # ta marbuta folded
    assert "c-0002" in center.search_name


def test_stations_are_numbered_when_the_package_has_no_stations_file() -> None:
    do_load_package(make_package(), acting_user=None)
    stations = list(Station.objects.filter(center__code="C-0001").order_by("number"))
    assert [s.code for s in stations] == ["C-0001-01", "C-0001-02", "C-0001-03", "C-0001-04"]
    assert sum(s.voters for s in stations) == 2400


def test_an_explicit_stations_file_wins() -> None:
    package = make_package()
    stations = tuple(
        core.Station(f"{c.code}-S{n}", c.code, n, c.voters // c.stations)
        for c in package.centers
        for n in range(1, c.stations + 1)
    )
    do_load_package(make_package(stations=stations), acting_user=None)
    assert Station.objects.filter(code="C-0003-S2").exists()


def test_a_load_records_the_package_folder_and_its_digest(db: None, tmp_path: Path) -> None:
    """Plan runs read the package again from where it was loaded and refuse a changed one."""
    from pollguard.core.package import package_digest, write_package

    folder = tmp_path / "pkg"
    write_package(make_package(), folder)
    do_load_package(read_package(folder), acting_user=None, source=folder)
    election = Election.objects.get(code="test-2010")
    assert election.package_path == str(folder.resolve())
    assert election.package_digest == package_digest(folder)
    before = election.package_digest
    (folder / "centers.csv").write_text(
        (folder / "centers.csv").read_text(encoding="utf-8") + "\n", encoding="utf-8"
    )
    assert package_digest(folder) != before


def test_a_reload_keeps_stations_people_and_special_voters_that_it_no_longer_lists(
    personas: Personas, client_for: Any
) -> None:
    """Check-ins and custody hand-overs will point at stations, personnel and special
    voters: a reload that drops them marks them inactive, hides them, and a later package
    that lists them again brings back the same rows."""
    package = make_package()  # loaded by the personas fixture
    before = {
        "station": Station.objects.get(code="C-0001-04").pk,
        "person": Person.objects.get(code="P-3").pk,
        "voter": SpecialVoter.objects.get(code="P-3").pk,
    }
    counts = (Station.objects.count(), Person.objects.count(), SpecialVoter.objects.count())
    fewer = dataclasses.replace(package.centers[0], stations=3)  # C-0001-04 no longer listed
    summary = do_load_package(
        make_package(
            centers=(fewer, *package.centers[1:]),
            personnel=package.personnel[:2],  # P-3 no longer listed
            special_register=(),
        ),
        acting_user=None,
    )
    assert summary.retired == {**summary.retired, "station": 1, "person": 1, "specialvoter": 1}
    # Nothing deleted: the same rows, inactive.
    assert (Station.objects.count(), Person.objects.count(), SpecialVoter.objects.count()) == (
        counts
    )
    assert not Station.objects.get(pk=before["station"]).active
    assert not Person.objects.get(pk=before["person"]).active
    assert not SpecialVoter.objects.get(pk=before["voter"]).active
    # Hidden from lists, counts and the API.
    ops = client_for("ops")
    stations = ops.get("/api/v1/centers/C-0001/stations").json()
    assert [s["code"] for s in stations] == ["C-0001-01", "C-0001-02", "C-0001-03"]
    assert ops.get("/api/v1/stations").json()["count"] == 11
    shatra = next(r for r in sector_summary(personas.ops) if r.sector and r.sector.code == "SHA")
    assert shatra.personnel == 0  # P-3 of U-0003 no longer counted
    page = ops.get("/centers/C-0001/")
    assert "C-0001-04" not in page.content.decode()

    # Listed again: the same rows come back.
    summary = do_load_package(package, acting_user=None)
    assert Station.objects.get(code="C-0001-04").pk == before["station"]
    assert Station.objects.get(pk=before["station"]).active
    assert Person.objects.get(pk=before["person"]).active
    assert SpecialVoter.objects.get(pk=before["voter"]).active
    assert ops.get("/api/v1/stations").json()["count"] == 12
    assert (Station.objects.count(), Person.objects.count(), SpecialVoter.objects.count()) == (
        counts
    )
