"""Response times: report → verified → dispatched → on scene → cleared.

Per incident from its own timestamps and its assignments' (the first unit's dispatch and
arrival, the last unit's clearing); per sector and per agency as medians over the
incidents (sector) or assignments (agency) that reached each step.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from statistics import median

from django.db.models import QuerySet

from pollguard.operations.models import Assignment, Incident

STEPS = ("to_verify", "to_dispatch", "to_scene", "to_clear")


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 60.0, 1)


@dataclass(frozen=True)
class ResponseTimes:
    """Minutes of each step; None for a step not reached."""

    to_verify: float | None
    to_dispatch: float | None
    to_scene: float | None
    to_clear: float | None

    def as_dict(self) -> dict[str, float | None]:
        return {step: getattr(self, step) for step in STEPS}


def incident_times(incident: Incident, assignments: list[Assignment]) -> ResponseTimes:
    dispatched = min((a.dispatched_at for a in assignments), default=None)
    on_scene = min((a.on_scene_at for a in assignments if a.on_scene_at), default=None)
    cleared_all = assignments and all(a.cleared_at for a in assignments)
    cleared = max((a.cleared_at for a in assignments if a.cleared_at), default=None)
    return ResponseTimes(
        to_verify=_minutes(incident.received_at, incident.verified_at),
        to_dispatch=_minutes(incident.verified_at, dispatched),
        to_scene=_minutes(dispatched, on_scene),
        to_clear=_minutes(on_scene, cleared if cleared_all else None),
    )


def _medians(samples: dict[str, dict[str, list[float]]]) -> dict[str, dict[str, float | None]]:
    return {
        key: {step: (median(values[step]) if values[step] else None) for step in STEPS}
        for key, values in sorted(samples.items())
    }


def summary(incidents: QuerySet[Incident]) -> dict[str, dict[str, dict[str, float | None]]]:
    """`{"sector": {code: {step: median}}, "agency": {code: {step: median}}}` in minutes."""
    rows = list(incidents.select_related("sector"))
    by_incident: dict[int, list[Assignment]] = defaultdict(list)
    for a in Assignment.objects.filter(incident__in=[i.pk for i in rows]).select_related(
        "unit__agency"
    ):
        by_incident[a.incident_id].append(a)
    sectors: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    agencies: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for incident in rows:
        times = incident_times(incident, by_incident[incident.pk]).as_dict()
        key = incident.sector.code if incident.sector is not None else "-"
        for step, value in times.items():
            if value is not None:
                sectors[key][step].append(value)
        for a in by_incident[incident.pk]:
            unit_times = incident_times(incident, [a]).as_dict()
            for step, value in unit_times.items():
                if value is not None and step != "to_verify":
                    agencies[a.unit.agency.code][step].append(value)
    return {"sector": _medians(sectors), "agency": _medians(agencies)}
