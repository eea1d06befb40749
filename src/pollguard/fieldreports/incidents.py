"""The one door from field reports to incidents.

The incidents app is not part of this branch yet: until it is wired, an incident reported
by SMS or Telegram (already parsed and validated) is kept as a triage row of kind
"incident" for a person to file by hand. The merge makes this function call the incidents
app's create action instead; nothing else in field reports knows about incidents.
"""

from __future__ import annotations

from pollguard.core.fieldgrammar import Parsed
from pollguard.fieldreports.choices import TriageKind
from pollguard.fieldreports.models import InboundMessage, ReporterPhone, TriageItem
from pollguard.registry.models import Station


def file_incident(
    parsed: Parsed, reporter: ReporterPhone, message: InboundMessage, station: Station
) -> TriageItem:
    """Record the incident for a person to act on; runs inside the caller's transaction."""
    summary = f"{parsed.station} {parsed.incident_kind} ({parsed.severity}/4)"
    if parsed.comment:
        summary = f"{summary}: {parsed.comment}"
    return TriageItem.objects.create(
        election_id=station.election_id,
        kind=TriageKind.INCIDENT,
        message=message,
        station=station,
        summary=summary[:500],
    )
