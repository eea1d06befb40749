"""Registry rows: one election and what exists where, as loaded from an election package.

Every row belongs to one `Election` (a database may hold several) and carries the public
`code` of the package files; URLs and the API use codes, never database ids. Rows that
other records may refer to (sectors, centers, stations, units, personnel, special voters,
...) are never deleted by a reload: when a package drops them they are marked inactive
(`active=False`), see `loader.py`.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pollguard.registry.choices import (
    CenterKind,
    CenterStatus,
    InfoCredibility,
    IntelSource,
    SourceReliability,
    UnitKind,
)


class Election(models.Model):
    """An election in one governorate (the package's `election.yaml`)."""

    code = models.SlugField(
        _("code"), max_length=64, unique=True, help_text=_("Stable code from election.yaml.")
    )
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    governorate_code = models.CharField(_("governorate code"), max_length=16)
    governorate_en = models.CharField(_("governorate (English)"), max_length=100)
    governorate_ar = models.CharField(_("governorate (Arabic)"), max_length=100)
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        help_text=_("IANA time zone in which times are shown, e.g. Asia/Baghdad."),
    )
    special_vote_date = models.DateField(_("special vote date"))
    general_vote_date = models.DateField(_("general vote date"))
    polls_open = models.TimeField(_("polls open"), help_text=_("Local time."))
    polls_close = models.TimeField(_("polls close"), help_text=_("Local time."))
    seats = models.PositiveIntegerField(_("seats"), default=0)
    loaded_at = models.DateTimeField(
        _("loaded at"), help_text=_("When a package for this election was last loaded.")
    )
    package_path = models.CharField(
        _("package folder"),
        max_length=1000,
        blank=True,
        help_text=_("Where the last loaded package was read from; plan runs read it again."),
    )
    risk_policy = models.JSONField(
        _("risk policy"),
        default=dict,
        blank=True,
        help_text=_("The package's policy.risk, so pages score centers as a plan run does."),
    )
    package_digest = models.CharField(
        _("package digest"),
        max_length=64,
        blank=True,
        help_text=_("SHA-256 of the package files when loaded; plan runs refuse a changed one."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return self.name_en or self.code


class ElectionScoped(models.Model):
    """Common columns of package rows: the election, the public code, bookkeeping times."""

    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, verbose_name=_("election"), related_name="+"
    )
    code = models.CharField(
        _("code"), max_length=64, help_text=_("Public code from the package; unique per election.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(
        _("updated at"), auto_now=True, help_text=_("Changes only when a value changed.")
    )

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Named(models.Model):
    """English and Arabic names, both shown as written (never normalized)."""

    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)

    class Meta:
        abstract = True


class Deactivatable(models.Model):
    """Rows others refer to: kept, but hidden, when a new package no longer lists them."""

    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("False when the last loaded package no longer lists this row."),
    )

    class Meta:
        abstract = True


