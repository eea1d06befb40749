"""Reads of the special vote: voter look-up and live tallies per special center.

Nothing here checks permissions: callers pass an election the user may see
(`access.special_vote_election`). Each function runs a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from pollguard.core.arabic import normalize
from pollguard.registry.models import Center, Election, Person, SpecialVoter
from pollguard.specialvote.actions import SPECIAL_KINDS
from pollguard.specialvote.choices import BallotKind, CheckinState
from pollguard.specialvote.models import SpecialCheckin

LOOKUP_LIMIT = 20


@dataclass(frozen=True)
class Voted:
    station: str
    center: str
    at: datetime


@dataclass(frozen=True)
class VoterMatch:
    voter: str
    name_ar: str
    special_center: str | None
    unit: str | None
    registered: bool
    voted: Voted | None


def lookup_voters(election: Election, query: str) -> list[VoterMatch]:
    """People matching an id or a name: the register first, then roster people not on it
    (who may cast a conditional ballot). Four queries."""
    key = normalize(query)
    if not key:
        return []
    on_register = list(
        SpecialVoter.objects.filter(election=election, active=True)
        .filter(Q(code=query.strip()) | Q(search_name__contains=key))
        .select_related("special_center", "unit")
        .order_by("code")[:LOOKUP_LIMIT]
    )
    found = {v.code for v in on_register}
    roster = [
        p
        for p in Person.objects.filter(election=election, active=True)
        .filter(Q(code=query.strip()) | Q(search_name__contains=key))
        .select_related("unit")
        .order_by("code")[: LOOKUP_LIMIT * 2]
        if p.code not in found
    ]
    registered_codes = set(
        SpecialVoter.objects.filter(
            election=election, active=True, code__in=[p.code for p in roster]
        ).values_list("code", flat=True)
    )
    roster = [p for p in roster if p.code not in registered_codes][
        : LOOKUP_LIMIT - len(on_register)
    ]
    codes = [v.code for v in on_register] + [p.code for p in roster]
    voted = {
        c.person_code: Voted(c.station.code, c.center.code, c.observed_at)
        for c in SpecialCheckin.objects.filter(
            election=election, person_code__in=codes, state=CheckinState.COUNTED
        ).select_related("station", "center")
    }
    matches = [
        VoterMatch(
            v.code,
            v.name_ar,
            v.special_center.code,
            v.unit.code if v.unit else None,
            True,
            voted.get(v.code),
        )
        for v in on_register
    ]
    matches += [
        VoterMatch(p.code, p.name_ar, None, p.unit.code, False, voted.get(p.code)) for p in roster
    ]
    return matches


@dataclass(frozen=True)
class Tally:
    center: Center
    registered: int
    voted: int
    conditional: int
    conflicts: int

    @property
    def turnout(self) -> float:
        return self.voted / self.registered if self.registered else 0.0


def tallies(election: Election) -> list[Tally]:
    """Per special center: register size, counted ballots, conditional ones, conflicts."""
    centers = list(
        Center.objects.filter(election=election, active=True, kind__in=SPECIAL_KINDS)
        .annotate(
            registered=Count("special_voters", filter=Q(special_voters__active=True), distinct=True)
        )
        .order_by("code")
    )
    counts = {
        row["center_id"]: row
        for row in SpecialCheckin.objects.filter(election=election)
        .values("center_id")
        .annotate(
            voted=Count("id", filter=Q(state=CheckinState.COUNTED, kind=BallotKind.REGISTER)),
            conditional=Count(
                "id", filter=Q(state=CheckinState.COUNTED, kind=BallotKind.CONDITIONAL)
            ),
            conflicts=Count("id", filter=Q(state=CheckinState.CONFLICT)),
        )
    }
    empty = {"voted": 0, "conditional": 0, "conflicts": 0}
    return [
        Tally(
            c,
            int(getattr(c, "registered", 0)),
            int(counts.get(c.pk, empty)["voted"]),
            int(counts.get(c.pk, empty)["conditional"]),
            int(counts.get(c.pk, empty)["conflicts"]),
        )
        for c in centers
    ]
