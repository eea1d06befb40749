"""Escalation deadlines and the incident area: the documented rules (docs/operations.md).

Deadline of the next step (verify a reported incident; send a unit to a verified one),
in minutes from the moment the incident entered its state:

| severity     | minutes | life-threatening kinds |
|--------------|---------|------------------------|
| 4 critical   | 5       | 5                      |
| 3 high       | 10      | 5                      |
| 2 medium     | 20      | 10                     |
| 1 low        | 45      | 10                     |

Life-threatening kinds (shooting, explosion, IED, mortar/rocket, armed group, fire,
medical) take the smaller figure. An overdue incident goes up one level (sector →
operations room → chair) and gets the same interval again at the new level; at the chair
it stays escalated until someone acts. Who must act at each level (the banner on every page
of theirs, `ESCALATION_ROLES`): at sector level the sector's commander and the room, at room
level the room, at chair level the chair and the room. `POLLGUARD_ESCALATION_PERCENT` (a
setting, default 100) scales every figure, e.g. 50 for a drill at double speed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from pollguard.accounts.choices import Role
from pollguard.operations.choices import EscalationLevel, IncidentKind

MINUTES_BY_SEVERITY: dict[int, int] = {4: 5, 3: 10, 2: 20, 1: 45}
LIFE_THREATENING_MINUTES: dict[int, int] = {4: 5, 3: 5, 2: 10, 1: 10}
LIFE_THREATENING = frozenset(
    {
        IncidentKind.SHOOTING,
        IncidentKind.EXPLOSION,
        IncidentKind.IED,
        IncidentKind.MORTAR,
        IncidentKind.ARMED_GROUP,
        IncidentKind.FIRE,
        IncidentKind.MEDICAL,
    }
)

ESCALATION_ROLES: dict[EscalationLevel, tuple[Role, ...]] = {
    EscalationLevel.NONE: (),
    EscalationLevel.SECTOR: (Role.SECTOR_COMMANDER, Role.OPERATIONS),
    EscalationLevel.OPERATIONS: (Role.OPERATIONS,),
    EscalationLevel.CHAIR: (Role.CHAIR, Role.OPERATIONS),
}

# A point farther than this outside the box of the election's centers and units is not in
# the governorate, when the package has no sector outlines (areas.geojson).
AREA_MARGIN_KM = 30.0
# With the package's sector outlines: how far outside them a point may still be reported.
OUTLINE_MARGIN_KM = 3.0
# A field reporter may report at a point (his phone's position) this close to his center.
REPORTER_POINT_RADIUS_KM = 2.0
# Near-duplicate suggestions: within this distance (or the same center), the same kind,
# received within this many minutes of each other, and text at least this similar.
DUPLICATE_RADIUS_KM = 1.0
DUPLICATE_WINDOW_MINUTES = 30
DUPLICATE_TEXT_SIMILARITY = 0.5


def deadline_minutes(severity: int, kind: str) -> float:
    table = LIFE_THREATENING_MINUTES if kind in LIFE_THREATENING else MINUTES_BY_SEVERITY
    return table[severity] * settings.POLLGUARD_ESCALATION_PERCENT / 100


def due_after(start: datetime, severity: int, kind: str) -> datetime:
    return start + timedelta(minutes=deadline_minutes(severity, kind))
