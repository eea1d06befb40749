"""The HTML pages: who gets which page, search, language and direction, status changes.

Every page is requested by every persona (and an anonymous visitor); another sector's
center answers "not found"; list pages run a fixed number of queries.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pollguard.core import model as core
from pollguard.registry.choices import CenterStatus
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Center

from .personas import PASSWORD, PERSONAS

pytestmark = pytest.mark.django_db

PAGES = {
    "overview": reverse("registry:overview"),
    "map": reverse("registry:map"),
    "map_data": reverse("registry:map_data"),
    "centers": reverse("registry:centers"),
    "center_rifai": reverse("registry:center", args=["C-0001"]),
    "center_shatra": reverse("registry:center", args=["C-0003"]),
    "units": reverse("registry:units"),
    "tokens": reverse("accounts:tokens"),
    "elections": reverse("registry:elections"),
}

ALL = dict.fromkeys(PAGES, 200)
NO_UNITS = {**ALL, "units": 403}
EXPECTED: dict[str, dict[str, int]] = {
    "chair": ALL,
    "ops": ALL,
    "auditor": ALL,
    "commission": NO_UNITS,
    "intel": NO_UNITS,
    "cmd_rifai": {**ALL, "center_shatra": 404},
    "cmd_shatra": {**ALL, "center_rifai": 404},
    # Agency liaisons see their agency's units but no centers yet (registry/access.py).
    "liaison_army": {
        **ALL,
        "map": 403,
        "map_data": 403,
        "centers": 403,
        "center_rifai": 404,
        "center_shatra": 404,
    },
    # A field reporter's overview is his center's page.
    "field": {**NO_UNITS, "center_rifai": 404, "overview": 302},
    # An account without a role sees nothing but may still manage its (useless) tokens.
    "outsider": {
        **dict.fromkeys(PAGES, 403),
        "center_rifai": 404,
        "center_shatra": 404,
        "tokens": 200,
    },
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", sorted(PAGES))
def test_each_role_gets_each_page_or_a_clear_refusal(
    client_for: Any, persona: str, page: str
) -> None:
    response = client_for(persona).get(PAGES[page])
    assert response.status_code == EXPECTED[persona][page]


@pytest.mark.parametrize("page", sorted(PAGES))
def test_an_anonymous_visitor_is_sent_to_the_login_page(election: Any, page: str) -> None:
    response = Client().get(PAGES[page])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_sector_commander_sees_only_their_sector_on_every_page(client_for: Any) -> None:
    client = client_for("cmd_rifai")
    centers = client.get(PAGES["centers"]).content.decode()
    assert "C-0001" in centers
    assert "C-0002" in centers
    assert "C-0003" not in centers
    assert "C-0101" not in centers
    data = client.get(PAGES["map_data"]).json()
    assert {row[0] for row in data["centers"]} == {"C-0001", "C-0002"}
    assert [s["code"] for s in data["sectors"]] == ["RIF"]
    units = client.get(PAGES["units"]).content.decode()
    assert "U-0001" in units
    assert "U-0003" not in units
    assert "U-0005" not in units
    overview = client.get(PAGES["overview"]).content.decode()
    assert "الرفاعي" in overview
    assert "الشطرة" not in overview


def test_another_sectors_center_is_not_found_even_for_a_status_change(
    client_for: Any,
) -> None:
    client = client_for("cmd_shatra")
    center = Center.objects.get(code="C-0001")
    url = reverse("registry:center_status", args=["C-0001"])
    response = client.post(url, {"status": "open", "version": center.version})
    assert response.status_code == 404
    assert Center.objects.get(code="C-0001").status == CenterStatus.NOT_OPEN


def test_the_map_data_has_every_visible_center_with_its_status_and_link(
    client_for: Any,
) -> None:
    data = client_for("ops").get(PAGES["map_data"]).json()
    rows = {row[0]: row for row in data["centers"]}
    assert set(rows) == {"C-0001", "C-0002", "C-0003", "C-0004", "C-0101"}
    _code, name, sector, lat, lon, voters, status, url, district = rows["C-0002"]
    assert district == "D-RIF"
    assert (name, sector, voters, status) == ("مدرسة الناصرية للبنات", "RIF", 900, "not_open")
    assert (lat, lon) == (31.72, 46.11)
    assert url == reverse("registry:center", args=["C-0002"])
    assert len({s["color"] for s in data["sectors"]}) == 2


def test_the_map_page_works_without_a_tile_server_and_uses_one_when_configured(
    client_for: Any, settings: Any
) -> None:
    settings.POLLGUARD_TILE_URL = ""
    page = client_for("ops").get(PAGES["map"])
    assert page.context["map_config"]["tileUrl"] == ""
    assert b"vendor/leaflet/leaflet.js" in page.content
    assert b"unpkg" not in page.content
    assert b"cdn" not in page.content.lower()
    settings.POLLGUARD_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    page = client_for("ops").get(PAGES["map"])
    assert page.context["map_config"]["tileUrl"] == settings.POLLGUARD_TILE_URL


# --- search and filters ---------------------------------------------------------------


def _codes(response: Any) -> set[str]:
    return {center.code for center in response.context["page"].object_list}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("الناصريه", {"C-0002"}),  # ta marbuta typed as ha
        ("الناصرية", {"C-0002"}),
        ("مدرسه", {"C-0001", "C-0002"}),
        ("c-0003", {"C-0003"}),  # codes too, whatever the case
        ("", {"C-0001", "C-0002", "C-0003", "C-0004", "C-0101"}),
    ],
)
def test_search_finds_arabic_names_whatever_their_spelling(
    client_for: Any, query: str, expected: set[str]
) -> None:
    response = client_for("ops").get(PAGES["centers"], {"q": query})
    assert _codes(response) == expected


def test_search_finds_a_name_written_with_hamza_when_typed_without(
    client_for: Any, small_package: core.ElectionPackage
) -> None:
    ahmed = core.Center(
        "C-0005", "Ahmed al-Waili School", "مدرسة أحمد الوائلي", "RIF", 31.7, 46.1, 2, 700
    )
    do_load_package(
        dataclasses.replace(small_package, centers=(*small_package.centers, ahmed)),
        acting_user=None,
    )
    client = client_for("ops")
    assert _codes(client.get(PAGES["centers"], {"q": "احمد"})) == {"C-0005"}
    assert _codes(client.get(PAGES["centers"], {"q": "أحمد"})) == {"C-0005"}


def test_search_stays_inside_the_users_sector(client_for: Any) -> None:
    response = client_for("cmd_shatra").get(PAGES["centers"], {"q": "مدرسة"})
    assert _codes(response) == set()


def test_filters_narrow_the_center_list(client_for: Any) -> None:
    client = client_for("ops")
    assert _codes(client.get(PAGES["centers"], {"sector": "SHA"})) == {
        "C-0003",
        "C-0004",
        "C-0101",
    }
    assert _codes(client.get(PAGES["centers"], {"kind": "special_security"})) == {"C-0101"}
    assert _codes(client.get(PAGES["centers"], {"status": "open"})) == set()


def test_htmx_refreshes_only_the_table(client_for: Any) -> None:
    response = client_for("ops").get(
        PAGES["centers"],
        {"q": "الشطرة"},
        headers={"HX-Request": "true", "HX-Target": "pg-results"},
    )
    body = response.content.decode()
    assert "<html" not in body
    assert 'data-testid="center-table"' in body
    assert "C-0003" in body
    assert "HX-Request" in response["Vary"]


def test_unit_filters_find_the_reserve_and_agencies(client_for: Any) -> None:
    client = client_for("ops")

    def units(**params: str) -> set[str]:
        page = client.get(PAGES["units"], params).context["page"]
        return {unit.code for unit in page.object_list}

    assert units(reserve="yes") == {"U-0005"}
    assert units(reserve="no", agency="IA") == {"U-0002"}
    assert units(kind="eod") == {"U-0004"}
    assert units(sector="RIF") == {"U-0001", "U-0002"}


# --- language and direction -----------------------------------------------------------


def test_arabic_is_the_default_and_reads_right_to_left(client_for: Any) -> None:
    body = client_for("ops").get(PAGES["overview"]).content.decode()
    assert '<html lang="ar" dir="rtl">' in body
    assert "نظرة عامة على الانتخابات" in body


def test_switching_to_english_gives_left_to_right_and_is_remembered(client_for: Any) -> None:
    client = client_for("ops")
    response = client.post(reverse("set_language"), {"language": "en", "next": PAGES["overview"]})
    assert response.status_code == 302
    body = client.get(PAGES["overview"]).content.decode()
    assert '<html lang="en" dir="ltr">' in body
    assert "Election overview" in body
    # Remembered in the profile: a fresh session of the same user is in English too.
    again = Client()
    again.force_login(client.get(PAGES["overview"]).wsgi_request.user)
    assert '<html lang="en" dir="ltr">' in again.get(PAGES["overview"]).content.decode()
    client.post(reverse("set_language"), {"language": "ar", "next": PAGES["overview"]})
    assert '<html lang="ar" dir="rtl">' in client.get(PAGES["overview"]).content.decode()


def test_the_login_page_is_arabic_and_right_to_left_by_default(election: Any) -> None:
    body = Client().get(reverse("accounts:login")).content.decode()
    assert '<html lang="ar" dir="rtl">' in body
    assert "تسجيل الدخول" in body


# --- center status --------------------------------------------------------------------


def test_a_sector_commander_changes_the_status_of_a_center_in_their_sector(
    client_for: Any,
) -> None:
    client = client_for("cmd_rifai")
    center = Center.objects.get(code="C-0001")
    response = client.post(
        reverse("registry:center_status", args=["C-0001"]),
        {"status": "open", "version": center.version},
        follow=True,
    )
    assert response.status_code == 200
    assert Center.objects.get(code="C-0001").status == CenterStatus.OPEN
    assert "مفتوح" in response.content.decode()


@pytest.mark.parametrize("persona", ["auditor", "commission", "intel"])
def test_read_only_roles_have_no_status_form_and_cannot_post_one(
    client_for: Any, persona: str
) -> None:
    client = client_for(persona)
    page = client.get(PAGES["center_rifai"])
    assert page.context["status_form"] is None
    assert b'data-testid="status-form"' not in page.content
    center = Center.objects.get(code="C-0001")
    response = client.post(
        reverse("registry:center_status", args=["C-0001"]),
        {"status": "closed", "version": center.version},
    )
    assert response.status_code == 403
    assert Center.objects.get(code="C-0001").status == CenterStatus.NOT_OPEN


def test_a_stale_status_form_is_refused_with_a_clear_message(client_for: Any) -> None:
    center = Center.objects.get(code="C-0001")
    url = reverse("registry:center_status", args=["C-0001"])
    client_for("ops").post(url, {"status": "open", "version": center.version})
    # The commander's form still carries the version they read before ops' change.
    response = client_for("cmd_rifai").post(
        url, {"status": "delayed", "version": center.version}, follow=True
    )
    assert Center.objects.get(code="C-0001").status == CenterStatus.OPEN
    body = response.content.decode()
    assert "لم يُحفظ" in body
    assert "pg-message--error" in body


def test_times_are_shown_in_the_elections_time_zone(client_for: Any) -> None:
    center = Center.objects.get(code="C-0001")
    client = client_for("ops")
    client.post(
        reverse("registry:center_status", args=["C-0001"]),
        {"status": "open", "version": center.version},
    )
    changed = Center.objects.get(code="C-0001").status_changed_at
    assert changed is not None
    from zoneinfo import ZoneInfo

    local = changed.astimezone(ZoneInfo("Asia/Baghdad")).strftime("%H:%M")
    body = client.get(PAGES["center_rifai"]).content.decode()
    assert local in body


# --- query counts ---------------------------------------------------------------------


def _more_centers(package: core.ElectionPackage, n: int) -> core.ElectionPackage:
    extra = tuple(
        core.Center(
            f"C-9{i:03d}",
            f"Extra {i}",
            f"مركز إضافي {i}",
            "RIF" if i % 2 else "SHA",
            31.5 + i / 1000,
            46.1,
            2,
            500,
        )
        for i in range(n)
    )
    extra_units = tuple(
        core.Unit(f"U-9{i:03d}", "IP", core.UnitKind.POLICE, 10, "RIF", 31.6, 46.1)
        for i in range(n)
    )
    return dataclasses.replace(
        package,
        centers=(*package.centers, *extra),
        units=(*package.units, *extra_units),
    )


@pytest.mark.parametrize("page", ["overview", "map_data", "centers", "units", "center_rifai"])
def test_pages_run_the_same_number_of_queries_for_few_and_many_rows(
    client_for: Any, small_package: core.ElectionPackage, page: str
) -> None:
    client = client_for("ops")
    client.get(PAGES[page])  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(PAGES[page]).status_code == 200
    do_load_package(_more_centers(small_package, 60), acting_user=None)
    with CaptureQueriesContext(connection) as many:
        assert client.get(PAGES[page]).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# --- navigation and tokens ------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "offered"),
    [
        ("ops", {"overview", "map", "centers", "units", "orders"}),
        ("cmd_rifai", {"overview", "map", "centers", "units", "orders"}),
        ("commission", {"overview", "map", "centers"}),
        ("liaison_army", {"overview", "units", "orders"}),
    ],
)
def test_the_navigation_offers_only_the_pages_the_role_can_open(
    client_for: Any, persona: str, offered: set[str]
) -> None:
    answer = client_for(persona).get(PAGES["overview"])
    keys = {item["key"] for item in answer.context["pg_nav"]}
    # The plan workflow's entries are rendered by its own template tags (a layer above).
    menu = answer.content.decode().split('id="pg-nav"', 1)[1].split("</nav>", 1)[0]
    if 'href="/plans/orders/"' in menu:
        keys.add("orders")
    assert keys == offered


def test_a_user_creates_an_api_token_sees_it_once_and_revokes_it(client_for: Any) -> None:
    client = client_for("cmd_rifai")
    created = client.post(
        PAGES["tokens"], {"name": "sector dashboard", "days": "30", "password": PASSWORD},
        follow=True,
    )  # fmt: skip
    raw = created.context["new_token"]
    assert raw.startswith("pg_")
    assert raw in created.content.decode()
    api = Client()
    centers = api.get("/api/v1/centers", headers={"Authorization": f"Bearer {raw}"})
    assert centers.status_code == 200
    listing = client.get(PAGES["tokens"]).content.decode()
    assert raw not in listing
    assert "sector dashboard" in listing
    prefix = raw[:10]
    revoked = client.post(reverse("accounts:revoke_token", args=[prefix]))
    assert revoked.status_code == 302
    assert api.get("/api/v1/centers", headers={"Authorization": f"Bearer {raw}"}).status_code in {
        401,
        403,
    }


def test_nobody_can_revoke_another_users_token(client_for: Any) -> None:
    data = {"name": "", "days": "30", "password": PASSWORD}
    raw = client_for("ops").post(PAGES["tokens"], data, follow=True).context["new_token"]
    response = client_for("cmd_rifai").post(reverse("accounts:revoke_token", args=[raw[:10]]))
    assert response.status_code == 404
    api = Client()
    assert api.get("/api/v1/centers", headers={"Authorization": f"Bearer {raw}"}).status_code == 200


def test_arabic_is_the_default_even_for_an_english_browser(election: Any) -> None:
    client = Client(headers={"Accept-Language": "en-US,en;q=0.9"})
    body = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="ar" dir="rtl">' in body
    client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    body = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="en" dir="ltr">' in body


# --- the operations room at a glance ----------------------------------------------------


def _set_status(client: Client, code: str, status: str, remark: str = "") -> Any:
    center = Center.objects.get(code=code)
    return client.post(
        reverse("registry:center_status", args=[code]),
        {"status": status, "version": center.version, "remark": remark},
        follow=True,
    )


def test_the_overview_leads_with_exception_counts_that_open_the_filtered_list_and_map(
    client_for: Any,
) -> None:
    client = client_for("ops")
    _set_status(client, "C-0001", "disrupted")
    _set_status(client, "C-0002", "delayed")
    body = client.get(PAGES["overview"]).content.decode()
    # Exceptions come before the registry totals.
    assert body.index('data-testid="exceptions"') < body.index('data-testid="total-centers"')
    for status in ("disrupted", "delayed", "not_open", "closed"):
        assert f'href="/centers/?status={status}" data-testid="exception-{status}"' in body
        assert f'href="/map/?status={status}" data-testid="exception-map-{status}"' in body
    assert 'data-status-count="disrupted">1<' in body
    listed = client.get("/centers/?status=delayed")
    assert [c.code for c in listed.context["page"].object_list] == ["C-0002"]


def test_a_status_change_with_a_remark_is_in_the_feed_after_a_reload_and_in_the_history(
    client_for: Any,
) -> None:
    client = client_for("cmd_rifai")
    client.get(PAGES["overview"])
    _set_status(client, "C-0001", "delayed", "Key holder late")
    _set_status(client, "C-0001", "open", "Opened 07:40")
    overview = client.get(PAGES["overview"]).content.decode()
    feed = overview[overview.index('data-testid="feed"') :]
    # Name, from -> to, who and why, newest first, rendered by the server (survives reload).
    assert feed.index("Opened 07:40") < feed.index("Key holder late")
    assert "مدرسة الرفاعي للبنين" in feed
    assert "cmd-rifai" in feed
    first = feed[: feed.index("Opened 07:40")]
    assert first.index("تأخر الافتتاح") < first.index("مفتوح")
    history = client.get(PAGES["center_rifai"]).content.decode()
    history = history[history.index('data-testid="history"') :]
    assert "Key holder late" in history
    assert "Opened 07:40" in history


def test_another_sectors_changes_stay_out_of_the_feed(client_for: Any) -> None:
    _set_status(client_for("ops"), "C-0003", "disrupted", "Shatra only")
    assert "Shatra only" not in client_for("cmd_rifai").get(PAGES["overview"]).content.decode()
    assert "Shatra only" in client_for("cmd_shatra").get(PAGES["overview"]).content.decode()


def test_the_api_takes_a_remark_and_keeps_it_in_the_history(client_for: Any) -> None:
    client = client_for("ops")
    center = Center.objects.get(code="C-0001")
    response = client.patch(
        "/api/v1/centers/C-0001/status",
        {"status": "disrupted", "version": center.version, "remark": "Crowd at the gate"},
        content_type="application/json",
    )
    assert response.status_code == 200
    change = center.status_changes.get()
    assert (change.from_status, change.to_status, change.remark, change.actor_name) == (
        "not_open",
        "disrupted",
        "Crowd at the gate",
        "ops",
    )


def test_the_api_refuses_a_remark_with_a_direction_override(client_for: Any) -> None:
    center = Center.objects.get(code="C-0001")
    response = client_for("ops").patch(
        "/api/v1/centers/C-0001/status",
        {"status": "disrupted", "version": center.version, "remark": "\u202egate"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert not center.status_changes.exists()


def test_the_field_reporter_lands_on_his_own_center_after_login(
    election: Any, personas: Any
) -> None:
    from .personas import PASSWORD

    response = Client().post(
        reverse("accounts:login"),
        {"username": "field-c0003", "password": PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("registry:center", args=["C-0003"])


@pytest.mark.parametrize("persona", ["commission", "intel"])
def test_roles_that_cannot_see_units_are_told_so_instead_of_zeros(
    client_for: Any, persona: str
) -> None:
    body = client_for(persona).get(PAGES["overview"]).content.decode()
    assert "غير متاحة لدورك" in body
    table = body[body.index('data-testid="sector-table"') :]
    assert "الوحدات</th>" not in table
    assert "المنتسبون</th>" not in table


def test_the_center_list_sorts_by_a_whitelisted_column_and_says_so_with_aria_sort(
    client_for: Any,
) -> None:
    client = client_for("ops")
    by_voters = client.get("/centers/?sort=-voters")
    voters = [c.voters for c in by_voters.context["page"].object_list]
    assert voters == sorted(voters, reverse=True)
    body = by_voters.content.decode()
    assert 'aria-sort="descending" data-sort-key="voters"' in body
    assert 'aria-sort="none" data-sort-key="code"' in body
    # A column not on the list is ignored, not passed to the database.
    fallback = client.get("/centers/?sort=search_name")
    codes = [c.code for c in fallback.context["page"].object_list]
    assert codes == sorted(codes)
    units = client.get("/units/?sort=-headcount")
    heads = [u.headcount for u in units.context["page"].object_list]
    assert heads == sorted(heads, reverse=True)


def test_a_sector_commander_gets_no_sector_column_that_could_not_vary(client_for: Any) -> None:
    body = client_for("cmd_rifai").get(PAGES["centers"]).content.decode()
    assert 'data-sort-key="sector"' not in body
    assert 'data-sort-key="sector"' in client_for("ops").get(PAGES["centers"]).content.decode()


def test_print_all_matching_lists_every_row_with_a_print_header(
    client_for: Any, small_package: core.ElectionPackage
) -> None:
    do_load_package(_more_centers(small_package, 120), acting_user=None)
    client = client_for("ops")
    paged = client.get("/centers/?sector=RIF")
    assert len(paged.context["page"].object_list) == 50
    assert 'href="/centers/?sector=RIF&amp;all=1"' in paged.content.decode()
    everything = client.get("/centers/?sector=RIF&all=1")
    assert len(everything.context["page"].object_list) == 62
    header = everything.content.decode()
    header = header[header.index('data-testid="print-header"') :]
    assert "انتخابات تجريبية 2010" in header
    assert "الرفاعي" in header[: header.index("</div>")]  # the sector filter, by name
    assert "ops" in header[: header.index("</div>")]


def test_arabic_dates_use_the_iraqi_month_names_with_western_digits(client_for: Any) -> None:
    body = client_for("ops").get(PAGES["overview"]).content.decode()
    assert "7 آذار 2010" in body
    assert "مارس" not in body
    client = client_for("ops")
    client.post(reverse("set_language"), {"language": "en"})
    assert "7 March 2010" in client.get(PAGES["overview"]).content.decode()


def test_codes_in_cells_are_isolated_inside_the_cell_not_by_an_ltr_cell(client_for: Any) -> None:
    for page in ("centers", "units", "center_rifai"):
        body = client_for("ops").get(PAGES[page]).content.decode()
        assert '<td class="pg-code"' not in body
        assert '<bdi class="pg-code">' in body


def _stylesheet() -> str:
    from pathlib import Path

    import pollguard

    css = Path(pollguard.__file__).parent / "web/static/pollguard/css/pollguard.css"
    return css.read_text(encoding="utf-8")


def test_the_stylesheet_partners_arabic_with_a_latin_font_and_lowers_underlines() -> None:
    css = _stylesheet()
    arabic_stack = css[css.index("--pg-font-arabic:") :].split(";")[0]
    assert '"Noto Sans",' in arabic_stack
    assert "Noto Naskh Arabic" in arabic_stack
    assert 'html[lang="ar"] a { text-underline-offset:' in css


def test_printed_pages_hide_their_controls_and_number_their_pages() -> None:
    css = _stylesheet()
    assert "counter(page)" in css
    assert "counter(pages)" in css
    print_rules = css[css.index("@media print") :]
    assert ".pg-filters" in print_rules
    assert "button" in print_rules
    assert ".pg-print-header { display: block;" in print_rules
