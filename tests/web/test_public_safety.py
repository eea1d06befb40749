"""No security field ever reaches a public response (design.md section 7, "Public").

The demo election is loaded (its personnel and special register cut short: they are not
read by the public page and make the load slow), the operations day is played a little
(centers opened, delayed, disrupted, closed; a move published; a draft notice kept), and
then every public answer, HTML and JSON, in Arabic and English, for many queries and for
every center page, is searched for everything a citizen must not see: every unit code and
name, every agency name, intelligence and incident texts, the risk values, the sector
commanders, the internal statuses that are not published, and the words of those fields.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from pollguard.accounts.actions import do_provision_user
from pollguard.accounts.choices import Role
from pollguard.core.package import read_package
from pollguard.public.actions import do_create_public_notice
from pollguard.public.choices import NoticeKind
from pollguard.public.projection import PUBLISHED_FIELDS
from pollguard.registry.actions import do_set_center_status
from pollguard.registry.choices import CenterKind, CenterStatus
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import (
    Agency,
    Center,
    Election,
    IntelReport,
    PastIncident,
    Sector,
    Unit,
)

from .public_helpers import fresh_public_cache  # noqa: F401 - autouse fixture

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

DEMO = Path(__file__).resolve().parents[2] / "scenarios" / "dhi-qar-2010"
DRAFT_TEXT = "مسودة سرية لا تنشر"
COMMANDER = "cmd-balda-secret"
QUERIES = [
    "",
    "   ",
    "!!!",
    "@#$%^&*()[]{}<>",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "\u202e\u200f\u0000",
    "ب" * 10_000,
    "x" * 10_000,
    "مدرسه الحكمه",  # C-0001 misspelled
    "مدرسة الحكمة الابتدائية",
    "الناصرية",
    "الرفاعي",
    "سوق الشيوخ",
    "Nasiriyah",
    "Primary School",
    "hikma",
    "C-0001",
    "0001",
    "C-0",
    "RIF-T01",  # a unit code
    "شرطة",
    "police",
    "army",
    "risk",
    "مسلحة",  # a word of an intelligence report
    "Armed group",
    "clash",
]


def _demo_election() -> Election:
    package = read_package(DEMO)
    package = dataclasses.replace(
        package,
        personnel=package.personnel[:50],
        special_register=tuple(v for v in package.special_register[:50]),
    )
    do_load_package(package, acting_user=None)
    return Election.objects.get(code=package.election.code)


def _play_the_day(election: Election) -> None:
    centers = list(
        Center.objects.filter(election=election, kind=CenterKind.GENERAL).order_by("code")[:12]
    )
    plan = [CenterStatus.OPEN] * 6 + [
        CenterStatus.DISRUPTED,
        CenterStatus.DELAYED,
        CenterStatus.CLOSED,
        CenterStatus.DISRUPTED,
        CenterStatus.OPEN,
        CenterStatus.DELAYED,
    ]
    for center, status in zip(centers, plan, strict=True):
        do_set_center_status(
            center, status, acting_user=None, expected_version=center.version, remark="internal"
        )
    first = Center.objects.get(pk=centers[0].pk)
    do_set_center_status(
        first, CenterStatus.DISRUPTED, acting_user=None, expected_version=first.version
    )
    now = timezone.now()
    common: dict[str, Any] = {"valid_from": now - timedelta(hours=1), "valid_until": None}
    do_create_public_notice(
        election,
        kind=NoticeKind.CENTER_MOVED,
        text_ar="نقل المركز إلى المدرسة المجاورة",
        text_en="The center moved to the school next door",
        center=centers[3],
        published=True,
        acting_user=None,
        **common,
    )
    do_create_public_notice(
        election,
        kind=NoticeKind.CALL_TO_VOTE,
        text_ar="شارك في الانتخابات",
        text_en="Go and vote",
        center=None,
        published=True,
        acting_user=None,
        **common,
    )
    do_create_public_notice(
        election,
        kind=NoticeKind.OTHER,
        text_ar=DRAFT_TEXT,
        text_en="Secret draft never published",
        center=None,
        published=False,
        acting_user=None,
        **common,
    )
    do_provision_user(
        COMMANDER,
        password="correct horse battery staple",
        role=Role.SECTOR_COMMANDER,
        acting_user=None,
        sector=Sector.objects.get(election=election, code="BAL"),
    )


def _forbidden(election: Election) -> tuple[list[str], set[float]]:
    """Every string that must never be in a public answer, and the risk values."""
    words: set[str] = set()
    for unit in Unit.objects.filter(election=election):
        words |= {unit.code, unit.name_ar, unit.name_en}
    for agency in Agency.objects.filter(election=election):
        words |= {agency.name_ar, agency.name_en}
    for report in IntelReport.objects.filter(election=election):
        words |= {report.code, *(part.strip() for part in report.text.split("/"))}
    for incident in PastIncident.objects.filter(election=election):
        words |= {incident.code, incident.description}
    words |= {DRAFT_TEXT, "Secret draft never published", "internal", COMMANDER}
    for language in ("en", "ar"):
        with translation.override(language):
            words |= {str(CenterStatus.DISRUPTED.label), str(CenterStatus.DELAYED.label)}
    words |= {
        "risk",
        "Risk",
        "headcount",
        "Headcount",
        "cordon",
        "Cordon",
        "intelligence",
        "Intelligence",
        "incident",
        "Incident",
        "disrupted",
        "delayed",
        "خطورة",
        "استخبار",
        "طوق",
        "حادث",
    }
    risks = {
        float(r)
        for r in Center.objects.filter(election=election, risk_override__isnull=False).values_list(
            "risk_override", flat=True
        )
    }
    return sorted(w for w in words if w and len(w) >= 3), risks


def _numbers(value: Any) -> list[float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [float(value)]
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    return []


def test_no_public_response_carries_a_security_field(settings: Any) -> None:
    settings.POLLGUARD_PUBLIC_RATE_LIMIT = 1_000_000
    election = _demo_election()
    _play_the_day(election)
    words, risks = _forbidden(election)
    assert len(words) > 1000
    assert risks
    client = Client()
    answers: list[tuple[str, str, Any]] = []
    for query in QUERIES:
        for lang in ({}, {"lang": "en"}):
            answers.append(
                (f"page {query[:20]!r} {lang}", query, client.get("/public/", {"q": query, **lang}))
            )
            answers.append(
                (
                    f"page 2 {query[:20]!r}",
                    query,
                    client.get("/public/", {"q": query, "page": 2, **lang}),
                )
            )
            answers.append(
                (
                    f"json {query[:20]!r} {lang}",
                    query,
                    client.get("/public/centers.json", {"q": query, "limit": 100, **lang}),
                )
            )
    codes = list(Center.objects.filter(election=election).values_list("code", flat=True))
    for code in codes:  # special voting centers too: they must be a 404
        answers.append((f"center {code}", "", client.get(f"/public/centers/{code}/")))
    for code in codes[:40]:
        answers.append(
            (f"center {code} en", "", client.get(f"/public/centers/{code}/", {"lang": "en"}))
        )
    offset = 0
    while True:  # the whole list through the JSON pages
        page = client.get("/public/centers.json", {"limit": 100, "offset": offset})
        answers.append((f"json offset {offset}", "", page))
        offset += 100
        if offset >= page.json()["count"]:
            break

    found_moved = found_open = False
    for label, query, response in answers:
        assert response.status_code in (200, 404, 422), label
        assert "Set-Cookie" not in response.headers, label
        assert "csrftoken" not in response.content.decode(), label
        assert response["Cache-Control"].startswith("public, max-age="), label
        body = response.content.decode()
        # The search box shows the citizen's own text back: that is not a leak.
        leaked = [w for w in words if w in body and w not in query]
        assert not leaked, f"{label}: {leaked[:5]}"
        if response["Content-Type"].startswith("application/json"):
            data = json.loads(body)
            for item in data.get("items", []):
                assert tuple(item) == PUBLISHED_FIELDS, label
                assert item["status"] in {"open", "moved", "closed", "not_yet_open"}, label
                found_moved |= item["status"] == "moved"
                found_open |= item["status"] == "open"
            assert not risks & set(_numbers(data)), label
    assert found_moved
    assert found_open
    special = Center.objects.filter(election=election).exclude(kind=CenterKind.GENERAL)
    assert special.exists()
    assert all(
        client.get(f"/public/centers/{code}/").status_code == 404
        for code in special.values_list("code", flat=True)
    )
