"""Inbound SMS and Telegram messages: store once, then process (docs/field-reports.md).

`do_store_message` runs first, in its own transaction, and is all a webhook needs to answer
2xx: a provider's retry finds the stored row (unique on channel + provider id; without a
provider id, on a sender + text fingerprint inside `POLLGUARD_FIELD_DEDUPE_MINUTES`, made
a unique key by its time bucket). `do_process_message` then parses and applies it; if it
fails, the message stays stored with a triage row, and the provider still gets its 2xx.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import uuid as uuidlib
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pollguard.audit.actions import record
from pollguard.core.arabic import normalize
from pollguard.core.fieldgrammar import ParseError, parse
from pollguard.fieldreports.actions import (
    CheckinRefused,
    CheckinReport,
    IdempotencyClash,
    add_triage,
    do_record_checkin,
)
from pollguard.fieldreports.choices import Channel, MessageOutcome, TriageKind
from pollguard.fieldreports.incidents import file_incident
from pollguard.fieldreports.models import InboundMessage, OutboundReply, ReporterPhone
from pollguard.fieldreports.tasks import queue_reply
from pollguard.registry.access import stations_for

log = logging.getLogger(__name__)
_ARABIC = re.compile(r"[\u0600-\u06FF]")


def fingerprint(channel: str, sender: str, text: str) -> str:
    return hashlib.sha256(f"{channel}\n{sender}\n{normalize(text)}".encode()).hexdigest()


def do_store_message(
    channel: Channel,
    *,
    gateway: str,
    provider_id: str,
    sender: str,
    text: str,
    raw: dict[str, Any],
    now: datetime | None = None,
) -> tuple[InboundMessage, bool]:
    """Store a message once; returns it and whether it is new (a retry returns the first)."""
    now = now or timezone.now()
    mark = fingerprint(channel, sender, text)
    key = provider_id
    if not key:
        window = timedelta(minutes=settings.POLLGUARD_FIELD_DEDUPE_MINUTES)
        earlier = InboundMessage.objects.filter(
            channel=channel, fingerprint=mark, received_at__gte=now - window
        ).first()
        if earlier is not None:
            return earlier, False
        # The bucket makes two racing retries collide on the unique index.
        bucket = int(now.timestamp() // window.total_seconds())
        key = f"fp:{mark[:40]}:{bucket}"
    try:
        with transaction.atomic():
            message = InboundMessage.objects.create(
                channel=channel,
                gateway=gateway,
                provider_id=key[:128],
                fingerprint=mark,
                sender=sender[:64],
                text=text[:4000],
                received_at=now,
                raw=raw,
            )
            record(
                "fieldreports.store_message",
                acting_user=None,
                actor_name=f"{channel}:{sender}"[:150],
                object_type="message",
                object_id=str(message.uuid),
                after={"gateway": gateway, "provider_id": key},
            )
    except IntegrityError:
        found = InboundMessage.objects.filter(channel=channel, provider_id=key[:128]).first()
        if found is None:
            raise
        return found, False
    return message, True


def _language(phone: ReporterPhone | None, text: str) -> str:
    if phone is not None:
        return phone.language
    return "ar" if _ARABIC.search(text) else "en"


def process_safely(message: InboundMessage) -> str:
    """Process a stored message; a failure leaves it stored with a triage row. Returns the reply."""
    try:
        return do_process_message(message)
    except Exception:
        log.exception("processing message %s failed", message.uuid)
        with transaction.atomic():
            InboundMessage.objects.filter(pk=message.pk).update(outcome=MessageOutcome.TRIAGE)
            add_triage(
                TriageKind.PROCESSING, message.text or "-", election_id=None, message_id=message.pk
            )
        return ""


def do_process_message(message: InboundMessage) -> str:
    """Parse and apply one stored message once; returns the reply text (also queued)."""
    with transaction.atomic():
        locked = InboundMessage.objects.select_for_update().get(pk=message.pk)
        if locked.outcome != MessageOutcome.PENDING:
            reply = locked.replies.order_by("id").values_list("text", flat=True).first()
            return reply or ""
        phone = _phone_for(locked)
        language = _language(phone, locked.text)
        with translation.override(language):
            outcome, reply, result = _apply(locked, phone)
        locked.outcome = outcome
        locked.reporter = phone
        locked.parse_result = result
        locked.save(update_fields=["outcome", "reporter", "parse_result", "checkin"])
        if reply:
            row = OutboundReply.objects.create(
                message=locked, channel=locked.channel, recipient=locked.sender, text=reply
            )
            transaction.on_commit(functools.partial(queue_reply, row.pk))
    return reply


def _phone_for(message: InboundMessage) -> ReporterPhone | None:
    phones = ReporterPhone.objects.select_related("user")
    if message.channel == Channel.TELEGRAM:
        user_id = message.raw.get("message", {}).get("from", {}).get("id")
        return phones.filter(telegram_user=user_id).first() if isinstance(user_id, int) else None
    return phones.filter(phone=message.sender).first()


def _fail(phone: ReporterPhone) -> bool:
    """Count a failure; True when it locked the sender."""
    ReporterPhone.objects.filter(pk=phone.pk).update(failures=F("failures") + 1)
    return bool(
        ReporterPhone.objects.filter(
            pk=phone.pk, failures__gte=settings.POLLGUARD_FIELD_MAX_FAILURES, locked_at__isnull=True
        ).update(locked_at=timezone.now())
    )


def _apply(
    message: InboundMessage, phone: ReporterPhone | None
) -> tuple[MessageOutcome, str, dict[str, Any]]:
    if phone is None:
        add_triage(
            TriageKind.UNKNOWN_SENDER,
            f"{message.sender}: {message.text}",
            election_id=None,
            message_id=message.pk,
        )
        return MessageOutcome.TRIAGE, _("This number is not registered for field reports."), {}
    if phone.locked_at is not None:
        add_triage(
            TriageKind.LOCKED,
            f"{message.sender}: {message.text}",
            election_id=None,
            message_id=message.pk,
        )
        return (
            MessageOutcome.LOCKED,
            _("This number is locked after repeated errors; call the operations room."),
            {},
        )
    parsed = parse(message.text)
    if isinstance(parsed, ParseError):
        result = parsed.as_dict()
        text = parsed.message_ar if translation.get_language() == "ar" else parsed.message_en
        add_triage(
            TriageKind.UNPARSEABLE,
            f"{message.sender}: {message.text}",
            election_id=None,
            message_id=message.pk,
        )
        if _fail(phone):
            locked = _("This number is now locked; call the operations room.")
            text = f"{text} {locked}"
        return MessageOutcome.TRIAGE, text, result
    result = parsed.as_dict()
    station = stations_for(phone.user).filter(code=parsed.station).first()
    if station is None:
        _fail(phone)
        add_triage(
            TriageKind.REJECTED,
            f"{message.sender}: {message.text}",
            election_id=None,
            message_id=message.pk,
        )
        return (
            MessageOutcome.REJECTED,
            _("Station %(code)s is not one of your center's.") % {"code": parsed.station},
            result,
        )
    if parsed.kind == "incident":
        incident = file_incident(parsed, phone, message, station)
        ReporterPhone.objects.filter(pk=phone.pk).update(failures=0)
        return (
            MessageOutcome.INCIDENT,
            _("Incident %(code)s at %(station)s received: %(kind)s, severity %(severity)s.")
            % {
                "code": incident.code,
                "station": station.code,
                "kind": incident.get_kind_display(),
                "severity": parsed.severity,
            },
            {**result, "incident": incident.code},
        )
    observed = _observed_at(message)
    report = CheckinReport(
        uuidlib.uuid5(message.uuid, "checkin"), parsed.slot, parsed.status, parsed.voters, observed
    )
    try:
        checkin, _created = do_record_checkin(
            station,
            report,
            channel=Channel(message.channel),
            reporter_key=f"phone:{phone.pk}",
            acting_user=phone.user,
            now=message.received_at,
        )
    except (CheckinRefused, IdempotencyClash) as refused:
        _fail(phone)
        add_triage(
            TriageKind.REJECTED,
            f"{message.sender}: {message.text} ({refused})",
            election_id=station.election_id,
            message_id=message.pk,
            station=station,
        )
        return MessageOutcome.REJECTED, str(refused), {**result, "refused": str(refused)}
    message.checkin = checkin
    ReporterPhone.objects.filter(pk=phone.pk).update(failures=0)
    voters = (
        _(", %(voters)s voters") % {"voters": parsed.voters} if parsed.voters is not None else ""
    )
    return (
        MessageOutcome.CHECKIN,
        _("Received: %(station)s %(slot)s %(status)s%(voters)s.")
        % {
            "station": station.code,
            "slot": checkin.get_slot_display(),
            "status": checkin.get_status_display(),
            "voters": voters,
        },
        result,
    )


def _observed_at(message: InboundMessage) -> datetime:
    """Telegram dates its messages; an SMS has only the time it reached us."""
    date = (
        message.raw.get("message", {}).get("date") if message.channel == Channel.TELEGRAM else None
    )
    if isinstance(date, int):
        return datetime.fromtimestamp(date, tz=UTC)
    return message.received_at
