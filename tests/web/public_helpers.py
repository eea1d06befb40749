"""Shared by the public page's tests: a fresh projection and cache for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from pollguard.common import counters
from pollguard.public import projection


@pytest.fixture(autouse=True)
def fresh_public_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts with no kept projection and an empty cache (rate counts included)."""
    cache.clear()
    counters.clear()
    monkeypatch.setattr(projection, "_current", None)
    yield
    cache.clear()
    counters.clear()
