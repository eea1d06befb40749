"""Every write of field reports (style.md: one action, one transaction, an audit row).

Rules kept here:
- a check-in's client UUID makes a resend the same row; the same UUID with other content
  is refused (`IdempotencyClash`), whoever races whom (the unique index decides);
- the expected row is locked while a report is applied, so two reports of one slot at
  once are applied one after the other;
- a report observed earlier than the station's newest one never overrides the station's
  status (conditional update on `observed_at`), whatever order they arrive in;
- two reporters who disagree about one slot make it a conflict for a person to resolve;
- an alarm is raised once (conditional update on `alarm_raised_at IS NULL`) and cleared
  when the report arrives.
"""

from __future__ import annotations

import hashlib
import json
import uuid as uuidlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from pollguard.accounts.access import AnyUser
from pollguard.audit.actions import record
from pollguard.common.errors import Conflict
from pollguard.core.checkins import expected_slots, hourly_sequence
from pollguard.fieldreports.choices import (
    Channel,
    CheckinStatus,
    ExpectedState,
    Slot,
    StationState,
    TriageKind,
)
from pollguard.fieldreports.models import (
    Checkin,
    ExpectedCheckin,
    Notice,
    ReporterPhone,
    StationStatus,
    TriageItem,
)
from pollguard.fieldreports.policy import checkin_policy, grace, polls_open_at
from pollguard.live.actions import emit
from pollguard.live.choices import EventKind
from pollguard.registry.models import Election, Station

_STATION_STATE = {
    CheckinStatus.OPEN: StationState.OPEN,
    CheckinStatus.OK: StationState.OPEN,
    CheckinStatus.SUSPENDED: StationState.SUSPENDED,
    CheckinStatus.CLOSED: StationState.CLOSED,
    CheckinStatus.UNREACHABLE: StationState.UNREACHABLE,
}


