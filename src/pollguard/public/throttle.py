"""The public page's rate limit per client address, counted in the cache.

A fixed window per address (`POLLGUARD_PUBLIC_RATE_LIMIT` requests per
`POLLGUARD_PUBLIC_RATE_WINDOW` seconds); the address is the one the rest of the app uses
(`accounts.throttle.client_address`: REMOTE_ADDR, which `pollguard serve` sets from the
trusted proxy's X-Forwarded-For and never from a client's header). The default is generous
on purpose: a mobile operator's carrier-grade NAT puts many citizens behind one address.
The counts are shared by every server process (`pollguard.common.counters`: Redis when
`POLLGUARD_CACHE_URL` is set, else a small SQLite file in the data folder).
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.http import HttpRequest

from pollguard.accounts.throttle import client_address
from pollguard.common import counters


def retry_after(request: HttpRequest) -> int | None:
    """Count this request; None if it may be answered, else the seconds until it may."""
    limit: int = settings.POLLGUARD_PUBLIC_RATE_LIMIT
    window: int = settings.POLLGUARD_PUBLIC_RATE_WINDOW
    now = time.time()
    slot = int(now // window)
    key = f"pollguard.public.rate:{client_address(request) or '-'}:{slot}"
    count = counters.incr(key, ttl=window + 1)  # atomic, and the same in every process
    if count <= limit:
        return None
    return max(1, math.ceil((slot + 1) * window - now))
