"""Loading an election package into the registry: `do_load_package`.

Rules (docs/architecture.md, "Loading a package"):

- One transaction: either the whole package is in the database or nothing changed. The
  package was validated by the core reader before; any database error rolls back too.
- Upsert by (election, code): a row is written only when one of its values differs, so
  loading the same package twice changes no row (`updated_at` and `Center.version` stay).
- Rows the new package no longer lists: sectors, districts, agencies, centers, stations,
  units, personnel and special voters (which accounts, plans, incidents, check-ins and
  custody records refer to) are marked inactive and reappear, with the same row, if a
  later package lists them again; only the rows nothing else points at (incident history,
  intelligence from the package, ballot entities and components) are deleted.
- Bulk statements throughout (a 10,000-center national package loads in seconds).
- One critical audit entry with the counts, and a `package.loaded` live event when
  something changed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone

from pollguard.accounts.access import AnyUser
from pollguard.audit.actions import record
from pollguard.core import model as core
from pollguard.core.arabic import normalize
from pollguard.core.intel import CODE_TAKEN
from pollguard.core.package import package_digest
from pollguard.core.problems import InvalidInput, Problem
from pollguard.live.actions import emit
from pollguard.live.choices import EventKind
from pollguard.registry.access import forget_default_election
from pollguard.registry.choices import IntelSource
from pollguard.registry.models import (
    Agency,
    Area,
    BallotEntity,
    Center,
    Component,
    District,
    Election,
    IntelReport,
    PastIncident,
    Person,
    Sector,
    SpecialVoter,
    Station,
    Unit,
)

M = TypeVar("M", bound=models.Model)
Values = dict[str, Any]
BATCH = 1000


@dataclass
class LoadSummary:
    """What a load did, per model: rows created, updated, retired (inactive or deleted)."""

    election: str
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    retired: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return (
            any(self.created.values()) or any(self.updated.values()) or any(self.retired.values())
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "election": self.election,
            "created": self.created,
            "updated": self.updated,
            "retired": self.retired,
            "totals": self.totals,
        }


def search_key(*parts: str) -> str:
    """The normalized text that list searches match against (never displayed)."""
    return normalize(" ".join(p for p in parts if p))[:500]


class _Syncer:
    """Upserts rows of one election model by code, in bulk, counting what it did."""

    def __init__(self, election: Election, summary: LoadSummary) -> None:
        self.election = election
        self.summary = summary
        self.now = timezone.now()

    def sync(
        self,
        model: type[M],
        rows: Mapping[Any, Values],
        *,
        key: str = "code",
        bump_version: bool = False,
        retire: bool = True,
        present: Iterable[Any] | None = None,
        scope: Mapping[str, Any] | None = None,
    ) -> dict[Any, int]:
        """Make the election's `model` rows equal `rows` ({key: values}); return {key: pk}.

        `present` (default: the keys of `rows`) are the keys the package lists; with
        `retire`, other existing rows are retired: deactivated when the model has `active`,
        else deleted. `scope` ({field: value}) limits the sync to the rows the package owns
        (intelligence: `source=package`, never the reports filed in the app); new rows get
        those values.
        """
        scope = dict(scope or {})
        name = model._meta.model_name or model.__name__
        fields = sorted({f for values in rows.values() for f in values})
        deactivatable = any(f.name == "active" for f in model._meta.fields)
        if deactivatable:
            fields = sorted({*fields, "active"})
        existing_fields = ["pk", key, *fields, *(["version"] if bump_version else [])]
        queryset = model._default_manager.filter(election=self.election, **scope)
        existing = {row[key]: row for row in queryset.values(*existing_fields)}
        created: list[M] = []
        changed: list[M] = []
        for code, values in rows.items():
            wanted = {**values, **({"active": True} if deactivatable else {})}
            old = existing.get(code)
            if old is None:
                created.append(model(election=self.election, **{key: code}, **scope, **wanted))
            elif any(old[f] != wanted[f] for f in wanted):
                obj = model(pk=old["pk"], election=self.election, **{key: code}, **wanted)
                if bump_version:
                    # Incremented in the UPDATE itself, not from the value read above: a
                    # status change committed between that read and this write (nothing
                    # locks the row in between on PostgreSQL) keeps its own increment, so
                    # a form opened after it is still refused as stale.
                    obj.version = models.F("version") + 1  # type: ignore[attr-defined]
                obj.updated_at = self.now  # type: ignore[attr-defined]
                changed.append(obj)
        model._default_manager.bulk_create(created, batch_size=BATCH)
        if changed:
            update_fields = [*fields, "updated_at", *(["version"] if bump_version else [])]
            model._default_manager.bulk_update(changed, update_fields, batch_size=BATCH)
        listed = set(rows) if present is None else set(present)
        absent = [code for code in existing if code not in listed]
        retired = 0
        if retire and absent:
            for start in range(0, len(absent), BATCH):
                chunk = queryset.filter(**{f"{key}__in": absent[start : start + BATCH]})
                if deactivatable:
                    retired += chunk.filter(active=True).update(active=False, updated_at=self.now)
                else:
                    retired += chunk.delete()[0]
        for counter, n in (
            (self.summary.created, len(created)),
            (self.summary.updated, len(changed)),
            (self.summary.retired, retired),
        ):
            counter[name] = counter.get(name, 0) + n
        self.summary.totals[name] = len(listed)
        if not created:
            return {code: old["pk"] for code, old in existing.items()}
        return dict(queryset.values_list(key, "pk"))


def _election_values(e: core.Election) -> Values:
    return {
        "name_en": e.name_en,
        "name_ar": e.name_ar,
        "governorate_code": e.governorate_code,
        "governorate_en": e.governorate_en,
        "governorate_ar": e.governorate_ar,
        "timezone": e.timezone,
        "special_vote_date": e.special_vote_date,
        "general_vote_date": e.general_vote_date,
        "polls_open": e.polls_open,
        "polls_close": e.polls_close,
        "seats": e.seats,
    }


def _risk_policy(policy: core.Policy) -> Values:
    """The package's `policy.risk` as stored on the election (pages score centers with it)."""
    return dataclasses.asdict(policy.risk)


