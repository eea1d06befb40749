"""The public "find your polling center" page: projection, search, pages, JSON, limits, notices."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pollguard.audit.models import AuditEntry
from pollguard.common.errors import Conflict
from pollguard.public.actions import do_create_public_notice, do_set_public_notice_published
from pollguard.public.choices import NoticeKind, PublicStatus
from pollguard.public.models import PublicNotice
from pollguard.public.projection import NOTICE_FIELDS, PUBLISHED_FIELDS, build, current
from pollguard.registry.actions import do_set_center_status
from pollguard.registry.choices import CenterStatus
from pollguard.registry.models import Center, Election

from .personas import Personas
from .public_helpers import fresh_public_cache  # noqa: F401 - autouse fixture

pytestmark = pytest.mark.django_db


def set_status(election: Election, code: str, status: CenterStatus) -> None:
    center = Center.objects.get(election=election, code=code)
    do_set_center_status(center, status, acting_user=None, expected_version=center.version)


def notice(election: Election, **changes: Any) -> PublicNotice:
    values: dict[str, Any] = {
        "kind": NoticeKind.ROAD_CLOSURE,
        "text_ar": "يغلق شارع الحبوبي أمام المركبات",
        "text_en": "Habboubi Street is closed to vehicles",
        "center": None,
        "valid_from": timezone.now() - timedelta(hours=1),
        "valid_until": None,
        "published": True,
    }
    values.update(changes)
    return do_create_public_notice(election, acting_user=None, **values)


def codes(response: Any) -> list[str]:
    return [item["code"] for item in response.json()["items"]]


# --- the published projection ---------------------------------------------------------


def test_every_published_center_has_exactly_the_published_fields(election: Election) -> None:
    projection = build(election)
    assert projection.centers
    for center in projection.centers:
        assert tuple(center) == PUBLISHED_FIELDS
    c1 = projection.by_code["C-0001"]
    assert c1["stations"]
    assert set(c1["stations"][0]) == {"number", "voters"}
    assert c1["voters"] == sum(s["voters"] for s in c1["stations"])
    assert c1["polls_open"] == "2010-03-07T07:00+03:00"
    assert c1["polls_close"] == "2010-03-07T17:00+03:00"
    assert c1["sector_en"] == "al-Rifai"
    assert c1["district_en"] == "Rifai District"


def test_special_voting_centers_are_not_public(election: Election, client: Client) -> None:
    assert "C-0101" not in build(election).by_code
    assert client.get(reverse("public:center", args=["C-0101"])).status_code == 404


@pytest.mark.parametrize(
    ("internal", "public"),
    [
        (CenterStatus.NOT_OPEN, PublicStatus.NOT_YET_OPEN),
        (CenterStatus.DELAYED, PublicStatus.NOT_YET_OPEN),
        (CenterStatus.OPEN, PublicStatus.OPEN),
        (CenterStatus.CLOSED, PublicStatus.CLOSED),
    ],
)
def test_internal_statuses_map_to_public_ones(
    election: Election, internal: CenterStatus, public: PublicStatus
) -> None:
    if internal != CenterStatus.NOT_OPEN:
        set_status(election, "C-0001", internal)
    assert build(election).by_code["C-0001"]["status"] == public


def test_a_disruption_is_not_published_the_center_keeps_its_public_status(
    election: Election,
) -> None:
    set_status(election, "C-0001", CenterStatus.OPEN)
    opened = build(election).by_code["C-0001"]
    set_status(election, "C-0001", CenterStatus.DISRUPTED)
    disrupted = build(election).by_code["C-0001"]
    assert disrupted["status"] == PublicStatus.OPEN
    assert disrupted["last_updated"] == opened["last_updated"]
    set_status(election, "C-0002", CenterStatus.DISRUPTED)
    assert build(election).by_code["C-0002"]["status"] == PublicStatus.NOT_YET_OPEN


def test_a_published_move_notice_makes_the_center_moved(election: Election) -> None:
    c1 = Center.objects.get(election=election, code="C-0001")
    move = notice(election, kind=NoticeKind.CENTER_MOVED, center=c1, published=False)
    assert build(election).by_code["C-0001"]["status"] == PublicStatus.NOT_YET_OPEN
    do_set_public_notice_published(move, published=True, expected_version=1, acting_user=None)
    projection = build(election)
    assert projection.by_code["C-0001"]["status"] == PublicStatus.MOVED
    [shown] = projection.notices_for("C-0001")
    assert tuple(shown) == NOTICE_FIELDS
    assert shown["center"] == "C-0001"
    assert projection.notices_for(None) == []


def test_only_published_notices_inside_their_window_reach_the_public(election: Election) -> None:
    now = timezone.now()
    notice(election, text_en="current")
    notice(election, text_en="draft", published=False)
    notice(election, text_en="future", valid_from=now + timedelta(hours=2))
    notice(
        election,
        text_en="expired",
        valid_from=now - timedelta(hours=3),
        valid_until=now - timedelta(hours=1),
    )
    assert [n["text_en"] for n in build(election).notices_for(None)] == ["current"]


# --- search ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "مدرسة الرفاعي للبنين",  # as written
        "مدرسه الرفاعى للبنين",  # ta marbuta as ha, ya as alef maqsura
        "مدرسة الرفعي",  # a letter missing
        "مدرسة الرفااعي",  # a letter doubled
        "C-0001",
        "c-0001",
        "0001",
        "rifai boys",
        "Rifia Boys School",  # two letters swapped
    ],
)
def test_a_citizen_finds_c_0001_even_misspelled(
    election: Election, client: Client, query: str
) -> None:
    response = client.get(reverse("public:centers_json"), {"q": query})
    assert response.status_code == 200
    assert codes(response)[0] == "C-0001"


def test_search_finds_by_area(election: Election, client: Client) -> None:
    found = codes(client.get(reverse("public:centers_json"), {"q": "الشطره"}))
    assert set(found) >= {"C-0003", "C-0004"}
    assert "C-0001" not in found


def test_an_unrelated_word_finds_nothing(election: Election, client: Client) -> None:
    assert codes(client.get(reverse("public:centers_json"), {"q": "مستشفى"})) == []


def test_the_json_list_is_paginated_and_bounded(election: Election, client: Client) -> None:
    url = reverse("public:centers_json")
    everything = client.get(url).json()
    assert everything["count"] == 4
    assert codes(client.get(url, {"limit": 2, "offset": 1})) == ["C-0002", "C-0003"]
    for params in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": "x"}, {"limit": "٣"}):
        response = client.get(url, params)
        assert response.status_code == 422
        assert set(response.json()) == {"detail", "code"}


def test_bad_searches_answer_cleanly(election: Election, client: Client) -> None:
    url = reverse("public:centers_json")
    for query in ("", "   ", "!!!@#$%^&*()", "\u202e\u0000", "' OR 1=1 --", "<script>"):
        assert client.get(url, {"q": query}).status_code == 200
        page = client.get(reverse("public:search"), {"q": query})
        assert page.status_code == 200
        assert b"<script>" not in page.content.replace(b'<script src="', b"")
    long = client.get(url, {"q": "ب" * 10_000})
    assert long.status_code == 422
    assert long.json()["code"] == "query_too_long"
    page = client.get(reverse("public:search"), {"q": "ب" * 10_000})
    assert page.status_code == 200
    assert b'data-testid="too-long"' in page.content


def test_errors_come_in_the_asked_language(election: Election, client: Client) -> None:
    url = reverse("public:centers_json")
    arabic = client.get(url, {"limit": 0}).json()["detail"]
    english = client.get(url, {"limit": 0, "lang": "en"}).json()["detail"]
    assert english.startswith("limit must be")
    assert arabic != english


# --- pages ----------------------------------------------------------------------------


def test_the_page_is_arabic_by_default_with_an_english_switch(
    election: Election, client: Client
) -> None:
    arabic = client.get(reverse("public:search"), {"q": "الرفاعي"})
    assert arabic.status_code == 200
    html = arabic.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert 'href="/public/?q=%D8%A7%D9%84%D8%B1%D9%81%D8%A7%D8%B9%D9%8A&amp;lang=en"' in html
    assert "مدرسة الرفاعي للبنين" in html
    english = client.get(reverse("public:search"), {"q": "الرفاعي", "lang": "en"})
    html = english.content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "Rifai Boys School" in html
    assert english["Content-Language"] == "en"


def test_the_center_page_shows_map_stations_hours_status_and_notices(
    election: Election, client: Client
) -> None:
    c1 = Center.objects.get(election=election, code="C-0001")
    notice(election, center=c1, text_ar="ادخل من البوابة الشمالية", text_en="Use the north gate")
    response = client.get(reverse("public:center", args=["C-0001"]), {"lang": "en"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="pp-map"' in html
    assert "/static/vendor/leaflet/leaflet.js" in html
    assert 'data-lat="31.710000"' in html
    assert html.count("<tr><td>") == c1.stations_count
    assert "07:00" in html
    assert "17:00" in html
    assert 'data-status="not_yet_open"' in html
    assert "Use the north gate" in html
    assert 'data-testid="last-update"' in html


def test_an_unknown_center_is_a_clean_404(election: Election, client: Client) -> None:
    response = client.get(reverse("public:center", args=["C-9999"]))
    assert response.status_code == 404
    assert b'data-testid="not-found"' in response.content


@pytest.mark.parametrize(
    "url",
    [
        "/public/",
        "/public/?q=%D8%A7%D9%84%D8%B1%D9%81%D8%A7%D8%B9%D9%8A",
        "/public/?lang=en",
        "/public/centers.json?q=C-0001",
        "/public/centers/C-0001/",
    ],
)
def test_anonymous_answers_set_no_cookie_and_are_publicly_cacheable(
    election: Election, client: Client, url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert not response.cookies
    assert response["Cache-Control"] == "public, max-age=60"


def test_a_signed_in_visitor_gets_a_private_answer(personas: Personas, client_for: Any) -> None:
    response = client_for("ops").get("/public/")
    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
    assert "public" not in directives


def test_a_repeated_search_is_answered_from_the_cache(
    election: Election, client: Client, django_assert_num_queries: Any
) -> None:
    url = reverse("public:centers_json")
    first = client.get(url, {"q": "الرفاعي"})
    with django_assert_num_queries(0):
        again = client.get(url, {"q": "الرفاعي"})
    assert again.content == first.content


def test_a_published_notice_reaches_the_page_after_commit(
    election: Election, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    client.get(reverse("public:search"))  # builds and caches the projection
    with django_capture_on_commit_callbacks(execute=True):
        notice(election, text_en="Vote on Sunday")
    assert b"Vote on Sunday" in client.get(reverse("public:search"), {"lang": "en"}).content


def test_a_status_change_reaches_the_page_after_commit(
    election: Election, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    assert current().by_code["C-0001"]["status"] == PublicStatus.NOT_YET_OPEN
    with django_capture_on_commit_callbacks(execute=True):
        set_status(election, "C-0001", CenterStatus.OPEN)
    assert current().by_code["C-0001"]["status"] == PublicStatus.OPEN


# --- rate limit -----------------------------------------------------------------------


def test_past_the_rate_limit_a_client_gets_429_with_retry_after(
    election: Election, settings: Any
) -> None:
    settings.POLLGUARD_PUBLIC_RATE_LIMIT = 3
    scraper = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        assert scraper.get("/public/centers.json?q=x").status_code == 200
    refused = scraper.get("/public/centers.json?q=x")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= settings.POLLGUARD_PUBLIC_RATE_WINDOW
    assert refused.json()["code"] == "rate_limited"
    assert "no-store" in refused["Cache-Control"]
    page = scraper.get("/public/")
    assert page.status_code == 429
    assert b'data-testid="too-many"' in page.content
    # Another address is not limited; a forged X-Forwarded-For does not change the address.
    assert Client(REMOTE_ADDR="203.0.113.8").get("/public/").status_code == 200
    forged = Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert forged.get("/public/").status_code == 429


# --- notices: the operations room's page and actions ----------------------------------


NOTICE_POST = {
    "kind": "road_closure",
    "text_ar": "يمنع سير المركبات قرب المراكز",
    "text_en": "No vehicles near the centers",
    "published": "on",
}


def test_operations_write_and_publish_a_notice_with_audit(
    personas: Personas, client_for: Any
) -> None:
    ops = client_for("ops")
    response = ops.post(reverse("public_notices:list"), NOTICE_POST)
    assert response.status_code == 302
    saved = PublicNotice.objects.get()
    assert saved.published
    assert saved.created_by == personas.ops
    assert AuditEntry.objects.filter(
        action="public.create_notice", object_id=str(saved.uuid)
    ).exists()
    url = reverse("public_notices:set_published", args=[saved.uuid])
    assert ops.post(url, {"published": "0", "version": 1}).status_code == 302
    saved.refresh_from_db()
    assert not saved.published
    assert saved.version == 2
    assert AuditEntry.objects.filter(action="public.unpublish_notice").count() == 1
    # The page showed version 1: a second click from that page is refused, nothing written.
    ops.post(url, {"published": "1", "version": 1})
    saved.refresh_from_db()
    assert not saved.published
    assert saved.version == 2


def test_bad_notice_input_gets_field_errors_and_writes_nothing(
    personas: Personas, client_for: Any
) -> None:
    ops = client_for("ops")
    now = timezone.localtime()
    for post, field in (
        ({**NOTICE_POST, "kind": "center_moved"}, "center"),
        ({**NOTICE_POST, "center": "C-9999"}, "center"),
        ({**NOTICE_POST, "center": "C-0001", "kind": "nonsense"}, "kind"),
        ({**NOTICE_POST, "text_ar": ""}, "text_ar"),
        ({**NOTICE_POST, "text_ar": "x\u0007"}, "text_ar"),
        (
            {
                **NOTICE_POST,
                "valid_from": now.strftime("%Y-%m-%dT%H:%M"),
                "valid_until": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            },
            "valid_until",
        ),
    ):
        response = ops.post(reverse("public_notices:list"), post)
        assert response.status_code == 422
        assert field in response.context["form"].errors
    assert not PublicNotice.objects.exists()


@pytest.mark.parametrize(
    ("persona", "page", "write"),
    [
        ("chair", 200, 302),
        ("ops", 200, 302),
        ("auditor", 200, 403),
        ("cmd_rifai", 404, 404),
        ("cmd_shatra", 404, 404),
        ("commission", 404, 404),
        ("intel", 404, 404),
        ("liaison_army", 404, 404),
        ("field", 404, 404),
        ("outsider", 404, 404),
    ],
)
def test_who_may_see_and_change_notices(
    personas: Personas, client_for: Any, persona: str, page: int, write: int
) -> None:
    existing = notice(Election.objects.get(), published=False)
    user = client_for(persona)
    assert user.get(reverse("public_notices:list")).status_code == page
    assert user.post(reverse("public_notices:list"), NOTICE_POST).status_code == write
    url = reverse("public_notices:set_published", args=[existing.uuid])
    assert user.post(url, {"published": "1", "version": existing.version}).status_code == write


def test_anonymous_visitors_are_sent_to_sign_in_for_the_notices_page(client: Client) -> None:
    response = client.get(reverse("public_notices:list"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_stale_version_is_a_conflict(election: Election) -> None:
    draft = notice(election, published=False)
    do_set_public_notice_published(draft, published=True, expected_version=1, acting_user=None)
    with pytest.raises(Conflict):
        do_set_public_notice_published(draft, published=False, expected_version=1, acting_user=None)


def test_the_notices_page_is_in_the_menu_of_those_who_see_it(
    personas: Personas, client_for: Any
) -> None:
    assert b'href="/public-notices/"' in client_for("ops").get("/").content
    assert b'href="/public-notices/"' not in client_for("cmd_rifai").get("/").content


def test_a_user_with_the_page_open_in_two_tabs_cannot_double_publish(election: Election) -> None:
    draft = notice(election, published=False)
    stale = PublicNotice.objects.get(pk=draft.pk)
    do_set_public_notice_published(draft, published=True, expected_version=1, acting_user=None)
    with pytest.raises(Conflict):
        do_set_public_notice_published(stale, published=False, expected_version=1, acting_user=None)
    assert PublicNotice.objects.filter(published=True).count() == 1
