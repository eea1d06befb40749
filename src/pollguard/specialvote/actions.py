"""Every write of the special vote: check a voter in, undo a check-in.

One vote per person and election is the database's rule (the partial unique constraint
on counted check-ins, see `models.py`): `do_check_in` simply inserts and, when the
database refuses, tells the caller where and when the person already voted. An offline
record that arrives later for a person who has voted meanwhile is *kept*, as a
`conflict` for the committee, beside the counted one: neither silently replaces the other.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pollguard.accounts.access import AnyUser
from pollguard.audit.actions import record
from pollguard.common.errors import Conflict
from pollguard.core.arabic import normalize
from pollguard.core.problems import InvalidInput, Problem, register_messages
from pollguard.live.actions import emit
from pollguard.live.choices import EventKind
from pollguard.registry.choices import CenterKind
from pollguard.registry.models import Election, Person, SpecialVoter, Station
from pollguard.registry.templatetags.pollguard_ui import localdate_filter
from pollguard.specialvote import clock
from pollguard.specialvote.choices import BallotKind, CheckinSource, CheckinState
from pollguard.specialvote.models import SpecialCheckin

REASON_MAX_LENGTH = 500
SPECIAL_KINDS = (CenterKind.SPECIAL_SECURITY, CenterKind.SPECIAL_INSTITUTION)
# A device may record a check-in offline and sync it later, but not one "observed" in
# the future: a clock a few minutes fast is tolerated, a wrong date is not.
CLOCK_SKEW = timedelta(minutes=5)

register_messages(
    {
        "special_voter_unknown": (
            "no one with id {id} is on the special register or the personnel roster",
            "لا يوجد أحد بالرقم {id} في سجل التصويت الخاص ولا في قوائم المنتسبين",
        ),
        "special_voter_not_registered": (
            "{id} is not on the special register; a conditional ballot with a reason is possible",
            "{id} غير مسجل في سجل التصويت الخاص؛ يمكنه الاقتراع المشروط مع ذكر السبب",
        ),
        "special_voter_is_registered": (
            "{id} is on the special register: check in without a conditional ballot",
            "{id} مسجل في سجل التصويت الخاص: يسجل حضوره دون اقتراع مشروط",
        ),
        "special_station_unknown": (
            "no station {code} at a special voting center",
            "لا توجد محطة {code} في مركز اقتراع خاص",
        ),
        "special_vote_closed": (
            "the special vote is on {day}, {opens} to {closes} ({tz}); {when} is outside it",
            "التصويت الخاص يوم {day} من {opens} إلى {closes} ({tz})؛ الوقت {when} خارجه",
        ),
        "special_observed_in_future": (
            "the time lies in the future",
            "الوقت في المستقبل",
        ),
        "special_reason_required": (
            "give the reason",
            "اذكر السبب",
        ),
    }
)


# What an answer shows of a check-in, fetched with it.
_SHOWN = ("station", "center", "recorded_by", "conflict_with__station", "conflict_with__center")


class AlreadyVoted(Conflict):
    """The person has a counted check-in already (409 naming where and when)."""

    default_code = "already_voted"

    def __init__(self, message: str, *, existing: SpecialCheckin) -> None:
        super().__init__(message)
        self.existing = existing


@dataclass(frozen=True)
class CheckinResult:
    checkin: SpecialCheckin
    # False when a resend of the same client id found the record already stored.
    created: bool


def special_vote_window(election: Election) -> tuple[datetime, datetime]:
    """The special-vote day's opening and closing instants (the election's poll hours on
    its special-vote date, in its time zone), as aware datetimes."""
    tz = ZoneInfo(election.timezone)
    day = election.special_vote_date
    return (
        datetime.combine(day, election.polls_open, tzinfo=tz),
        datetime.combine(day, election.polls_close, tzinfo=tz),
    )


def local_time_label(election: Election, when: datetime) -> str:
    """`when` in the election's time zone, for messages ("4 March 2010 09:12")."""
    return localdate_filter(when.astimezone(ZoneInfo(election.timezone)), "j F Y H:i")