class CheckinRefused(Exception):
    """A report that cannot be accepted; `field` names the bad value, the message says why."""

    def __init__(self, code: str, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class IdempotencyClash(Conflict):
    """The client UUID was used before for another report."""

    default_code = "idempotency_clash"


# --- expected check-ins -----------------------------------------------------------------


def do_generate_expected_checkins(election: Election, *, acting_user: AnyUser | None) -> int:
    """Make the expected rows of every active station (idempotent: existing rows are kept).

    Returns how many rows were added. Also gives each station its board status row.
    """
    slots = expected_slots(
        election.general_vote_date,
        election.polls_open,
        election.polls_close,
        election.timezone,
        checkin_policy(),
    )
    stations = list(
        Station.objects.filter(election=election, active=True).values_list("pk", flat=True)
    )
    with transaction.atomic():
        before = ExpectedCheckin.objects.filter(election=election).count()
        ExpectedCheckin.objects.bulk_create(
            [
                ExpectedCheckin(
                    election=election,
                    station_id=pk,
                    slot=s.slot,
                    sequence=s.sequence,
                    due_at=s.due_at,
                )
                for pk in stations
                for s in slots
            ],
            ignore_conflicts=True,
            batch_size=2000,
        )
        StationStatus.objects.bulk_create(
            [StationStatus(station_id=pk) for pk in stations],
            ignore_conflicts=True,
            batch_size=2000,
        )
        added = ExpectedCheckin.objects.filter(election=election).count() - before
        record(
            "fieldreports.generate_expected",
            acting_user=acting_user,
            object_type="election",
            object_id=election.code,
            after={"added": added, "stations": len(stations), "slots_per_station": len(slots)},
        )
    return added


# --- check-ins --------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckinReport:
    """A report as a channel parsed it, before it is checked against the station."""

    uuid: uuidlib.UUID
    slot: str
    status: str
    voters: int | None
    observed_at: datetime


def content_digest(station: Station, report: CheckinReport) -> str:
    body = [
        station.code,
        report.slot,
        report.status,
        report.voters,
        report.observed_at.astimezone(UTC).isoformat(),
    ]
    return hashlib.sha256(json.dumps(body).encode()).hexdigest()


def check_report(station: Station, report: CheckinReport, *, now: datetime) -> bool:
    """Refuse what cannot be true; returns whether the device clock is off (but tolerated)."""
    if report.slot == Slot.CLOSING and report.voters is None:
        raise CheckinRefused(
            "voters_missing", _("A closing report needs the number of voters."), field="voters"
        )
    if report.voters is not None and report.voters > station.voters:
        raise CheckinRefused(
            "voters_impossible",
            _("%(voters)s voters is more than the %(registered)s registered at this station.")
            % {"voters": report.voters, "registered": station.voters},
            field="voters",
        )
    ahead = report.observed_at - now
    tolerance = timedelta(minutes=checkin_policy().clock_tolerance_minutes)
    if ahead > tolerance:
        raise CheckinRefused(
            "future_time",
            _("The device time is %(minutes)s minutes ahead of the server: set its clock.")
            % {"minutes": int(ahead.total_seconds() // 60)},
            field="observed_at",
        )
    if report.observed_at < now - timedelta(days=2):
        raise CheckinRefused(
            "too_old", _("The device time is more than two days ago."), field="observed_at"
        )
    return ahead > timedelta(minutes=1)


def _expected_for(station: Station, report: CheckinReport) -> ExpectedCheckin | None:
    rows = ExpectedCheckin.objects.select_for_update().filter(station=station, slot=report.slot)
    if report.slot != Slot.HOURLY:
        return rows.filter(sequence=0).first()
    last = (
        ExpectedCheckin.objects.filter(station=station, slot=Slot.HOURLY)
        .order_by("-sequence")
        .values_list("sequence", flat=True)
        .first()
    )
    if last is None:
        return None
    sequence = hourly_sequence(
        report.observed_at, polls_open_at(station.election), checkin_policy(), last
    )
    return rows.filter(sequence=sequence).first()


def do_record_checkin(
    station: Station,
    report: CheckinReport,
    *,
    channel: Channel,
    reporter_key: str,
    acting_user: AnyUser | None,
    now: datetime | None = None,
) -> tuple[Checkin, bool]:
    """Record one report; returns it and whether it is new (a resend returns the first).

    Raises `CheckinRefused` for an impossible report and `IdempotencyClash` for a UUID
    reused with other content; neither writes anything.
    """
    now = now or timezone.now()
    digest = content_digest(station, report)
    existing = Checkin.objects.filter(uuid=report.uuid).first()
    if existing is not None:
        return _same_or_clash(existing, digest), False
    clock_off = check_report(station, report, now=now)
    user = acting_user if isinstance(acting_user, User) else None
    try:
        with transaction.atomic():
            expected = _expected_for(station, report)
            checkin = Checkin.objects.create(
                uuid=report.uuid,
                election_id=station.election_id,
                station=station,
                expected=expected,
                slot=report.slot,
                status=report.status,
                voters=report.voters,
                observed_at=report.observed_at,
                received_at=now,
                clock_off=clock_off,
                channel=channel,
                reporter=user,
                reporter_key=reporter_key[:64],
                digest=digest,
            )
            cleared = _apply_to_expected(expected, checkin, now) if expected else False
            _apply_to_station(station, checkin)
            record(
                "fieldreports.record_checkin",
                acting_user=acting_user,
                actor_name=None if user else f"{channel}:{reporter_key}"[:150],
                object_type="checkin",
                object_id=str(checkin.uuid),
                after={
                    "station": station.code,
                    "slot": report.slot,
                    "status": report.status,
                    "voters": report.voters,
                    "observed_at": report.observed_at,
                    "clock_off": clock_off,
                    "state": expected.state if expected else None,
                },
            )
            # Not "status": pages read an event with "center" and "status" as a change of
            # the center's own status (live.js, map.js).
            emit(
                EventKind.CHECKIN,
                election_id=station.election_id,
                sector_id=station.center.sector_id,
                center_id=station.center_id,
                payload={
                    "station": station.code,
                    "center": station.center.code,
                    "slot": report.slot,
                    "reported": report.status,
                    "state": expected.state if expected else None,
                    "alarm_cleared": cleared,
                },
            )
    except IntegrityError:
        # Another request stored this UUID between our read and our insert.
        existing = Checkin.objects.filter(uuid=report.uuid).first()
        if existing is None:
            raise
        return _same_or_clash(existing, digest), False
    return checkin, True


def _same_or_clash(existing: Checkin, digest: str) -> Checkin:
    if existing.digest != digest:
        raise IdempotencyClash(_("This check-in id was already used for another report."))
    return existing


def _apply_to_expected(expected: ExpectedCheckin, checkin: Checkin, now: datetime) -> bool:
    """Update the (locked) expected row for a new report; True when it cleared an alarm."""
    current = expected.checkin
    fields = ["checkin", "state"]
    if current is None:
        expected.checkin = checkin
        on_time = checkin.received_at <= expected.due_at + grace()
        expected.state = ExpectedState.RECEIVED if on_time else ExpectedState.LATE
    elif current.reporter_key == checkin.reporter_key:
        # The same reporter corrects himself: the report he made last (device time) counts.
        if checkin.observed_at > current.observed_at:
            expected.checkin = checkin
    elif (current.status, current.voters) != (checkin.status, checkin.voters):
        expected.state = ExpectedState.CONFLICT
    cleared = expected.alarm_open
    if cleared:
        expected.alarm_cleared_at = now
        fields.append("alarm_cleared_at")
    expected.save(update_fields=fields)
    return cleared


def _apply_to_station(station: Station, checkin: Checkin) -> None:
    """The station's status follows its newest report by device time, unless cancelled."""
    StationStatus.objects.get_or_create(station=station)
    StationStatus.objects.filter(
        Q(observed_at__isnull=True) | Q(observed_at__lt=checkin.observed_at),
        station=station,
        cancelled_at__isnull=True,
    ).update(
        state=_STATION_STATE[CheckinStatus(checkin.status)],
        observed_at=checkin.observed_at,
        version=F("version") + 1,
    )


def do_resolve_conflict(
    expected: ExpectedCheckin, chosen: Checkin, *, acting_user: AnyUser
) -> ExpectedCheckin:
    """A person chose which of two disagreeing reports is right."""
    with transaction.atomic():
        locked = ExpectedCheckin.objects.select_for_update().get(pk=expected.pk)
        if locked.state != ExpectedState.CONFLICT:
            raise Conflict(_("This slot is no longer in conflict."))
        if chosen.expected_id != locked.pk:
            raise CheckinRefused("not_this_slot", _("That report is not one of this slot's."))
        locked.checkin = chosen
        on_time = chosen.received_at <= locked.due_at + grace()
        locked.state = ExpectedState.RECEIVED if on_time else ExpectedState.LATE
        locked.save(update_fields=["checkin", "state"])
        record(
            "fieldreports.resolve_conflict",
            acting_user=acting_user,
            object_type="expected_checkin",
            object_id=f"{locked.station.code}/{locked.slot}/{locked.sequence}",
            after={"chosen": str(chosen.uuid), "status": chosen.status, "voters": chosen.voters},
        )
        emit(
            EventKind.CHECKIN,
            election_id=locked.election_id,
            sector_id=locked.station.center.sector_id,
            center_id=locked.station.center_id,
            payload={"station": locked.station.code, "slot": locked.slot, "state": locked.state},
        )
    return locked


# --- alarms -----------------------------------------------------------------------------


ALARM_BATCH = 2000


def do_raise_missing_alarms(*, now: datetime | None = None) -> int:
    """Raise the alarm of every missing report whose deadline + grace has passed.

    Stations known to be unreachable or cancelled raise none: the room already knows.
    Each alarm is raised once (the conditional update), one live event per center. The
    rows go in batches of `ALARM_BATCH`, one transaction each, until none is left: a
    national opening (50,000 stations at 07:00) is raised in one run, not one batch a beat.
    """
    now = now or timezone.now()
    total = 0
    while raised := _raise_batch(now):
        total += raised
    return total


def _raise_batch(now: datetime) -> int:
    overdue = ExpectedCheckin.objects.filter(
        state=ExpectedState.MISSING,
        alarm_raised_at__isnull=True,
        due_at__lte=now - grace(),
    ).exclude(station__field_status__state__in=[StationState.UNREACHABLE, StationState.CANCELLED])
    with transaction.atomic():
        ids = list(overdue.values_list("pk", flat=True)[:ALARM_BATCH])
        if not ids:
            return 0
        rows = ExpectedCheckin.objects.filter(pk__in=ids, alarm_raised_at__isnull=True)
        by_center: dict[int, list[ExpectedCheckin]] = {}
        # Locked: two beats at once (a second installation's, a restart) raise each once
        # and announce only what they raised.
        locked = rows.select_for_update(of=("self",)).select_related("station", "station__center")
        for row in locked:
            by_center.setdefault(row.station.center_id, []).append(row)
        raised = rows.update(alarm_raised_at=now)
        for rows_of_center in by_center.values():
            center = rows_of_center[0].station.center
            emit(
                EventKind.CHECKIN_ALARM,
                election_id=center.election_id,
                sector_id=center.sector_id,
                center_id=center.pk,
                payload={
                    "center": center.code,
                    "raised": True,
                    "slots": [[r.station.code, r.slot, r.sequence] for r in rows_of_center],
                },
            )
        if raised:
            record(
                "fieldreports.raise_alarms",
                acting_user=None,
                object_type="expected_checkin",
                after={"raised": raised, "at": now},
            )
    # Rows another beat took meanwhile come back as 0 here; len(ids) keeps the loop going.
    return raised or (len(ids) if len(ids) == ALARM_BATCH else 0)


# --- station status ---------------------------------------------------------------------


def do_cancel_station(station: Station, *, reason: str, acting_user: AnyUser) -> StationStatus:
    """Cancel a station (the chair only: access checks it); the commission liaison is told.

    Critical: the audit entry is hash-chained like a plan approval.
    """
    with transaction.atomic():
        status, _created = StationStatus.objects.select_for_update().get_or_create(station=station)
        if status.cancelled_at is not None:
            raise Conflict(_("This station is already cancelled."), current_version=status.version)
        before = status.state
        status.state = StationState.CANCELLED
        status.cancelled_at = timezone.now()
        status.cancel_reason = reason
        status.version += 1
        status.save(update_fields=["state", "cancelled_at", "cancel_reason", "version"])
        Notice.objects.create(
            election_id=station.election_id,
            station=station,
            text=_("Station %(station)s was cancelled by the committee chair: %(reason)s")
            % {"station": station.code, "reason": reason},
        )
        record(
            "fieldreports.cancel_station",
            acting_user=acting_user,
            object_type="station",
            object_id=station.code,
            before={"state": before},
            after={"state": status.state, "reason": reason},
            critical=True,
        )
        emit(
            EventKind.STATION_STATUS,
            election_id=station.election_id,
            sector_id=station.center.sector_id,
            center_id=station.center_id,
            payload={"station": station.code, "center": station.center.code, "state": status.state},
        )
    return status


def do_acknowledge_notice(notice: Notice, *, acting_user: AnyUser) -> None:
    """The commission liaison has read a notice."""
    with transaction.atomic():
        done = Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        record(
            "fieldreports.acknowledge_notice",
            acting_user=acting_user,
            object_type="notice",
            object_id=str(notice.uuid),
            after={"read": bool(done)},
        )


def do_resolve_triage(item: TriageItem, *, acting_user: AnyUser) -> None:
    with transaction.atomic():
        TriageItem.objects.filter(pk=item.pk, resolved_at__isnull=True).update(
            resolved_at=timezone.now()
        )
        record(
            "fieldreports.resolve_triage",
            acting_user=acting_user,
            object_type="triage",
            object_id=str(item.uuid),
            after={"kind": item.kind},
        )


def add_triage(
    kind: TriageKind,
    summary: str,
    *,
    election_id: int | None,
    message_id: int | None = None,
    station: Station | None = None,
) -> TriageItem:
    """A triage row (inside the caller's transaction)."""
    return TriageItem.objects.create(
        kind=kind,
        summary=summary[:500],
        election_id=election_id,
        message_id=message_id,
        station=station,
    )


def do_register_phone(
    user: User,
    *,
    phone: str | None,
    telegram_user: int | None,
    language: str,
    acting_user: AnyUser | None,
) -> ReporterPhone:
    """Register a field reporter's phone number and/or Telegram user (unique: IntegrityError)."""
    with transaction.atomic():
        row = ReporterPhone.objects.create(
            user=user, phone=phone or None, telegram_user=telegram_user, language=language
        )
        record(
            "fieldreports.register_phone",
            acting_user=acting_user,
            object_type="phone",
            object_id=str(row),
            after={"user": user.get_username(), "language": language},
        )
    return row
