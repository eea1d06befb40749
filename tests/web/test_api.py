"""API v1: every role against every endpoint, token auth, filters, fixed query counts."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pollguard.accounts.actions import do_create_api_token, do_revoke_api_token
from pollguard.core import model as core
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Center

from .personas import PERSONAS, Personas, make_package

pytestmark = pytest.mark.django_db

ALL = set(PERSONAS)
SEE_ALL_CENTERS = {"chair", "ops", "auditor", "commission", "intel"}
SEE_ALL_UNITS = {"chair", "ops", "auditor"}

# endpoint -> personas answered 200; everyone else gets 404 (or an empty list for lists).
DETAIL_ACCESS = {
    "/api/v1/sectors/RIF": ALL - {"cmd_shatra", "field", "outsider"},
    "/api/v1/sectors/SHA": ALL - {"cmd_rifai", "outsider"},
    "/api/v1/centers/C-0001": SEE_ALL_CENTERS | {"cmd_rifai"},
    "/api/v1/centers/C-0003": SEE_ALL_CENTERS | {"cmd_shatra", "field"},
    "/api/v1/centers/C-0001/stations": SEE_ALL_CENTERS | {"cmd_rifai"},
    "/api/v1/units/U-0001": SEE_ALL_UNITS | {"cmd_rifai"},
    "/api/v1/units/U-0002": SEE_ALL_UNITS | {"cmd_rifai", "liaison_army"},
    "/api/v1/units/U-0005": SEE_ALL_UNITS | {"liaison_army"},
    # Need-to-know: chair, intelligence, auditor; every other role 404 (the list too, see
    # tests/web/test_intel_api.py).
    "/api/v1/intel-reports/I-1": {"chair", "intel", "auditor"},
    "/api/v1/intel-reports": {"chair", "intel", "auditor"},
}
LIST_COUNTS = {
    "/api/v1/centers": {
        **dict.fromkeys(SEE_ALL_CENTERS, 5), "cmd_rifai": 2, "cmd_shatra": 3, "field": 1,
    },
    "/api/v1/stations": {
        **dict.fromkeys(SEE_ALL_CENTERS, 12), "cmd_rifai": 6, "cmd_shatra": 6, "field": 3,
    },
    "/api/v1/units": {
        **dict.fromkeys(SEE_ALL_UNITS, 5), "cmd_rifai": 2, "cmd_shatra": 2, "liaison_army": 2,
    },
    "/api/v1/elections": dict.fromkeys(ALL - {"outsider"}, 1),
    "/api/v1/sectors": {
        **dict.fromkeys(SEE_ALL_CENTERS | {"liaison_army"}, 2), "cmd_rifai": 1, "cmd_shatra": 1,
        "field": 1,
    },
}  # fmt: skip
# Who may change the status of C-0001 (sector RIF): 200, 403 (sees it, read-only) or 404.
STATUS_CHANGE = {
    "chair": 200, "ops": 200, "cmd_rifai": 200, "cmd_shatra": 404, "commission": 403,
    "auditor": 403, "intel": 403, "liaison_army": 404, "field": 404, "outsider": 404,
}  # fmt: skip

ClientFor = Callable[[str], Client]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url", DETAIL_ACCESS)
def test_detail_endpoints_answer_each_role(client_for: ClientFor, url: str, persona: str) -> None:
    response = client_for(persona).get(url)
    assert response.status_code == (200 if persona in DETAIL_ACCESS[url] else 404)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url", LIST_COUNTS)
def test_list_endpoints_hold_only_what_each_role_may_see(
    client_for: ClientFor, url: str, persona: str
) -> None:
    response = client_for(persona).get(url)
    assert response.status_code == 200
    assert response.json()["count"] == LIST_COUNTS[url].get(persona, 0)


@pytest.mark.parametrize(("persona", "expected"), STATUS_CHANGE.items())
def test_status_changes_answer_each_role(
    client_for: ClientFor, persona: str, expected: int
) -> None:
    response = client_for(persona).patch(
        "/api/v1/centers/C-0001/status",
        json.dumps({"status": "open", "version": 1}),
        content_type="application/json",
    )
    assert response.status_code == expected
    assert Center.objects.get(code="C-0001").status == ("open" if expected == 200 else "not_open")


@pytest.mark.parametrize(
    "url",
    [*DETAIL_ACCESS, *LIST_COUNTS, "/api/v1/centers/C-0001/status"],
)
def test_anonymous_requests_are_refused(personas: Personas, url: str) -> None:
    client = Client()
    if url.endswith("/status"):
        response = client.patch(url, "{}", content_type="application/json")
    else:
        response = client.get(url)
    assert response.status_code == 401


def test_a_stale_version_gets_409_and_changes_nothing(client_for: ClientFor) -> None:
    ops, chair = client_for("ops"), client_for("chair")
    body = json.dumps({"status": "open", "version": 1})
    assert ops.patch("/api/v1/centers/C-0002/status", body, "application/json").status_code == 200
    late = json.dumps({"status": "disrupted", "version": 1})
    response = chair.patch("/api/v1/centers/C-0002/status", late, "application/json")
    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    center = Center.objects.get(code="C-0002")
    assert (center.status, center.version) == ("open", 2)


def test_a_bearer_token_authenticates_as_its_user(personas: Personas) -> None:
    new = do_create_api_token(personas.cmd_shatra, name="script", acting_user=None)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {new.raw}")
    response = client.get("/api/v1/centers")
    assert response.status_code == 200
    assert {c["code"] for c in response.json()["items"]} == {"C-0003", "C-0004", "C-0101"}
    assert client.get("/api/v1/centers/C-0001").status_code == 404


def test_a_token_writes_without_csrf(personas: Personas) -> None:
    new = do_create_api_token(personas.ops, acting_user=None)
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {new.raw}")
    body = json.dumps({"status": "open", "version": 1})
    assert (
        client.patch("/api/v1/centers/C-0001/status", body, "application/json").status_code == 200
    )


def test_a_session_write_needs_the_csrf_token(personas: Personas) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.ops)
    body = json.dumps({"status": "open", "version": 1})
    response = client.patch("/api/v1/centers/C-0001/status", body, "application/json")
    assert response.status_code == 403


@pytest.mark.parametrize("raw", ["pg_not-a-real-token", ""])
def test_an_unknown_token_is_refused(personas: Personas, raw: str) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/centers").status_code == 401


def test_a_revoked_token_is_refused(personas: Personas) -> None:
    new = do_create_api_token(personas.ops, acting_user=None)
    do_revoke_api_token(new.token, acting_user=None)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {new.raw}")
    assert client.get("/api/v1/centers").status_code == 401


def test_only_the_digest_of_a_token_is_stored(personas: Personas) -> None:
    new = do_create_api_token(personas.ops, acting_user=None)
    new.token.refresh_from_db()
    assert new.raw not in (new.token.digest, new.token.prefix)
    assert new.raw.startswith(new.token.prefix)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("search=الناصريه", {"C-0002"}),  # ta marbuta typed as ha
        ("search=مدرسة", {"C-0001", "C-0002"}),
        ("search=c-0003", {"C-0003"}),
        ("sector=SHA&kind=special_security", {"C-0101"}),
        ("status=open", set()),
    ],
)
def test_center_filters(client_for: ClientFor, query: str, expected: set[str]) -> None:
    response = client_for("ops").get(f"/api/v1/centers?{query}")
    assert {c["code"] for c in response.json()["items"]} == expected


def test_a_center_answers_with_codes_not_ids(client_for: ClientFor) -> None:
    center = client_for("ops").get("/api/v1/centers/C-0002").json()
    assert center["sector"] == "RIF"
    assert center["district"] == "D-RIF"
    assert center["subdistrict"] == "D-RIF-N"
    assert (center["stations"], center["voters"], center["version"]) == (2, 900, 1)


def big_package(n: int) -> core.ElectionPackage:
    base = make_package()
    centers = tuple(
        dataclasses.replace(base.centers[i % 4], code=f"C-{i:04d}", name_en=f"School {i}")
        for i in range(1, n + 1)
    )
    units = tuple(
        dataclasses.replace(base.units[i % 5], code=f"U-{i:04d}") for i in range(1, n + 1)
    )
    return make_package(centers=centers, units=units, personnel=(), special_register=(), intel=())


@pytest.mark.parametrize("url", ["/api/v1/centers", "/api/v1/units", "/api/v1/stations"])
def test_list_endpoints_take_the_same_number_of_queries_for_5_and_50_rows(
    personas: Personas, url: str
) -> None:
    do_load_package(big_package(60), acting_user=None)
    counts: list[int] = []
    for limit in (5, 50):
        client = Client()
        client.force_login(personas.ops)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{url}?limit={limit}")
        assert len(response.json()["items"]) == limit
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_pagination_walks_the_whole_list(client_for: ClientFor) -> None:
    client = client_for("ops")
    first: Any = client.get("/api/v1/stations?limit=5&offset=0").json()
    second: Any = client.get("/api/v1/stations?limit=5&offset=5").json()
    assert first["count"] == 12
    assert not {s["code"] for s in first["items"]} & {s["code"] for s in second["items"]}


@pytest.mark.parametrize(
    "query",
    ["limit=501", "limit=0", f"limit={2**63}", f"offset={2**63}", "offset=10000001", "offset=-1"],
)
def test_page_bounds_out_of_range_are_a_422_not_a_500(client_for: ClientFor, query: str) -> None:
    response = client_for("ops").get(f"/api/v1/stations?{query}")
    assert response.status_code == 422, response.content


def test_the_largest_page_is_500_rows(client_for: ClientFor) -> None:
    response = client_for("ops").get("/api/v1/stations?limit=500&offset=10000000")
    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.parametrize("version", [True, "1", 1.0, None])
def test_a_version_must_be_a_json_integer(client_for: ClientFor, version: object) -> None:
    body = json.dumps({"status": "open", "version": version})
    response = client_for("ops").patch("/api/v1/centers/C-0002/status", body, "application/json")
    assert response.status_code == 422
    assert Center.objects.get(code="C-0002").version == 1


def test_a_multi_word_search_finds_the_same_centers_in_the_api_and_on_the_page(
    client_for: ClientFor,
) -> None:
    client = client_for("ops")
    query = "الرفاعي مدرسه"  # the words of "مدرسة الرفاعي للبنين", reversed, ta marbuta as ha
    api = {c["code"] for c in client.get("/api/v1/centers", {"search": query}).json()["items"]}
    page = client.get("/centers/", {"q": query})
    assert {c.code for c in page.context["page"].object_list} == api == {"C-0001"}


@pytest.mark.parametrize(
    "url", ["/api/v1/centers", "/api/v1/centers/C-0001", "/", "/centers/", "/live/events"]
)
def test_answers_to_a_signed_in_user_are_never_stored(client_for: ClientFor, url: str) -> None:
    response = client_for("chair").get(url)
    assert response.status_code == 200
    cache = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache


def test_answers_to_a_token_are_never_stored(personas: Personas) -> None:
    new = do_create_api_token(personas.ops, name="script", acting_user=None)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {new.raw}").get("/api/v1/centers")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("url", ["/api/v1/docs", "/api/v1/openapi.json"])
def test_the_api_docs_are_for_signed_in_users_only(
    client_for: ClientFor, personas: Personas, url: str
) -> None:
    anonymous = Client().get(url)
    assert anonymous.status_code in (302, 401)
    if anonymous.status_code == 302:
        assert anonymous["Location"].startswith("/accounts/login/")
    assert client_for("ops").get(url).status_code == 200
    new = do_create_api_token(personas.ops, name="script", acting_user=None)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {new.raw}").get(url).status_code == 200


def test_the_intelligence_list_takes_the_same_number_of_queries_for_5_and_50_rows(
    personas: Personas, election: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from pollguard.core.intel import IntelDraft
    from pollguard.registry.actions import do_file_intel_report

    for i in range(60):
        place = {"center": None, "lat": 31.7, "lon": 46.1} if i % 2 else {"center": "C-0001"}
        do_file_intel_report(
            election,
            IntelDraft(
                **place,  # type: ignore[arg-type]
                severity=0.5,
                reliability="C",
                credibility=3,
                text=f"report {i}",
                valid_until=timezone.now() + timedelta(days=1),
            ),
            acting_user=personas.intel,
        )
    counts: list[int] = []
    for limit in (5, 50):
        client = Client()
        client.force_login(personas.intel)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/intel-reports?limit={limit}")
        assert len(response.json()["items"]) == limit
        counts.append(len(queries))
    assert counts[0] == counts[1]