def describe_existing(existing: SpecialCheckin) -> str:
    """Where and when a person voted, in the user's language."""
    return _(
        "%(person)s already voted at station %(station)s of center %(center)s on %(when)s."
    ) % {
        "person": existing.person_code,
        "station": existing.station.code,
        "center": existing.center.code,
        "when": local_time_label(existing.election, existing.observed_at),
    }


def _resolve_station(election: Election, code: str) -> Station | None:
    return (
        Station.objects.select_related("center")
        .filter(election=election, code=code.strip(), active=True, center__kind__in=SPECIAL_KINDS)
        .first()
    )


def _emit_tally(checkin: SpecialCheckin, step: int = 1) -> None:
    """Tell open pages how the center's tally moved (`step` -1 for an undo).

    A change, not the totals: counting the center's rows on every check-in would grow with
    the day. Pages add it to the figures they rendered (the feed gives every event once,
    from the position read with the page). Counts only: the feed reaches everyone who sees
    the center, who need not know who voted.
    """
    center = checkin.center
    field = (
        "conflicts"
        if checkin.state == CheckinState.CONFLICT
        else "conditional"
        if checkin.kind == BallotKind.CONDITIONAL
        else "voted"
    )
    emit(
        EventKind.SPECIAL_TALLY,
        election_id=checkin.election_id,
        sector_id=center.sector_id,
        center_id=center.pk,
        payload={"center": center.code, "field": field, "step": step},
    )


def _same_content(
    stored: SpecialCheckin, person_code: str, station: str, observed_at: datetime | None
) -> bool:
    return (
        stored.person_code == person_code
        and stored.station.code == station.strip()
        and (observed_at is None or stored.observed_at == observed_at)
    )


def _audit_values(checkin: SpecialCheckin) -> dict[str, object]:
    return {
        "person": checkin.person_code,
        "station": checkin.station.code,
        "center": checkin.center.code,
        "kind": checkin.kind,
        "reason": checkin.reason,
        "state": checkin.state,
        "source": checkin.source,
        "observed_at": checkin.observed_at,
        "conflict_with": str(checkin.conflict_with.uuid) if checkin.conflict_with else None,
    }