def _unique_code(name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(fields=["election", "code"], name=f"{name}_unique_code")


class Component(ElectionScoped, Named):
    """A minority component with reserved (quota) seats."""

    seats = models.PositiveIntegerField(_("seats"), default=0)

    class Meta(ElectionScoped.Meta):
        verbose_name = _("component")
        verbose_name_plural = _("components")
        constraints = [_unique_code("component")]


class BallotEntity(Named):
    """A political entity on the ballot, identified by its ballot number."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, verbose_name=_("election"))
    number = models.PositiveIntegerField(_("ballot number"))
    component = models.ForeignKey(
        Component,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("component"),
        help_text=_("Set for entities competing for a minority quota seat."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("ballot entity")
        verbose_name_plural = _("ballot entities")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "number"], name="ballotentity_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name_en}"


class Agency(ElectionScoped, Named, Deactivatable):
    """A force that provides units (police directorate, army division, civil defense...)."""

    class Meta(ElectionScoped.Meta):
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [_unique_code("agency")]

    def __str__(self) -> str:
        return f"{self.code} {self.name_en}"


class Sector(ElectionScoped, Named, Deactivatable):
    """Area of responsibility of one district police department."""

    class Meta(ElectionScoped.Meta):
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        constraints = [_unique_code("sector")]

    def __str__(self) -> str:
        return f"{self.code} {self.name_en}"


class District(ElectionScoped, Named, Deactivatable):
    """Administrative district (qadaa), or sub-district (nahiya) when `parent` is set."""

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent district"),
        help_text=_("Empty for a district; the district of a sub-district."),
    )

    class Meta(ElectionScoped.Meta):
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        constraints = [_unique_code("district")]

    def __str__(self) -> str:
        return f"{self.code} {self.name_en}"


class Center(ElectionScoped, Named, Deactivatable):
    """A polling center, with its election-day status.

    `version` increases with every change (status or reload) and guards edits against
    concurrent writers: an update names the version it was based on and fails if the row
    moved on (see `actions.do_set_center_status`).
    """

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    search_name = models.CharField(
        _("search key"),
        max_length=500,
        db_index=True,
        editable=False,
        help_text=_("Normalized code and names (pollguard.core.arabic.normalize) for search."),
    )
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="centers", verbose_name=_("sector")
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    subdistrict = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sub-district"),
    )
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    stations_count = models.PositiveIntegerField(_("stations"))
    voters = models.PositiveIntegerField(_("registered voters"))
    risk_override = models.FloatField(
        _("risk override"),
        null=True,
        blank=True,
        help_text=_("Risk 0-1 from the package; when set it replaces the risk model."),
    )
    kind = models.CharField(
        _("kind"), max_length=32, choices=CenterKind.choices, default=CenterKind.GENERAL
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CenterStatus.choices, default=CenterStatus.NOT_OPEN
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Increases with every change.")
    )

    class Meta(ElectionScoped.Meta):
        verbose_name = _("polling center")
        verbose_name_plural = _("polling centers")
        constraints = [_unique_code("center")]

    def __str__(self) -> str:
        return f"{self.code} {self.name_en}"

    @property
    def status_color(self) -> str:
        return CenterStatus(self.status).color


class CenterStatusChange(models.Model):
    """One election-day status change of a center: the history shown on its page and the
    overview's feed of latest changes.

    Written by `actions.do_set_center_status` in the same transaction as the change, so a
    row exists exactly when the change is committed. The actor's username is kept for when
    the account is deleted.
    """

    center = models.ForeignKey(
        Center,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("center"),
    )
    from_status = models.CharField(
        _("previous status"), max_length=16, choices=CenterStatus.choices
    )
    to_status = models.CharField(_("new status"), max_length=16, choices=CenterStatus.choices)
    remark = models.CharField(
        _("remark"),
        max_length=500,
        blank=True,
        help_text=_("Why the status changed, in the words of whoever changed it."),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    actor_name = models.CharField(
        _("changed by (username)"),
        max_length=150,
        blank=True,
        help_text=_("Kept if the account is deleted."),
    )
    changed_at = models.DateTimeField(_("changed at"), db_index=True)

    class Meta:
        verbose_name = _("center status change")
        verbose_name_plural = _("center status changes")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["center", "-changed_at"], name="status_change_center_time")]

    def __str__(self) -> str:
        return f"{self.center_id}: {self.from_status} -> {self.to_status}"

    @property
    def from_color(self) -> str:
        return CenterStatus(self.from_status).color

    @property
    def to_color(self) -> str:
        return CenterStatus(self.to_status).color


class Station(ElectionScoped, Deactivatable):
    """A polling station inside a center."""

    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, related_name="stations", verbose_name=_("center")
    )
    number = models.PositiveIntegerField(_("number"), help_text=_("Number inside the center."))
    voters = models.PositiveIntegerField(_("registered voters"))

    class Meta(ElectionScoped.Meta):
        verbose_name = _("polling station")
        verbose_name_plural = _("polling stations")
        ordering = ["center__code", "number"]
        constraints = [_unique_code("station")]


class Unit(ElectionScoped, Named, Deactivatable):
    """A deployable unit; no sector means a governorate reserve."""

    search_name = models.CharField(
        _("search key"), max_length=500, db_index=True, editable=False, blank=True
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="units", verbose_name=_("agency")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=UnitKind.choices)
    headcount = models.PositiveIntegerField(_("headcount"))
    sector = models.ForeignKey(
        Sector,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("home sector"),
        help_text=_("Empty for a governorate reserve, which may serve any sector."),
    )
    lat = models.FloatField(_("base latitude"))
    lon = models.FloatField(_("base longitude"))
    team_size = models.PositiveIntegerField(
        _("team size"), null=True, blank=True, help_text=_("Empty: the whole unit is one team.")
    )
    max_distance_km = models.FloatField(
        _("maximum distance (km)"),
        null=True,
        blank=True,
        help_text=_("How far from its base the unit may serve; empty means no limit."),
    )
    speed_kmh = models.FloatField(
        _("speed (km/h)"),
        null=True,
        blank=True,
        help_text=_("Sweep teams only; empty means the policy's speed for the kind."),
    )

    class Meta(ElectionScoped.Meta):
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [_unique_code("unit")]

    def __str__(self) -> str:
        return f"{self.code} {self.name_en}".strip()

    @property
    def is_reserve(self) -> bool:
        return self.sector_id is None


class Person(ElectionScoped, Deactivatable):
    """A member of a unit (deployment roster). `code` is the roster id."""

    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    search_name = models.CharField(
        _("search key"),
        max_length=500,
        db_index=True,
        editable=False,
        blank=True,
        help_text=_("Normalized id and names (pollguard.core.arabic.normalize) for look-ups."),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="personnel", verbose_name=_("unit")
    )

    class Meta(ElectionScoped.Meta):
        verbose_name = _("person")
        verbose_name_plural = _("personnel")
        constraints = [_unique_code("person")]


class SpecialVoter(ElectionScoped, Deactivatable):
    """An entry of the special voter register (security forces, institutions)."""

    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    search_name = models.CharField(
        _("search key"),
        max_length=500,
        db_index=True,
        editable=False,
        blank=True,
        help_text=_("Normalized id and names (pollguard.core.arabic.normalize) for look-ups."),
    )
    special_center = models.ForeignKey(
        Center,
        on_delete=models.CASCADE,
        related_name="special_voters",
        verbose_name=_("special voting center"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )

    class Meta(ElectionScoped.Meta):
        verbose_name = _("special voter")
        verbose_name_plural = _("special voter register")
        constraints = [_unique_code("specialvoter")]


class PastIncident(ElectionScoped):
    """An incident of a previous election (risk model input)."""

    occurred_at = models.DateTimeField(_("occurred at"))
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    kind = models.CharField(_("kind"), max_length=64)
    severity = models.FloatField(_("severity"), help_text=_("0 (minor) to 1 (grave)."))
    center = models.ForeignKey(
        Center,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("center"),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta(ElectionScoped.Meta):
        verbose_name = _("past incident")
        verbose_name_plural = _("incident history")
        constraints = [_unique_code("pastincident")]


class IntelReport(ElectionScoped):
    """An intelligence report about a center or a place. Sensitive: see `access.py`.

    Two sources: `package` rows come from the package's intel.csv and a reload keeps them
    equal to the file; `filed` rows are made in the app (`actions.do_file_intel_report`),
    carry a public code INT-<number> and are never touched by a reload. Exactly one of
    `center` and (`lat`, `lon`) is set. `weight` is what the risk model multiplies the
    severity by: the package's credibility column, or the admiralty weight of
    `reliability` x `credibility` (`pollguard.core.intel`). A report stops counting after
    `valid_until` (empty: it never expires; package rows). `version` guards edits.
    """

    source = models.CharField(
        _("source"), max_length=16, choices=IntelSource.choices, default=IntelSource.PACKAGE
    )
    number = models.PositiveIntegerField(
        _("number"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Filed reports: the n of the code INT-n, unique per election."),
    )
    reported_at = models.DateTimeField(_("reported at"))
    center = models.ForeignKey(
        Center,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("center"),
        help_text=_("Empty for a report about a place (latitude and longitude)."),
    )
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    severity = models.FloatField(_("severity"), help_text=_("0 (minor) to 1 (grave)."))
    reliability = models.CharField(
        _("source reliability"),
        max_length=1,
        choices=SourceReliability.choices,
        blank=True,
        help_text=_("A to F; empty for package rows, which give a weight directly."),
    )
    credibility = models.PositiveSmallIntegerField(
        _("information credibility"),
        choices=InfoCredibility.choices,
        null=True,
        blank=True,
        help_text=_("1 to 6; empty for package rows, which give a weight directly."),
    )
    weight = models.FloatField(
        _("weight"),
        help_text=_("0 (doubtful) to 1 (confirmed): how much the report counts in the risk."),
    )
    text = models.TextField(_("text"), blank=True)
    valid_until = models.DateTimeField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("After this time the report no longer counts; empty: no end."),
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filed by"),
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Increases with every edit.")
    )

    class Meta(ElectionScoped.Meta):
        verbose_name = _("intelligence report")
        verbose_name_plural = _("intelligence reports")
        constraints = [
            _unique_code("intelreport"),
            models.UniqueConstraint(
                fields=["election", "number"],
                condition=models.Q(number__isnull=False),
                name="intelreport_unique_number",
            ),
            models.CheckConstraint(
                condition=models.Q(center__isnull=False, lat__isnull=True, lon__isnull=True)
                | models.Q(center__isnull=True, lat__isnull=False, lon__isnull=False),
                name="intelreport_center_or_place",
            ),
        ]

    @property
    def is_place(self) -> bool:
        return self.center_id is None

    def is_valid_at(self, when: datetime) -> bool:
        return self.valid_until is None or self.valid_until > when


class Area(ElectionScoped):
    """The outline of a sector or district from the package's areas.geojson (the map).

    `code` is `<kind>:<sector or district code>` (unique per election), so the loader can
    upsert it like every other row; `ref` is the sector's or district's code.
    """

    kind = models.CharField(
        _("kind"), max_length=16, help_text=_("sector or district, as in the package.")
    )
    ref = models.CharField(
        _("sector or district code"),
        max_length=64,
        help_text=_("The code of the sector or district this area outlines."),
    )
    geometry = models.JSONField(
        _("geometry"), help_text=_("GeoJSON Polygon or MultiPolygon, longitude first.")
    )

    class Meta(ElectionScoped.Meta):
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [_unique_code("area")]
