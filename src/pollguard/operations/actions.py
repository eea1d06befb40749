"""Every write of election-day operations.

Each action runs in one transaction with its audit row (`audit.actions.record`; the
critical ones marked `critical=True`, all hash-chained) and its live event (`live.emit`,
visible when the transaction commits). Races are settled by the database: the incident
number by a sequence (PostgreSQL) or a locked counter row (SQLite), the idempotency key by
a unique constraint, state moves and unit status by conditional updates on `version`, a
unit's second dispatch by a row lock on its status.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from pollguard.accounts.access import AnyUser
from pollguard.audit.actions import record
from pollguard.common.errors import Conflict
from pollguard.core.geo import haversine_km, within_outlines
from pollguard.core.problems import InvalidInput, Problem, register_messages
from pollguard.live.actions import emit
from pollguard.live.choices import EventKind
from pollguard.operations import policy
from pollguard.operations.choices import (
    CLEARING_UNIT_STATUSES,
    FINISHED_STATES,
    OUTSIDE_FORCE_NEXT,
    WAITING_STATES,
    EscalationLevel,
    IncidentKind,
    IncidentState,
    OutsideForce,
    OutsideForceState,
    SourceChannel,
    UnitStatus,
)
from pollguard.operations.lifecycle import TRANSITIONS
from pollguard.operations.models import (
    Assignment,
    Incident,
    IncidentCounter,
    IncidentEscalation,
    IncidentPhoto,
    IncidentReporter,
    IncidentTransition,
    OutsideForceRequest,
    UnitState,
)
from pollguard.registry.models import Area, Center, Election, Unit

register_messages(
    {
        "incident_point_outside": (
            "the point ({lat}, {lon}) is outside the governorate",
            "النقطة ({lat}، {lon}) خارج المحافظة",
        ),
        "incident_unknown_center": ("unknown center {value}", "مركز غير معروف {value}"),
        "incident_clock_ahead": (
            "the reporter's time is {minutes} minutes ahead of the server: set the device's clock",
            "وقت المُبلِّغ متقدم على الخادم بـ {minutes} دقيقة: اضبط ساعة الجهاز",
        ),
        "incident_center_or_point": (
            "give a center or a point (lat and lon), exactly one",
            "حدّد مركزاً أو نقطة (خط العرض وخط الطول)، واحداً منهما فقط",
        ),
        "incident_bad_key": (
            "at most 200 printable characters",
            "200 محرف قابل للطباعة على الأكثر",
        ),
        "incident_reason_required": ("a reason is required", "السبب مطلوب"),
        "incident_photo_type": (
            "send a JPEG, PNG or WebP image",
            "أرسل صورة بصيغة JPEG أو PNG أو WebP",
        ),
        "incident_photo_size": (
            "the photo is {size} bytes; at most {limit} are accepted",
            "حجم الصورة {size} بايت؛ الحد الأعلى {limit}",
        ),
        "incident_master_required": (
            "name the incident this one duplicates",
            "حدّد الحادث الذي يكرّره هذا الحادث",
        ),
        "incident_master_invalid": (
            "{value} cannot be the master of this incident",
            "لا يمكن أن يكون {value} الحادث الأصلي لهذا الحادث",
        ),
        "incident_unknown_incident": ("unknown incident {value}", "حادث غير معروف {value}"),
        "incident_not_your_area": (
            "you may not report incidents there",
            "لا يحق لك الإبلاغ عن حوادث في هذا الموقع",
        ),
    }
)


class TransitionRefused(Conflict):
    """A move the lifecycle does not allow from the incident's state (409)."""

    default_code = "forbidden_transition"


def _name(user: AnyUser | None) -> str:
    return user.get_username() if isinstance(user, User) else "system"