def do_check_in(
    election: Election,
    *,
    voter: str,
    station: str,
    acting_user: AnyUser,
    conditional: bool = False,
    reason: str = "",
    client_id: uuid.UUID | None = None,
    observed_at: datetime | None = None,
) -> CheckinResult:
    """Check the person with id `voter` in at `station` (a station of a special center).

    Online (no `observed_at`): the time is now; a person with a counted check-in gets
    `AlreadyVoted` and nothing is written. Offline (`observed_at` given by the device): a
    person who voted meanwhile gets a second record in state `conflict`, linked to the
    counted one, for the committee to resolve. A resend of the same `client_id` with the
    same content returns the stored record (`created=False`); other content is a conflict.
    The caller has checked permission (`access.require_check_in`).
    """
    person_code = voter.strip()
    reason = " ".join(reason.split())[:REASON_MAX_LENGTH]
    if client_id is not None:
        stored = SpecialCheckin.objects.filter(uuid=client_id).select_related(*_SHOWN).first()
        if stored is not None:
            return _resend(stored, person_code, station, observed_at)

    now = clock.now()
    problems: list[Problem] = []
    registered = (
        SpecialVoter.objects.filter(election=election, code=person_code, active=True).first()
        if person_code
        else None
    )
    # The roster entry matters only for people not on the register (conditional ballots).
    person = (
        Person.objects.filter(election=election, code=person_code, active=True).first()
        if person_code and registered is None
        else None
    )
    if registered is None and person is None:
        problems.append(Problem("voter", None, "special_voter_unknown", {"id": person_code}))
    elif registered is None and not conditional:
        problems.append(Problem("voter", None, "special_voter_not_registered", {"id": person_code}))
    elif registered is not None and conditional:
        problems.append(Problem("voter", None, "special_voter_is_registered", {"id": person_code}))
    if conditional and not reason:
        problems.append(Problem("reason", None, "special_reason_required", {}))
    at_station = _resolve_station(election, station)
    if at_station is None:
        problems.append(Problem("station", None, "special_station_unknown", {"code": station}))
    when = observed_at or now
    field = "observed_at" if observed_at is not None else "time"
    if observed_at is not None and observed_at > now + CLOCK_SKEW:
        problems.append(Problem(field, None, "special_observed_in_future", {}))
    opens, closes = special_vote_window(election)
    if not opens <= when <= closes:
        problems.append(
            Problem(
                field,
                None,
                "special_vote_closed",
                {
                    "day": localdate_filter(election.special_vote_date),
                    "opens": election.polls_open.strftime("%H:%M"),
                    "closes": election.polls_close.strftime("%H:%M"),
                    "tz": election.timezone,
                    "when": local_time_label(election, when),
                },
            )
        )
    if problems:
        raise InvalidInput(problems)
    assert at_station is not None
    known = registered or person
    assert known is not None

    checkin = SpecialCheckin(
        uuid=client_id or uuid.uuid4(),
        election=election,
        person_code=person_code,
        voter=registered,
        person=person,
        name_ar=known.name_ar,
        station=at_station,
        center=at_station.center,
        kind=BallotKind.CONDITIONAL if conditional else BallotKind.REGISTER,
        reason=reason if conditional else "",
        source=CheckinSource.OFFLINE if observed_at is not None else CheckinSource.ONLINE,
        observed_at=when,
        recorded_by=acting_user if isinstance(acting_user, User) else None,
    )
    try:
        # The insert comes first in its transaction and needs no savepoint: when the
        # database refuses the row, the whole transaction rolls back with nothing written
        # and the refusal is looked into below, in a new one.
        with transaction.atomic():
            checkin.save(force_insert=True)
            _record_check_in(checkin, acting_user)
        return CheckinResult(checkin, created=True)
    except IntegrityError:
        pass
    if client_id is not None:
        stored = SpecialCheckin.objects.filter(uuid=client_id).select_related(*_SHOWN).first()
        if stored is not None:  # the same device's resend won a race
            return _resend(stored, person_code, station, observed_at)
    existing = (
        SpecialCheckin.objects.select_related("station", "center", "election")
        .filter(election=election, person_code=person_code, state=CheckinState.COUNTED)
        .first()
    )
    if existing is not None and checkin.source == CheckinSource.ONLINE:
        raise AlreadyVoted(describe_existing(existing), existing=existing)
    # Undone between our insert and the read above (try once more), or an offline record
    # of a person who voted meanwhile (kept as a conflict beside the counted vote).
    checkin.pk = None
    if existing is not None:
        checkin.state = CheckinState.CONFLICT
        checkin.conflict_with = existing
    with transaction.atomic():
        checkin.save(force_insert=True)
        _record_check_in(checkin, acting_user)
    return CheckinResult(checkin, created=True)


def _record_check_in(checkin: SpecialCheckin, acting_user: AnyUser) -> None:
    """The check-in's audit entry and live event, in its transaction."""
    record(
        "specialvote.check_in",
        acting_user=acting_user,
        object_type="special_checkin",
        object_id=str(checkin.uuid),
        after=_audit_values(checkin),
        critical=True,
    )
    _emit_tally(checkin)


def _resend(
    stored: SpecialCheckin, person_code: str, station: str, observed_at: datetime | None
) -> CheckinResult:
    if not _same_content(stored, person_code, station, observed_at):
        raise Conflict(
            _("This check-in id was already used for another check-in."), code="idempotency_clash"
        )
    return CheckinResult(stored, created=False)