def _refuse_filed_intel_codes(election: Election, pkg: core.ElectionPackage) -> None:
    """A package report may not take the code of a report filed in the app."""
    codes = {i.code for i in pkg.intel}
    if not codes:
        return
    taken = sorted(
        IntelReport.objects.filter(
            election=election, source=IntelSource.FILED, code__in=codes
        ).values_list("code", flat=True)
    )
    if taken:
        raise InvalidInput(
            [Problem("intel.csv", None, CODE_TAKEN, {"value": code}) for code in taken]
        )


def _upsert_election(pkg: core.ElectionPackage, summary: LoadSummary) -> Election:
    e = pkg.election
    values = {**_election_values(e), "risk_policy": _risk_policy(pkg.policy)}
    # FOR NO KEY UPDATE serializes two loads of one election without blocking the rows that
    # merely point at the election: with a plain FOR UPDATE, a status change committing
    # during a load waited on its event row's foreign key while holding its center's row
    # lock, which the load then waited on: a deadlock that rolled one of them back.
    forget_default_election()
    election = Election.objects.select_for_update(no_key=True).filter(code=e.code).first()
    if election is None:
        summary.created["election"] = 1
        return Election.objects.create(code=e.code, loaded_at=timezone.now(), **values)
    changed = [name for name, value in values.items() if getattr(election, name) != value]
    if changed:
        for name in changed:
            setattr(election, name, values[name])
        election.save(update_fields=[*changed, "updated_at"])
        summary.updated["election"] = 1
    return election


def _record_source(election: Election, source: Path) -> None:
    """Remember the folder and its digest: plan runs read the package from there again."""
    path, digest = str(Path(source).resolve()), package_digest(source)
    if (election.package_path, election.package_digest) != (path, digest):
        election.package_path, election.package_digest = path, digest
        election.save(update_fields=["package_path", "package_digest", "updated_at"])


def named(x: core.Agency | core.Sector | core.District) -> Values:
    return {"name_en": x.name_en, "name_ar": x.name_ar}


def _stations(pkg: core.ElectionPackage) -> list[core.Station]:
    """The package's stations, or stations 1..n per center with voters split evenly."""
    if pkg.stations:
        return list(pkg.stations)
    stations = []
    for c in pkg.centers:
        share, extra = divmod(c.voters, c.stations) if c.stations else (0, 0)
        stations += [
            core.Station(f"{c.code}-{n:02d}", c.code, n, share + (1 if n <= extra else 0))
            for n in range(1, c.stations + 1)
        ]
    return stations


