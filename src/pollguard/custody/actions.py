"""Every write of the chain of custody: depots, items, hand-overs.

A hand-over moves its item one step along warehouse → center → station → counting center
(`pollguard.core.custody`), from the holder the item is at, by a conditional update: the
second of two hand-overs of the same box from the same holder finds the box gone (409).
The receiver re-enters the seals; a broken or changed seal opens a custody exception
(`custody.exceptions.open_custody_exception`) in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from pollguard.accounts.access import AnyUser
from pollguard.audit.actions import record
from pollguard.common.errors import Conflict
from pollguard.core.arabic import normalize
from pollguard.core.custody import SealCondition, Stage, check_seals, next_stage_ok, parse_seals
from pollguard.core.problems import InvalidInput, Problem, register_messages
from pollguard.custody.choices import (
    DepotKind,
    ExceptionKind,
    ExceptionState,
    HolderStage,
    ItemKind,
)
from pollguard.custody.exceptions import open_custody_exception
from pollguard.custody.models import CustodyException, Depot, Handover, Item
from pollguard.registry.choices import CenterKind
from pollguard.registry.models import Center, Election, Station, Unit

TEXT_MAX = 200
# Legs that leave a building: the box travels by road and needs a vehicle and an escort.
TRANSPORT_LEGS = frozenset({(Stage.WAREHOUSE, Stage.CENTER), (Stage.STATION, Stage.COUNTING)})

register_messages(
    {
        "custody_holder_unknown": (
            "no warehouse, center, station or counting center {code}",
            "لا يوجد مخزن أو مركز أو محطة أو مركز عد باسم {code}",
        ),
        "custody_skips_holder": (
            "a hand-over goes one step along warehouse → center → station → counting "
            "center; {frm} → {to} skips a holder or goes back",
            "التسليم خطوة واحدة على السلسلة مخزن ← مركز ← محطة ← مركز عد؛ {frm} ← {to} "
            "يتخطى حائزاً أو يعود إلى الخلف",
        ),
        "custody_wrong_destination": (
            "item {item} is meant for station {station} (center {center}), not {to}",
            "المادة {item} مخصصة للمحطة {station} (المركز {center}) وليس {to}",
        ),
        "custody_witness_is_party": (
            "the witness must be someone other than the giver and the receiver",
            "يجب أن يكون الشاهد شخصاً غير المسلِّم والمستلِم",
        ),
        "custody_text_required": ("this is required", "هذا الحقل مطلوب"),
        "custody_transport_needs": (
            "this leg is a road transport: give the vehicle and the escort unit",
            "هذه المرحلة نقل على الطريق: أدخل المركبة ووحدة المرافقة",
        ),
        "custody_escort_unknown": ("no unit {code}", "لا توجد وحدة {code}"),
        "custody_received_before_release": (
            "received before it was released",
            "الاستلام قبل التسليم",
        ),
        "custody_station_unknown": ("no station {code}", "لا توجد محطة {code}"),
        "custody_depot_unknown": ("no warehouse {code}", "لا يوجد مخزن {code}"),
        "custody_item_exists": ("item {code} exists already", "المادة {code} موجودة مسبقاً"),
        "custody_ballot_range": (
            "the ballot serial range is empty or reversed",
            "مدى أرقام أوراق الاقتراع فارغ أو معكوس",
        ),
        "custody_seal_not_declared": (
            "seal {value} is declared broken but was not entered",
            "الختم {value} أُعلن مكسوراً لكنه لم يُدخل",
        ),
    }
)


@dataclass(frozen=True)
class Holder:
    stage: Stage
    code: str
    center_code: str = ""  # for a station, its center


def resolve_holder(election: Election, code: str) -> Holder | None:
    """A depot, a general polling center or a station of one, by code."""
    code = code.strip()
    depot = Depot.objects.filter(election=election, code=code).first()
    if depot is not None:
        stage = Stage.WAREHOUSE if depot.kind == DepotKind.WAREHOUSE else Stage.COUNTING
        return Holder(stage, depot.code)
    if Center.objects.filter(election=election, code=code, kind=CenterKind.GENERAL).exists():
        return Holder(Stage.CENTER, code)
    station = (
        Station.objects.filter(election=election, code=code, center__kind=CenterKind.GENERAL)
        .select_related("center")
        .first()
    )
    if station is not None:
        return Holder(Stage.STATION, station.code, station.center.code)
    return None


def _text(value: str) -> str:
    return " ".join(value.split())[:TEXT_MAX]


def do_add_depot(
    election: Election,
    *,
    code: str,
    kind: DepotKind,
    name_en: str = "",
    name_ar: str = "",
    acting_user: AnyUser,
) -> Depot:
    with transaction.atomic():
        depot, created = Depot.objects.update_or_create(
            election=election,
            code=code.strip(),
            defaults={"kind": kind, "name_en": _text(name_en), "name_ar": _text(name_ar)},
        )
        record(
            "custody.add_depot",
            acting_user=acting_user,
            object_type="depot",
            object_id=depot.code,
            after={"kind": kind, "created": created},
        )
    return depot


@dataclass
class ItemDraft:
    code: str
    kind: ItemKind
    station: str
    warehouse: str
    seals: list[str] = field(default_factory=list)
    ballots_from: int | None = None
    ballots_to: int | None = None


def do_register_item(election: Election, draft: ItemDraft, *, acting_user: AnyUser) -> Item:
    """A new item at its warehouse, with the seals it leaves with (normalized)."""
    problems: list[Problem] = []
    seals, seal_problems = parse_seals(draft.seals)
    problems += seal_problems
    station = Station.objects.filter(
        election=election, code=draft.station.strip(), center__kind=CenterKind.GENERAL
    ).first()
    if station is None:
        problems.append(
            Problem("station", None, "custody_station_unknown", {"code": draft.station})
        )
    depot = Depot.objects.filter(
        election=election, code=draft.warehouse.strip(), kind=DepotKind.WAREHOUSE
    ).first()
    if depot is None:
        problems.append(
            Problem("warehouse", None, "custody_depot_unknown", {"code": draft.warehouse})
        )
    if (draft.ballots_from is None) != (draft.ballots_to is None) or (
        draft.ballots_from is not None
        and draft.ballots_to is not None
        and draft.ballots_to < draft.ballots_from
    ):
        problems.append(Problem("ballots_to", None, "custody_ballot_range", {}))
    code = draft.code.strip()
    if not code:
        problems.append(Problem("code", None, "custody_text_required", {}))
    if problems:
        raise InvalidInput(problems)
    assert station is not None
    assert depot is not None
    try:
        with transaction.atomic():
            item = Item.objects.create(
                election=election,
                code=code,
                kind=draft.kind,
                station=station,
                seals=seals,
                ballots_from=draft.ballots_from,
                ballots_to=draft.ballots_to,
                holder_stage=HolderStage.WAREHOUSE,
                holder_code=depot.code,
            )
            record(
                "custody.register_item",
                acting_user=acting_user,
                object_type="custody_item",
                object_id=item.code,
                after={
                    "kind": item.kind,
                    "station": station.code,
                    "seals": seals,
                    "warehouse": depot.code,
                },
                critical=True,
            )
    except IntegrityError:
        raise InvalidInput([Problem("code", None, "custody_item_exists", {"code": code})]) from None
    return item


@dataclass
class HandoverDraft:
    item: str
    frm: str
    to: str
    witness: str
    seals: list[str]
    broken: list[str] = field(default_factory=list)
    given_by: str = ""
    received_by: str = ""
    released_at: datetime | None = None
    received_at: datetime | None = None
    place: str = ""
    vehicle: str = ""
    escort: str = ""


@dataclass(frozen=True)
class HandoverResult:
    handover: Handover
    exception: CustodyException | None


def do_record_handover(item: Item, draft: HandoverDraft, *, acting_user: AnyUser) -> HandoverResult:
    """The receiver records taking `item` from its holder, with the seals as found.

    Bad input (an unknown holder, a skipped holder, the wrong destination, a witness who
    is a party, a malformed seal, a missing vehicle or escort on a road leg) is
    `InvalidInput` naming each field; nothing is written. A hand-over from a holder who no
    longer holds the item is `Conflict`.
    """
    election = item.election
    problems: list[Problem] = []
    giver = resolve_holder(election, draft.frm)
    receiver = resolve_holder(election, draft.to)
    if giver is None:
        problems.append(Problem("from", None, "custody_holder_unknown", {"code": draft.frm}))
    if receiver is None:
        problems.append(Problem("to", None, "custody_holder_unknown", {"code": draft.to}))
    if giver is not None and receiver is not None:
        if not next_stage_ok(giver.stage, receiver.stage):
            problems.append(
                Problem(
                    "to", None, "custody_skips_holder", {"frm": giver.code, "to": receiver.code}
                )
            )
        else:
            station = item.station
            wrong = (receiver.stage == Stage.CENTER and receiver.code != station.center.code) or (
                receiver.stage == Stage.STATION and receiver.code != station.code
            )
            if wrong:
                problems.append(
                    Problem(
                        "to",
                        None,
                        "custody_wrong_destination",
                        {
                            "item": item.code,
                            "station": station.code,
                            "center": station.center.code,
                            "to": receiver.code,
                        },
                    )
                )
    witness = _text(draft.witness)
    given_by = _text(draft.given_by)
    received_by = _text(draft.received_by) or (
        acting_user.get_username() if isinstance(acting_user, User) else ""
    )
    if not witness:
        problems.append(Problem("witness", None, "custody_text_required", {}))
    elif normalize(witness) in {
        normalize(given_by),
        normalize(received_by),
        normalize(draft.frm),
        normalize(draft.to),
    }:
        problems.append(Problem("witness", None, "custody_witness_is_party", {}))
    entered, seal_problems = parse_seals(draft.seals)
    problems += seal_problems
    broken, broken_problems = parse_seals(draft.broken, "broken") if draft.broken else ([], [])
    problems += broken_problems
    problems += [
        Problem("broken", None, "custody_seal_not_declared", {"value": s})
        for s in broken
        if s not in entered
    ]
    escort: Unit | None = None
    transport = (
        giver is not None
        and receiver is not None
        and (giver.stage, receiver.stage) in TRANSPORT_LEGS
    )
    if transport:
        if not draft.vehicle.strip():
            problems.append(Problem("vehicle", None, "custody_transport_needs", {}))
        if not draft.escort.strip():
            problems.append(Problem("escort", None, "custody_transport_needs", {}))
    if draft.escort.strip():
        escort = Unit.objects.filter(election=election, code=draft.escort.strip()).first()
        if escort is None:
            problems.append(
                Problem("escort", None, "custody_escort_unknown", {"code": draft.escort})
            )
    now = timezone.now()
    released_at = draft.released_at or now
    received_at = draft.received_at or now
    if received_at < released_at:
        problems.append(Problem("received_at", None, "custody_received_before_release", {}))
    if problems:
        raise InvalidInput(problems)
    assert giver is not None
    assert receiver is not None

    checks = check_seals(item.seals, entered, broken)
    seals = [{"serial": c.serial, "condition": c.condition.value} for c in checks]
    with transaction.atomic():
        moved = Item.objects.filter(
            pk=item.pk, holder_stage=giver.stage, holder_code=giver.code
        ).update(holder_stage=receiver.stage, holder_code=receiver.code, version=F("version") + 1)
        if not moved:
            raise Conflict(
                _("Item %(item)s is not held by %(holder)s.")
                % {"item": item.code, "holder": giver.code}
            )
        handover = Handover.objects.create(
            election=election,
            item=item,
            from_stage=giver.stage,
            from_code=giver.code,
            to_stage=receiver.stage,
            to_code=receiver.code,
            given_by=given_by,
            received_by=received_by,
            witness=witness,
            released_at=released_at,
            received_at=received_at,
            place=_text(draft.place),
            vehicle=_text(draft.vehicle)[:64],
            escort=escort,
            seals=seals,
            seals_ok=all(c.condition is SealCondition.INTACT for c in checks),
            recorded_by=acting_user if isinstance(acting_user, User) else None,
        )
        record(
            "custody.record_handover",
            acting_user=acting_user,
            object_type="custody_item",
            object_id=item.code,
            before={"holder": giver.code},
            after={
                "holder": receiver.code,
                "handover": str(handover.uuid),
                "witness": witness,
                "seals": seals,
            },
            critical=True,
        )
        exception = None
        bad = [s for s in seals if s["condition"] != SealCondition.INTACT]
        if bad:
            kind = (
                ExceptionKind.SEAL_MISMATCH
                if any(s["condition"] == SealCondition.MISMATCH for s in bad)
                else ExceptionKind.SEAL_BROKEN
            )
            exception = open_custody_exception(handover, kind, bad, acting_user=acting_user)
    item.refresh_from_db(fields=["holder_stage", "holder_code", "version"])
    return HandoverResult(handover, exception)


def do_close_custody_exception(
    exception: CustodyException, *, reason: str, acting_user: AnyUser
) -> CustodyException:
    """The committee settles an exception (e.g. the seal was checked against the minutes),
    saying how; conditional on it being open, hash-chained audit."""
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise InvalidInput([Problem("reason", None, "custody_text_required", {})])
    with transaction.atomic():
        closed = CustodyException.objects.filter(pk=exception.pk, state=ExceptionState.OPEN).update(
            state=ExceptionState.CLOSED,
            closed_at=timezone.now(),
            closed_by=acting_user if isinstance(acting_user, User) else None,
            closing_reason=reason,
        )
        if not closed:
            raise Conflict(_("This exception is closed already."))
        exception.refresh_from_db()
        record(
            "custody.close_exception",
            acting_user=acting_user,
            object_type="custody_exception",
            object_id=str(exception.uuid),
            before={"state": ExceptionState.OPEN},
            after={"state": exception.state, "reason": reason, "item": exception.item.code},
            critical=True,
        )
    return exception
