"""The map's data endpoint: compressed, because 10,000 centers are 1.5 MB of JSON."""

from __future__ import annotations

import gzip
import json
from typing import Any

from django.urls import reverse


def test_the_map_data_is_gzipped_when_the_browser_accepts_it(client_for: Any) -> None:
    client = client_for("ops")
    plain = client.get(reverse("registry:map_data"))
    packed = client.get(reverse("registry:map_data"), HTTP_ACCEPT_ENCODING="gzip")
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(packed.content)) == plain.json()


def test_pages_with_csrf_tokens_are_not_compressed(client_for: Any) -> None:
    response = client_for("ops").get(reverse("registry:centers"), HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert "Content-Encoding" not in response
