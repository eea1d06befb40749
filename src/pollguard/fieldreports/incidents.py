"""The one door from field reports to incidents.

An incident reported by SMS or Telegram, already parsed and validated, is filed as an
incident of the operations room (`operations.actions.do_file_incident`) at the station's
center, by the field reporter the phone belongs to, with the channel as its source. The
inbound message's own id is the idempotency key, so reprocessing one message can never file
its incident twice. Nothing else in field reports knows about incidents.
"""

from __future__ import annotations

from pollguard.core.fieldgrammar import Parsed
from pollguard.fieldreports.choices import Channel
from pollguard.fieldreports.models import InboundMessage, ReporterPhone
from pollguard.operations.actions import IncidentDraft, do_file_incident
from pollguard.operations.choices import IncidentKind, SourceChannel
from pollguard.operations.models import Incident
from pollguard.registry.models import Station

# The SMS grammar's kinds (core.fieldgrammar.INCIDENT_KINDS) as incident kinds.
KIND_OF: dict[str, IncidentKind] = {
    "shooting": IncidentKind.SHOOTING,
    "explosion": IncidentKind.EXPLOSION,
    "fraud": IncidentKind.FRAUD,
    "crowd": IncidentKind.CROWD,
    "obstruction": IncidentKind.INTIMIDATION,  # voters or staff kept from the station
    "other": IncidentKind.OTHER,
}
SOURCE_OF: dict[str, SourceChannel] = {
    Channel.SMS: SourceChannel.SMS,
    Channel.TELEGRAM: SourceChannel.TELEGRAM,
}


def file_incident(
    parsed: Parsed, reporter: ReporterPhone, message: InboundMessage, station: Station
) -> Incident:
    """File the incident at the station's center; runs inside the caller's transaction."""
    text = f"{station.code}: {parsed.comment}" if parsed.comment else station.code
    incident, _created = do_file_incident(
        station.election,
        IncidentDraft(
            kind=KIND_OF.get(parsed.incident_kind, IncidentKind.OTHER),
            severity=parsed.severity,
            text=text[:2000],
            observed_at=message.received_at,
            center=station.center,
            source=SOURCE_OF.get(message.channel, SourceChannel.SMS),
        ),
        acting_user=reporter.user,
        idempotency_key=f"inbound:{message.uuid}",
    )
    return incident