def do_load_package(
    pkg: core.ElectionPackage,
    *,
    acting_user: AnyUser | None,
    actor_name: str | None = None,
    source: Path | None = None,
) -> LoadSummary:
    """Load a validated package into the database in one transaction (module docstring)."""
    summary = LoadSummary(election=pkg.election.code)
    with transaction.atomic():
        election = _upsert_election(pkg, summary)
        if source is not None:
            _record_source(election, source)
        s = _Syncer(election, summary)

        components = s.sync(
            Component,
            {
                c.code: {"name_en": c.name_en, "name_ar": c.name_ar, "seats": c.seats}
                for c in pkg.election.ballot.components
            },
        )
        s.sync(
            BallotEntity,
            {
                b.number: {
                    "name_en": b.name_en,
                    "name_ar": b.name_ar,
                    "component_id": components[b.component] if b.component else None,
                }
                for b in pkg.election.ballot.entities
            },
            key="number",
        )
        agencies = s.sync(Agency, {a.code: named(a) for a in pkg.agencies})
        sectors = s.sync(Sector, {x.code: named(x) for x in pkg.sectors})

        # Districts before sub-districts, which point at them; retire once, over both.
        district_codes = [d.code for d in pkg.districts]
        top = s.sync(
            District,
            {d.code: {**named(d), "parent_id": None} for d in pkg.districts if not d.parent},
            present=district_codes,
        )
        subs = {d.code: {**named(d), "parent_id": top[d.parent]} for d in pkg.districts if d.parent}
        districts = s.sync(District, subs, present=district_codes, retire=False) if subs else top
        summary.totals["district"] = len(district_codes)

        centers = s.sync(
            Center,
            {
                c.code: {
                    "name_en": c.name_en,
                    "name_ar": c.name_ar,
                    "search_name": search_key(c.code, c.name_ar, c.name_en),
                    "sector_id": sectors[c.sector],
                    "district_id": districts[c.district] if c.district else None,
                    "subdistrict_id": districts[c.subdistrict] if c.subdistrict else None,
                    "lat": c.lat,
                    "lon": c.lon,
                    "stations_count": c.stations,
                    "voters": c.voters,
                    "risk_override": c.risk,
                    "kind": c.kind.value,
                }
                for c in pkg.centers
            },
            bump_version=True,
        )
        s.sync(
            Station,
            {
                st.code: {"center_id": centers[st.center], "number": st.number, "voters": st.voters}
                for st in _stations(pkg)
            },
        )
        units = s.sync(
            Unit,
            {
                u.code: {
                    "name_en": u.name_en,
                    "name_ar": u.name_ar,
                    "search_name": search_key(u.code, u.name_ar, u.name_en),
                    "agency_id": agencies[u.agency],
                    "kind": u.kind.value,
                    "headcount": u.headcount,
                    "sector_id": sectors[u.sector] if u.sector else None,
                    "lat": u.lat,
                    "lon": u.lon,
                    "team_size": u.team_size,
                    "max_distance_km": u.max_distance_km,
                    "speed_kmh": u.speed_kmh,
                }
                for u in pkg.units
            },
        )
        s.sync(
            Person,
            {
                p.id: {
                    "name_ar": p.name_ar,
                    "name_en": p.name_en,
                    "search_name": search_key(p.id, p.name_ar, p.name_en),
                    "unit_id": units[p.unit],
                }
                for p in pkg.personnel
            },
        )
        s.sync(
            SpecialVoter,
            {
                v.id: {
                    "name_ar": v.name_ar,
                    "name_en": v.name_en,
                    "search_name": search_key(v.id, v.name_ar, v.name_en),
                    "special_center_id": centers[v.special_center],
                    "unit_id": units[v.unit] if v.unit else None,
                }
                for v in pkg.special_register
            },
        )
        s.sync(
            PastIncident,
            {
                h.code: {
                    "occurred_at": h.when,
                    "lat": h.lat,
                    "lon": h.lon,
                    "kind": h.kind,
                    "severity": h.severity,
                    "center_id": centers[h.center] if h.center else None,
                    "description": h.description,
                }
                for h in pkg.incidents_history
            },
        )
        _refuse_filed_intel_codes(election, pkg)
        s.sync(
            Area,
            {
                f"{a.kind}:{a.code}": {"kind": a.kind, "ref": a.code, "geometry": a.geometry}
                for a in pkg.areas
            },
        )
        s.sync(
            IntelReport,
            {
                i.code: {
                    "reported_at": i.when,
                    "center_id": centers[i.center] if i.center is not None else None,
                    "lat": i.lat,
                    "lon": i.lon,
                    "severity": i.severity,
                    "weight": i.credibility,
                    "text": i.summary,
                }
                for i in pkg.intel
            },
            # Reports filed in the app are not the package's: a reload never touches them.
            scope={"source": IntelSource.PACKAGE},
        )

        if summary.changed:
            election.loaded_at = timezone.now()
            election.save(update_fields=["loaded_at", "updated_at"])
            forget_default_election()
            emit(
                EventKind.PACKAGE_LOADED,
                election_id=election.pk,
                payload={"election": election.code},
            )
        record(
            "registry.load_package",
            acting_user=acting_user,
            actor_name=actor_name,
            object_type="election",
            object_id=election.code,
            after=summary.as_dict(),
            critical=True,
        )
    return summary
