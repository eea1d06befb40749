"""The public page's rate limit per client address, counted in the cache.

A fixed window per address (`POLLGUARD_PUBLIC_RATE_LIMIT` requests per
`POLLGUARD_PUBLIC_RATE_WINDOW` seconds); the address is the one the rest of the app uses
(`accounts.throttle.client_address`: REMOTE_ADDR, which `pollguard serve` sets from the
trusted proxy's X-Forwarded-For and never from a client's header). The default is generous
on purpose: a mobile operator's carrier-grade NAT puts many citizens behind one address.
With several server processes the counts are shared only if the cache is
(`POLLGUARD_CACHE_URL`, docs/deployment.md).
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from pollguard.accounts.throttle import client_address


def retry_after(request: HttpRequest) -> int | None:
    """Count this request; None if it may be answered, else the seconds until it may."""
    limit: int = settings.POLLGUARD_PUBLIC_RATE_LIMIT
    window: int = settings.POLLGUARD_PUBLIC_RATE_WINDOW
    now = time.time()
    slot = int(now // window)
    key = f"pollguard.public.rate:{client_address(request) or '-'}:{slot}"
    # add() then incr(): atomic in every cache backend, so parallel requests each count.
    if cache.add(key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: a new window
            cache.set(key, 1, timeout=window + 1)
            count = 1
    if count <= limit:
        return None
    return max(1, math.ceil((slot + 1) * window - now))