def next_number(key: str) -> int:
    """The next number under `key` (e.g. "INC-2010"); call inside the creating transaction.

    PostgreSQL: a sequence per key (`number_sequence`), made by the first create under the
    key and started after its counter row, if one exists. A sequence takes no lock that
    lasts until the caller commits, so concurrent creates never queue on it and never
    share a number; a create that rolls back after drawing leaves a gap in the numbers.
    SQLite serializes write transactions anyway: there the conditional update of the
    counter row holds its lock until the caller commits, and a rolled-back create gives
    its number back; the first create of a year inserts the row.
    """
    assert transaction.get_connection().in_atomic_block
    if connection.vendor == "postgresql":
        return _next_from_sequence(key)
    for _attempt in range(2):
        if IncidentCounter.objects.filter(key=key).update(last=F("last") + 1):
            return int(IncidentCounter.objects.get(key=key).last)
        try:
            with transaction.atomic():
                IncidentCounter.objects.create(key=key, last=1)
            return 1
        except IntegrityError:
            continue  # another transaction created it first: its lock now orders us
    raise RuntimeError(f"counter {key} could not be advanced")


def number_sequence(key: str) -> str:
    """The PostgreSQL sequence of the numbers under `key` ("INC-2010": incident_number_inc_2010)."""
    return "incident_number_" + "".join(c if c.isalnum() else "_" for c in key.lower())


def _next_from_sequence(key: str) -> int:
    name = number_sequence(key)
    with connection.cursor() as cursor:
        for _attempt in range(3):
            # NULL, not an error, while the sequence does not exist: no savepoint needed.
            cursor.execute("SELECT nextval(to_regclass(%s))", [name])
            row = cursor.fetchone()
            if row is not None and row[0] is not None:
                return int(row[0])
            counter = IncidentCounter.objects.filter(key=key).first()
            start = (counter.last if counter is not None else 0) + 1
            try:
                with transaction.atomic():
                    # Another create making it at the same moment waits for this one's
                    # commit, then fails here and draws from the committed sequence.
                    cursor.execute(
                        f"CREATE SEQUENCE IF NOT EXISTS {connection.ops.quote_name(name)} "
                        f"START WITH {int(start)}"
                    )
            except IntegrityError:
                continue
    raise RuntimeError(f"sequence {name} could not be advanced")