def do_undo_checkin(
    checkin: SpecialCheckin, *, reason: str, acting_user: AnyUser
) -> SpecialCheckin:
    """A supervisor takes a counted check-in back (a clerk's mistake), with the reason.

    Conditional on the check-in still being counted, so two supervisors undoing at once
    write one undo; the person may then be checked in again. Hash-chained audit (critical).
    """
    reason = " ".join(reason.split())[:REASON_MAX_LENGTH]
    if not reason:
        raise InvalidInput([Problem("reason", None, "special_reason_required", {})])
    with transaction.atomic():
        now = clock.now()
        user = acting_user if isinstance(acting_user, User) else None
        updated = SpecialCheckin.objects.filter(pk=checkin.pk, state=CheckinState.COUNTED).update(
            state=CheckinState.UNDONE, undone_at=now, undone_by=user, undo_reason=reason
        )
        if not updated:
            raise Conflict(_("Only a counted check-in can be undone."))
        checkin.refresh_from_db()
        was = SpecialCheckin(
            election_id=checkin.election_id,
            center=checkin.center,
            kind=checkin.kind,
            state=CheckinState.COUNTED,
        )
        record(
            "specialvote.undo_checkin",
            acting_user=acting_user,
            object_type="special_checkin",
            object_id=str(checkin.uuid),
            before={"state": CheckinState.COUNTED},
            after={"state": checkin.state, "reason": reason, "person": checkin.person_code},
            critical=True,
        )
        _emit_tally(was, step=-1)
    return checkin


def search_key_of(text: str) -> str:
    """What voter look-ups match against (the loader stores the same key)."""
    return normalize(text)


def do_resolve_conflict(
    conflict: SpecialCheckin, *, keep_offline: bool, reason: str, acting_user: AnyUser
) -> SpecialCheckin:
    """The committee decides a double-vote conflict, with the reason (hash-chained audit).

    `keep_offline`: the offline record was the person's real vote (it is counted and the
    other check-in becomes `undone`); otherwise the offline record is `dismissed` and the
    counted vote stays. Both rows move by conditional updates, the counted one first, so
    the one-counted-vote rule holds at every instant and a concurrent decision, undo or
    resolution makes this one fail (`Conflict`) instead of counting two votes.
    """
    reason = " ".join(reason.split())[:REASON_MAX_LENGTH]
    if not reason:
        raise InvalidInput([Problem("reason", None, "special_reason_required", {})])
    user = acting_user if isinstance(acting_user, User) else None
    with transaction.atomic():
        now = clock.now()
        counted = conflict.conflict_with
        resolved = {"resolved_at": now, "resolved_by": user, "resolution": reason}
        if keep_offline:
            replaced = counted is not None and SpecialCheckin.objects.filter(
                pk=counted.pk, state=CheckinState.COUNTED
            ).update(
                state=CheckinState.UNDONE,
                undone_at=now,
                undone_by=user,
                undo_reason=reason,
                **resolved,
            )
            if not replaced:
                raise Conflict(_("The counted check-in changed meanwhile; reload."))
            to_state = CheckinState.COUNTED
        else:
            to_state = CheckinState.DISMISSED
        if not SpecialCheckin.objects.filter(pk=conflict.pk, state=CheckinState.CONFLICT).update(
            state=to_state, **resolved
        ):
            raise Conflict(_("This conflict was already decided."))
        conflict.refresh_from_db()
        record(
            "specialvote.resolve_conflict",
            acting_user=acting_user,
            object_type="special_checkin",
            object_id=str(conflict.uuid),
            before={"state": CheckinState.CONFLICT},
            after={
                "state": conflict.state,
                "reason": reason,
                "person": conflict.person_code,
                "other": str(counted.uuid) if counted else None,
            },
            critical=True,
        )
        was_conflict = SpecialCheckin(
            election_id=conflict.election_id,
            center=conflict.center,
            kind=conflict.kind,
            state=CheckinState.CONFLICT,
        )
        _emit_tally(was_conflict, step=-1)
        if keep_offline and counted is not None:
            _emit_tally(conflict)
            _emit_tally(
                SpecialCheckin(
                    election_id=counted.election_id,
                    center=counted.center,
                    kind=counted.kind,
                    state=CheckinState.COUNTED,
                ),
                step=-1,
            )
    return conflict
