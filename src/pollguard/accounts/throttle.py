"""Sign-in throttling on top of django-axes: who is asking, from where, and one at a time.

django-axes counts failed sign-ins and refuses locked-out accounts and addresses
(`AXES_LOCKOUT_PARAMETERS`: an account at the address its failures come from, and an
address for every account; an account is never locked for everyone, or an outsider could
lock the chair out of every machine).
Its check ("is this locked?") and its count ("one more failure") are two steps, so parallel
guesses would all pass the check before the first failure is counted. `login_gate` closes
that race: attempts that share a username or an address run check, password and count
one after the other.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Sum
from django.http import HttpRequest
from django.utils import timezone


def client_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR only.

    Behind our proxy the server (waitress with its trusted-proxy setting) already puts the
    real client there; X-Forwarded-For is never read here, since a client can write it.
    """
    return str(request.META.get("REMOTE_ADDR", "")) or None


def normalize_username(username: str | None) -> str:
    """Counted case-insensitively, so "Chair" and "chair" share one failure budget."""
    return (username or "").strip().lower()[:150]


def axes_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """`AXES_USERNAME_CALLABLE`: the normalized username of an attempt."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = request.POST.get("username")
    return normalize_username(raw)


@contextmanager
def login_gate(username: str, address: str | None) -> Iterator[None]:
    """Run one sign-in attempt alone among those sharing its username or its address.

    PostgreSQL: transaction-level advisory locks on both keys, taken in sorted order so two
    attempts can never wait on each other. SQLite: the transaction begins IMMEDIATE (see the
    database settings), which holds the database's write lock until the attempt is counted.
    The failure, its axes records and its audit entry commit together with the check.
    """
    keys = sorted({f"user:{normalize_username(username)}", f"address:{address or ''}"})
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for key in keys:
                    cursor.execute(
                        "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                        [f"pollguard.login:{key}"],
                    )
        yield


def lockout_ends(username: str, address: str | None) -> datetime | None:
    """When the lockout of this username at this address, or of this address, lifts; None if
    neither is locked."""
    from axes.models import AccessAttempt

    cool_off = timedelta(minutes=settings.POLLGUARD_LOGIN_LOCKOUT_MINUTES)
    since = timezone.now() - cool_off
    limit = settings.AXES_FAILURE_LIMIT
    ends: list[datetime] = []
    for rows in (
        AccessAttempt.objects.filter(username=normalize_username(username), ip_address=address),
        AccessAttempt.objects.filter(ip_address=address),
    ):
        figures = rows.filter(attempt_time__gte=since).aggregate(
            failures=Sum("failures_since_start"), last=Max("attempt_time")
        )
        if (figures["failures"] or 0) >= limit and figures["last"] is not None:
            ends.append(figures["last"] + cool_off)
    return max(ends) if ends else None


def minutes_until(moment: datetime | None) -> int:
    """Whole minutes to wait, rounded up (at least one)."""
    if moment is None:
        return settings.POLLGUARD_LOGIN_LOCKOUT_MINUTES
    return max(1, math.ceil((moment - timezone.now()).total_seconds() / 60))