# --- filing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IncidentDraft:
    """What a reporter sends, parsed (the API schema and the form both build one)."""

    kind: IncidentKind
    severity: int
    text: str
    observed_at: datetime
    center: Center | None = None
    lat: float | None = None
    lon: float | None = None
    source: SourceChannel = SourceChannel.WEB

    def digest(self) -> str:
        """What an idempotent retry must repeat exactly."""
        body = {
            "kind": self.kind.value,
            "severity": self.severity,
            "text": self.text,
            "observed_at": self.observed_at.isoformat(),
            "center": self.center.code if self.center is not None else None,
            "lat": self.lat,
            "lon": self.lon,
        }
        text = json.dumps(body, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def governorate_box(election: Election) -> tuple[float, float, float, float] | None:
    """(min lat, max lat, min lon, max lon) of the election's centers and units."""
    from django.db.models import Max, Min

    box = Center.objects.filter(election=election).aggregate(
        a=Min("lat"), b=Max("lat"), c=Min("lon"), d=Max("lon")
    )
    if box["a"] is None:
        return None
    return (box["a"], box["b"], box["c"], box["d"])


def point_problem(election: Election, lat: float, lon: float) -> Problem | None:
    """A problem when (lat, lon) lies outside the governorate.

    With the package's sector outlines (areas.geojson), outside means more than
    `policy.OUTLINE_MARGIN_KM` from every sector; without them, outside the box around the
    election's centers widened by `policy.AREA_MARGIN_KM`.
    """
    outlines = list(
        Area.objects.filter(election=election, kind="sector").values_list("geometry", flat=True)
    )
    if outlines:
        if within_outlines(outlines, lat, lon, margin_km=policy.OUTLINE_MARGIN_KM):
            return None
        return Problem("lat", None, "incident_point_outside", {"lat": lat, "lon": lon})
    box = governorate_box(election)
    if box is None:
        return None
    margin_lat = policy.AREA_MARGIN_KM / 111.0
    margin_lon = margin_lat / max(0.2, math.cos(math.radians(lat)))
    inside = (
        box[0] - margin_lat <= lat <= box[1] + margin_lat
        and box[2] - margin_lon <= lon <= box[3] + margin_lon
    )
    if inside:
        return None
    return Problem("lat", None, "incident_point_outside", {"lat": lat, "lon": lon})


def nearest_center(election: Election, lat: float, lon: float) -> Center | None:
    centers = Center.objects.filter(election=election, active=True).only(
        "pk", "lat", "lon", "sector_id", "code"
    )
    return min(centers, key=lambda c: haversine_km(lat, lon, c.lat, c.lon), default=None)


class IdempotencyClash(Conflict):
    """The Idempotency-Key was used before with another body (409)."""

    default_code = "idempotency_clash"


def do_file_incident(
    election: Election,
    draft: IncidentDraft,
    *,
    acting_user: AnyUser | None,
    idempotency_key: str = "",
    now: datetime | None = None,
) -> tuple[Incident, bool]:
    """File an incident; returns (incident, created).

    With an `idempotency_key`, a retry with the same body returns the stored incident
    (created False) and one with another body raises `IdempotencyClash`; two concurrent
    retries are stored once (the unique constraint, then the lookup). The caller has checked
    the role and the center (`access.require_file_incident`, `may_file_at`).
    """
    reporter = acting_user if isinstance(acting_user, User) else None
    digest = draft.digest()
    if idempotency_key:
        if reporter is None:
            raise ValueError("an idempotency key needs a reporting user")
        found = _by_key(reporter, idempotency_key, digest)
        if found is not None:
            return found, False
    center = draft.center
    if center is not None:
        lat, lon = center.lat, center.lon
        sector_id: int | None = center.sector_id
    else:
        assert draft.lat is not None
        assert draft.lon is not None
        problem = point_problem(election, draft.lat, draft.lon)
        if problem is not None:
            raise InvalidInput([problem])
        lat, lon = draft.lat, draft.lon
        near = nearest_center(election, lat, lon)
        sector_id = near.sector_id if near is not None else None
    received = now or timezone.now()
    # A report from the future is a wrong device clock (the same tolerance as check-ins):
    # refused, or it would sort above what really happened and skew response times.
    ahead = draft.observed_at - received
    if ahead > timedelta(minutes=settings.POLLGUARD_CHECKIN_CLOCK_TOLERANCE_MINUTES):
        minutes = int(ahead.total_seconds() // 60)
        raise InvalidInput(
            [Problem("observed_at", None, "incident_clock_ahead", {"minutes": str(minutes)})]
        )
    year = received.astimezone(election_zone(election)).year
    try:
        with transaction.atomic():
            number = next_number(f"INC-{year}")
            incident = Incident.objects.create(
                election=election,
                code=f"INC-{year}-{number:05d}",
                center=center,
                sector_id=sector_id,
                lat=lat,
                lon=lon,
                kind=draft.kind.value,
                severity=draft.severity,
                source=draft.source.value,
                text=draft.text,
                search_text=normalize_text(draft.text),
                reporter=reporter,
                reporter_name=_name(acting_user),
                observed_at=draft.observed_at,
                received_at=received,
                due_at=policy.due_after(received, draft.severity, draft.kind.value),
                idempotency_key=idempotency_key,
                request_digest=digest if idempotency_key else "",
            )
            IncidentReporter.objects.create(
                incident=incident, name=incident.reporter_name, via=incident
            )
            record(
                "operations.file_incident",
                acting_user=acting_user,
                object_type="incident",
                object_id=incident.code,
                after=_incident_values(incident),
            )
            _emit_incident(incident, EventKind.INCIDENT)
    except IntegrityError:
        if not idempotency_key or reporter is None:
            raise
        # A concurrent retry with the same key committed first: answer with its incident.
        found = _by_key(reporter, idempotency_key, digest)
        if found is None:
            raise
        return found, False
    return incident, True


def _by_key(reporter: User, key: str, digest: str) -> Incident | None:
    found = Incident.objects.filter(reporter=reporter, idempotency_key=key).first()
    if found is not None and found.request_digest != digest:
        raise IdempotencyClash(
            _("This Idempotency-Key was already used with another request body.")
        )
    return found


def election_zone(election: Election) -> ZoneInfo:
    return ZoneInfo(election.timezone)


def normalize_text(text: str) -> str:
    from pollguard.core.arabic import normalize

    return normalize(text)


def _incident_values(incident: Incident) -> dict[str, object]:
    return {
        "code": incident.code,
        "state": incident.state,
        "kind": incident.kind,
        "severity": incident.severity,
        "center": incident.center.code if incident.center is not None else None,
        "lat": incident.lat,
        "lon": incident.lon,
        "text": incident.text,
        "due_at": incident.due_at,
        "escalation_level": incident.escalation_level,
        "version": incident.version,
    }


def _emit_incident(incident: Incident, kind: EventKind, **extra: object) -> None:
    emit(
        kind,
        election_id=incident.election_id,
        sector_id=incident.sector_id,
        center_id=incident.center_id,
        payload={
            "incident": incident.code,
            "state": incident.state,
            # Not "kind": the feed puts the payload's fields beside the event's own kind.
            "incident_kind": incident.kind,
            "icon": IncidentKind(incident.kind).icon,
            "severity": incident.severity,
            "color": incident.severity_color,
            "lat": incident.lat,
            "lon": incident.lon,
            "due_at": incident.due_at,
            "escalation_level": incident.escalation_level,
            "version": incident.version,
            **extra,
        },
    )


# --- lifecycle ------------------------------------------------------------------------


def do_transition_incident(
    incident: Incident,
    to: IncidentState,
    *,
    acting_user: AnyUser | None,
    reason: str = "",
    duplicate_of: Incident | None = None,
    now: datetime | None = None,
) -> Incident:
    """Move `incident` to `to` if the lifecycle allows it from its current state.

    The move is a conditional update on (state, version): of two operators acting at once
    the second gets `TransitionRefused` naming the state it found, never a silent overwrite.
    Guards (`lifecycle.py`) are checked here; the role by `access.can_transition`.
    """
    rule = TRANSITIONS[to]
    reason = " ".join(reason.split())
    now = now or timezone.now()
    with transaction.atomic():
        current = Incident.objects.select_for_update().get(pk=incident.pk)
        before = IncidentState(current.state)
        if before not in rule.sources:
            raise TransitionRefused(
                _("An incident that is %(state)s cannot become %(to)s.")
                % {"state": before.label, "to": to.label},
                current_version=current.version,
            )
        if "reason" in rule.guards and not reason:
            raise InvalidInput([Problem("reason", None, "incident_reason_required", {})])
        if "assignment" in rule.guards and not current.assignments.exists():
            raise TransitionRefused(
                _("Dispatch a unit to the incident first."), current_version=current.version
            )
        changes: dict[str, object] = {"state": to.value}
        if "master" in rule.guards:
            _check_master(current, duplicate_of)
            assert duplicate_of is not None
            changes["duplicate_of"] = duplicate_of
        changes.update(_times_for(current, to, now))
        updated = Incident.objects.filter(pk=current.pk, version=current.version).update(
            version=F("version") + 1, **changes
        )
        assert updated == 1  # the row is locked
        current.refresh_from_db()
        _record_transition(current, before, to, reason, acting_user, now, rule.critical)
        if to is IncidentState.DUPLICATE and duplicate_of is not None:
            _carry_reporters(current, duplicate_of)
    incident.refresh_from_db()
    return incident


def _check_master(incident: Incident, master: Incident | None) -> None:
    if master is None:
        raise InvalidInput([Problem("duplicate_of", None, "incident_master_required", {})])
    if (
        master.pk == incident.pk
        or master.election_id != incident.election_id
        or master.state == IncidentState.DUPLICATE
    ):
        raise InvalidInput(
            [Problem("duplicate_of", None, "incident_master_invalid", {"value": master.code})]
        )


def _times_for(incident: Incident, to: IncidentState, now: datetime) -> dict[str, object]:
    """Timestamps and the deadline that follow a move (escalation rules in `policy`)."""
    changes: dict[str, object] = {}
    if to is IncidentState.VERIFIED:
        changes["verified_at"] = now
    elif to is IncidentState.DISPATCHED:
        changes["dispatched_at"] = incident.dispatched_at or now
    elif to is IncidentState.ON_SCENE:
        changes["on_scene_at"] = incident.on_scene_at or now
    elif to is IncidentState.RESOLVED:
        changes["resolved_at"] = now
    elif to is IncidentState.CLOSED:
        changes["closed_at"] = now
    if to in WAITING_STATES:
        # A new step starts: a new deadline, from the bottom of the ladder.
        changes["due_at"] = policy.due_after(now, incident.severity, incident.kind)
        changes["escalation_level"] = EscalationLevel.NONE
    elif to in FINISHED_STATES or to in {IncidentState.DISPATCHED, IncidentState.ON_SCENE}:
        changes["due_at"] = None
    return changes


def _record_transition(
    incident: Incident,
    before: IncidentState,
    to: IncidentState,
    reason: str,
    acting_user: AnyUser | None,
    now: datetime,
    critical: bool,
) -> IncidentTransition:
    actor = acting_user if isinstance(acting_user, User) else None
    transition = IncidentTransition.objects.create(
        incident=incident,
        from_state=before.value,
        to_state=to.value,
        reason=reason,
        actor=actor,
        actor_name=_name(acting_user),
        at=now,
    )
    record(
        "operations.transition_incident",
        acting_user=acting_user,
        object_type="incident",
        object_id=incident.code,
        before={"state": before.value},
        after={
            "state": to.value,
            "reason": reason,
            "duplicate_of": incident.duplicate_of.code if incident.duplicate_of else None,
            "version": incident.version,
        },
        critical=critical,
    )
    _emit_incident(incident, EventKind.INCIDENT, transition=transition.pk, by=transition.actor_name)
    return transition


def _carry_reporters(duplicate: Incident, master: Incident) -> None:
    """The master keeps every reporter of its duplicate (and of the duplicate's duplicates)."""
    for reporter in IncidentReporter.objects.filter(incident=duplicate):
        IncidentReporter.objects.get_or_create(
            incident=master, via=reporter.via, defaults={"name": reporter.name}
        )


# --- unit status and dispatch ---------------------------------------------------------


def _locked_state(unit: Unit) -> UnitState:
    """The unit's status row, locked for this transaction (created on first use)."""
    UnitState.objects.get_or_create(unit=unit)
    return UnitState.objects.select_for_update().get(unit=unit)


class UnitBusy(Conflict):
    """The unit has an open assignment and no override reason was given (409)."""

    default_code = "unit_busy"


def do_dispatch_unit(
    incident: Incident,
    unit: Unit,
    *,
    acting_user: AnyUser | None,
    override_reason: str = "",
    leaves_gap: tuple[str, ...] = (),
    now: datetime | None = None,
) -> Assignment:
    """Send `unit` to `incident`: an assignment, the unit `dispatched`, the incident too.

    The unit's status row is locked first, so two operators sending one unit to two
    incidents queue: the second finds the first's open assignment and is refused unless
    it gives an `override_reason`. `leaves_gap` (from the suggestion) is kept on the
    assignment and in the audit: sending it was a choice to strip a center's guard.
    """
    override_reason = " ".join(override_reason.split())
    now = now or timezone.now()
    with transaction.atomic():
        state = _locked_state(unit)
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if locked.state not in (
            IncidentState.VERIFIED,
            IncidentState.DISPATCHED,
            IncidentState.ON_SCENE,
        ):
            raise TransitionRefused(
                _("Only a verified incident can get units (this one is %(state)s).")
                % {"state": IncidentState(locked.state).label},
                current_version=locked.version,
            )
        if Assignment.objects.filter(incident=locked, unit=unit).exists():
            raise Conflict(_("This unit is already assigned to this incident."))
        busy = Assignment.objects.filter(unit=unit, cleared_at__isnull=True).select_related(
            "incident"
        )
        open_codes = [a.incident.code for a in busy]
        if open_codes and not override_reason:
            raise UnitBusy(
                _("Unit %(unit)s is still assigned to %(codes)s; give a reason to send it anyway.")
                % {"unit": unit.code, "codes": ", ".join(open_codes)},
                current_version=state.version,
            )
        assignment = Assignment.objects.create(
            incident=locked,
            unit=unit,
            dispatched_at=now,
            override_reason=override_reason,
            leaves_gap=list(leaves_gap),
            dispatched_by=_name(acting_user),
        )
        before_status = state.status
        UnitState.objects.filter(pk=state.pk).update(
            status=UnitStatus.DISPATCHED,
            version=F("version") + 1,
            changed_at=now,
            changed_by=_name(acting_user),
        )
        record(
            "operations.dispatch_unit",
            acting_user=acting_user,
            object_type="incident",
            object_id=locked.code,
            before={"unit_status": before_status},
            after={
                "unit": unit.code,
                "override_reason": override_reason,
                "open_elsewhere": open_codes,
                "leaves_gap": list(leaves_gap),
            },
            critical=bool(override_reason or leaves_gap),
        )
        _emit_unit(unit, UnitStatus.DISPATCHED, state.version + 1, incident=locked.code)
        if locked.state == IncidentState.VERIFIED:
            rule = TRANSITIONS[IncidentState.DISPATCHED]
            changes = _times_for(locked, IncidentState.DISPATCHED, now)
            Incident.objects.filter(pk=locked.pk).update(
                state=IncidentState.DISPATCHED, version=F("version") + 1, **changes
            )
            locked.refresh_from_db()
            _record_transition(
                locked,
                IncidentState.VERIFIED,
                IncidentState.DISPATCHED,
                unit.code,
                acting_user,
                now,
                rule.critical,
            )
    return assignment


def _emit_unit(unit: Unit, status: UnitStatus, version: int, **extra: object) -> None:
    emit(
        EventKind.UNIT_STATUS,
        election_id=unit.election_id,
        sector_id=unit.sector_id,
        payload={
            "unit": unit.code,
            "status": status.value,
            "color": status.color,
            "version": version,
            "lat": unit.lat,
            "lon": unit.lon,
            **extra,
        },
    )


def do_set_unit_status(
    unit: Unit,
    status: UnitStatus,
    *,
    acting_user: AnyUser | None,
    expected_version: int,
    now: datetime | None = None,
) -> UnitState:
    """Set a unit's status if nobody changed it since `expected_version` (else `Conflict`).

    The unit's open assignments take their times from it: en route, on scene (which also
    moves a dispatched incident on scene), and cleared when the unit is free again.
    A unit never set has version 1 (its row is created on first use).
    """
    now = now or timezone.now()
    with transaction.atomic():
        state = _locked_state(unit)
        if state.version != expected_version:
            raise Conflict(
                _("This unit was changed by someone else; reload and try again."),
                current_version=state.version,
            )
        before = state.status
        UnitState.objects.filter(pk=state.pk).update(
            status=status.value,
            version=F("version") + 1,
            changed_at=now,
            changed_by=_name(acting_user),
        )
        state.refresh_from_db()
        open_assignments = list(
            Assignment.objects.filter(unit=unit, cleared_at__isnull=True).select_related("incident")
        )
        for assignment in open_assignments:
            _follow_status(assignment, status, now, acting_user)
        record(
            "operations.set_unit_status",
            acting_user=acting_user,
            object_type="unit",
            object_id=unit.code,
            before={"status": before, "version": expected_version},
            after={"status": state.status, "version": state.version},
        )
        _emit_unit(unit, status, state.version)
    return state


def _follow_status(
    assignment: Assignment, status: UnitStatus, now: datetime, acting_user: AnyUser | None
) -> None:
    fields: dict[str, object] = {}
    if status is UnitStatus.EN_ROUTE and assignment.en_route_at is None:
        fields["en_route_at"] = now
    elif status is UnitStatus.ON_SCENE and assignment.on_scene_at is None:
        fields["on_scene_at"] = now
    elif status in CLEARING_UNIT_STATUSES:
        fields["cleared_at"] = now
    if not fields:
        return
    Assignment.objects.filter(pk=assignment.pk).update(**fields)
    incident = assignment.incident
    if status is UnitStatus.ON_SCENE and incident.state == IncidentState.DISPATCHED:
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if locked.state == IncidentState.DISPATCHED:
            changes = _times_for(locked, IncidentState.ON_SCENE, now)
            Incident.objects.filter(pk=locked.pk).update(
                state=IncidentState.ON_SCENE, version=F("version") + 1, **changes
            )
            locked.refresh_from_db()
            _record_transition(
                locked,
                IncidentState.DISPATCHED,
                IncidentState.ON_SCENE,
                assignment.unit.code,
                acting_user,
                now,
                False,
            )


# --- photos ---------------------------------------------------------------------------

# What an image's first bytes say it is; the declared Content-Type must agree.
_PHOTO_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def photo_type(data: bytes) -> str | None:
    """The image type its bytes show (JPEG, PNG or WebP), or None."""
    for magic, content_type in _PHOTO_MAGIC:
        if data.startswith(magic):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def do_attach_photo(
    incident: Incident,
    data: bytes,
    *,
    content_type: str,
    client_key: str,
    acting_user: AnyUser,
    now: datetime | None = None,
) -> tuple[IncidentPhoto, bool]:
    """Store a photo of the incident; returns it and whether it is new.

    The type is read from the bytes (and must match the declared one) and the size is
    bounded (`PHOTO_MAX_BYTES`); anything else is `InvalidInput` and nothing is written.
    The same `client_key` with the same bytes returns the stored photo; with other bytes it
    is `IdempotencyClash`.
    """
    from pollguard.operations.models import PHOTO_MAX_BYTES, PHOTO_TYPES

    if len(data) > PHOTO_MAX_BYTES:
        raise InvalidInput(
            [Problem("photo", None, "incident_photo_size",
                     {"size": len(data), "limit": PHOTO_MAX_BYTES})]
        )  # fmt: skip
    found_type = photo_type(data)
    declared = content_type.split(";", 1)[0].strip().lower()
    if found_type is None or found_type != declared or found_type not in PHOTO_TYPES:
        raise InvalidInput([Problem("photo", None, "incident_photo_type", {})])
    digest = hashlib.sha256(data).hexdigest()
    existing = IncidentPhoto.objects.filter(incident=incident, client_key=client_key).first()
    if existing is not None:
        if existing.digest != digest:
            raise IdempotencyClash(
                _("This Idempotency-Key was already used with another request body.")
            )
        return existing, False
    user = acting_user if isinstance(acting_user, User) else None
    try:
        with transaction.atomic():
            photo = IncidentPhoto.objects.create(
                incident=incident, content_type=found_type, data=data, size=len(data),
                digest=digest, client_key=client_key, sent_by=user,
                received_at=now or timezone.now(),
            )  # fmt: skip
            record(
                "operations.attach_photo",
                acting_user=acting_user,
                object_type="incident",
                object_id=incident.code,
                after={"photo": str(photo.uuid), "bytes": len(data), "sha256": digest},
            )
    except IntegrityError:
        # The same key sent twice at once: the other request stored it.
        return do_attach_photo(
            incident, data, content_type=content_type, client_key=client_key,
            acting_user=acting_user, now=now,
        )  # fmt: skip
    return photo, True


# --- escalation -----------------------------------------------------------------------


def escalation_roles(level: int) -> list[str]:
    """Who must act at an escalation level: the banner shows on their pages."""
    return [str(role) for role in policy.ESCALATION_ROLES[EscalationLevel(level)]]


def do_escalate_overdue(*, now: datetime | None = None) -> int:
    """Raise every overdue waiting incident one level; returns how many were raised.

    Run by Celery beat every minute (`pollguard.operations.escalate`). Each raise is a
    conditional update on (level, due_at), so two beats running at once (or a retried
    task) raise an incident once per deadline; the `IncidentEscalation` row is unique per
    (incident, level) too.
    """
    now = now or timezone.now()
    raised = 0
    overdue = Incident.objects.filter(
        state__in=[s.value for s in WAITING_STATES],
        due_at__lte=now,
        escalation_level__lt=EscalationLevel.CHAIR,
    ).order_by("due_at", "id")
    for incident in overdue:
        level = incident.escalation_level + 1
        next_due = (
            policy.due_after(now, incident.severity, incident.kind)
            if level < EscalationLevel.CHAIR
            else None
        )
        with transaction.atomic():
            updated = Incident.objects.filter(
                pk=incident.pk,
                escalation_level=incident.escalation_level,
                due_at=incident.due_at,
                state=incident.state,
            ).update(escalation_level=level, due_at=next_due, version=F("version") + 1)
            if not updated:
                continue
            incident.refresh_from_db()
            IncidentEscalation.objects.create(
                incident=incident, level=level, overdue_since=incident_overdue(incident, now),
                at=now,
            )  # fmt: skip
            record(
                "operations.escalate_incident",
                acting_user=None,
                object_type="incident",
                object_id=incident.code,
                before={"escalation_level": level - 1},
                after={"escalation_level": level, "due_at": next_due},
                critical=level == EscalationLevel.CHAIR,
            )
            _emit_incident(
                incident,
                EventKind.INCIDENT_ESCALATED,
                level=level,
                level_label_en=_label_en(level),
                roles=escalation_roles(level),
            )
            raised += 1
    return raised


def incident_overdue(incident: Incident, now: datetime) -> datetime:
    first = incident.escalations.order_by("at").values_list("overdue_since", flat=True).first()
    return first or now


def _label_en(level: int) -> str:
    return str(EscalationLevel(level).label)


# --- outside-force requests -----------------------------------------------------------


def do_request_outside_force(
    election: Election,
    *,
    incident: Incident | None,
    center: Center | None,
    force: OutsideForce,
    size: int,
    justification: str,
    acting_user: AnyUser | None,
    now: datetime | None = None,
) -> OutsideForceRequest:
    """The chair's request (the caller checked the role): hash-chained, marked critical."""
    now = now or timezone.now()
    with transaction.atomic():
        year = now.astimezone(election_zone(election)).year
        number = next_number(f"OFR-{year}")
        request = OutsideForceRequest.objects.create(
            election=election,
            code=f"OFR-{year}-{number:04d}",
            incident=incident,
            center=center if center is not None else (incident.center if incident else None),
            force=force.value,
            size=size,
            justification=justification,
            requested_by=_name(acting_user),
            requested_at=now,
        )
        record(
            "operations.request_outside_force",
            acting_user=acting_user,
            object_type="outside_force_request",
            object_id=request.code,
            after=_request_values(request),
            critical=True,
        )
        _emit_request(request)
    return request


def _request_values(request: OutsideForceRequest) -> Mapping[str, object]:
    return {
        "code": request.code,
        "incident": request.incident.code if request.incident else None,
        "center": request.center.code if request.center else None,
        "force": request.force,
        "size": request.size,
        "justification": request.justification,
        "state": request.state,
        "requested_at": request.requested_at,
        "acknowledged_at": request.acknowledged_at,
        "arrived_at": request.arrived_at,
        "released_at": request.released_at,
    }


def _emit_request(request: OutsideForceRequest) -> None:
    emit(
        EventKind.OUTSIDE_FORCE,
        election_id=request.election_id,
        center_id=request.center_id,
        payload={"request": request.code, "state": request.state, "force": request.force},
    )


_TIME_FIELD = {
    OutsideForceState.ACKNOWLEDGED: "acknowledged_at",
    OutsideForceState.ARRIVED: "arrived_at",
    OutsideForceState.RELEASED: "released_at",
}


def do_advance_outside_force(
    request: OutsideForceRequest,
    to: OutsideForceState,
    *,
    acting_user: AnyUser | None,
    now: datetime | None = None,
) -> OutsideForceRequest:
    """Move a request one step on (requested → acknowledged → arrived → released), timed."""
    now = now or timezone.now()
    with transaction.atomic():
        current = OutsideForceRequest.objects.select_for_update().get(pk=request.pk)
        before = OutsideForceState(current.state)
        if OUTSIDE_FORCE_NEXT.get(before) is not to:
            raise TransitionRefused(
                _("A request that is %(state)s cannot become %(to)s.")
                % {"state": before.label, "to": to.label},
                current_version=current.version,
            )
        OutsideForceRequest.objects.filter(pk=current.pk).update(
            state=to.value, version=F("version") + 1, **{_TIME_FIELD[to]: now}
        )
        current.refresh_from_db()
        record(
            "operations.advance_outside_force",
            acting_user=acting_user,
            object_type="outside_force_request",
            object_id=current.code,
            before={"state": before.value},
            after=_request_values(current),
            critical=True,
        )
        _emit_request(current)
    return current
