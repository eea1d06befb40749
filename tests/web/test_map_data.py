"""The map's data endpoint: compressed, because 10,000 centers are 1.5 MB of JSON."""

from __future__ import annotations

import dataclasses
import gzip
import json
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pollguard.core.model import Area as PackageArea
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Area


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


def test_map_rows_carry_each_centers_district(client_for: Any) -> None:
    rows = {
        row[0]: row for row in client_for("ops").get(reverse("registry:map_data")).json()["centers"]
    }
    assert rows["C-0001"][8] == "D-RIF"
    assert rows["C-0003"][8] == ""


def test_town_labels_sit_at_the_centroid_of_their_visible_centers(client_for: Any) -> None:
    data = client_for("ops").get(reverse("registry:map_data")).json()
    labels = {d["code"]: d for d in data["districts"]}
    assert set(labels) == {"D-RIF", "D-RIF-N"}
    rifai = labels["D-RIF"]
    points = [(row[3], row[4]) for row in data["centers"] if row[8] == "D-RIF"]
    assert rifai["lat"] == round(sum(p[0] for p in points) / len(points), 5)
    assert rifai["lon"] == round(sum(p[1] for p in points) / len(points), 5)
    assert rifai["name"] == "قضاء الرفاعي"
    assert rifai["major"] is True
    assert labels["D-RIF-N"]["major"] is False


def test_a_commander_of_another_sector_gets_no_label_of_a_town_they_cannot_see(
    client_for: Any,
) -> None:
    data = client_for("cmd_shatra").get(reverse("registry:map_data")).json()
    assert data["districts"] == []
    assert "C-0001" not in {row[0] for row in data["centers"]}


def test_the_map_data_takes_as_many_queries_for_two_centers_as_for_five(
    client_for: Any,
) -> None:
    counts = []
    for name in ("cmd_rifai", "ops"):
        client = client_for(name)
        client.get(reverse("registry:map_data"))  # sessions and caches warmed
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("registry:map_data"))
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_map_page_renders_the_filters_named_in_its_address(client_for: Any) -> None:
    page = client_for("ops").get("/map/?status=delayed&status=disrupted&sector=SHA&status=bogus")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="delayed" checked' in html
    assert 'value="disrupted" checked' in html
    assert 'value="open" checked' not in html
    assert 'value="SHA" selected' in html


def test_the_map_page_with_no_filter_shows_every_status(client_for: Any) -> None:
    html = client_for("ops").get("/map/").content.decode()
    for status in ("not_open", "open", "delayed", "disrupted", "closed"):
        assert f'value="{status}" checked' in html


class TestWallDisplay:
    def test_roles_that_see_the_map_get_the_wall_without_navigation(self, client_for: Any) -> None:
        for name in ("chair", "ops", "cmd_rifai", "commission", "auditor", "intel", "field"):
            page = client_for(name).get(reverse("registry:wall"))
            assert page.status_code == 200, name
            html = page.content.decode()
            assert 'id="pg-map"' in html
            assert "pg-nav" not in html

    def test_a_role_without_centers_is_not_allowed(self, client_for: Any) -> None:
        assert client_for("liaison_army").get(reverse("registry:wall")).status_code == 403

    def test_an_anonymous_visitor_is_sent_to_log_in(self, client: Any) -> None:
        response = client.get(reverse("registry:wall"))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]

    def test_a_sector_commander_counts_their_own_sector_only(
        self, client_for: Any, personas: Any
    ) -> None:
        from pollguard.registry.actions import do_set_center_status
        from pollguard.registry.choices import CenterStatus
        from pollguard.registry.models import Center

        for code in ("C-0001", "C-0003"):
            center = Center.objects.get(code=code)
            do_set_center_status(
                center,
                CenterStatus.DELAYED,
                acting_user=personas.ops,
                expected_version=center.version,
            )
        html = client_for("cmd_rifai").get(reverse("registry:wall")).content.decode()
        assert 'data-kpi="exceptions" data-testid="wall-exceptions">1<' in html
        assert 'data-kpi-status="delayed">1<' in html
        assert 'data-kpi-status="not_open">1<' in html


def _square(lon: float, lat: float, d: float = 0.05) -> dict[str, Any]:
    ring = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def _with_areas(small_package: Any) -> Any:
    sectors = [
        PackageArea(kind="sector", code=s.code, geometry=_square(46.0 + i, 31.0))
        for i, s in enumerate(small_package.sectors)
    ]
    town = PackageArea(kind="district", code="D-RIF", geometry=_square(46.0, 31.0, 0.02))
    areas = (*sectors, town)
    return dataclasses.replace(small_package, areas=areas)


def test_the_map_data_carries_the_package_outlines_the_user_may_see(
    small_package: Any, client_for: Any
) -> None:
    do_load_package(_with_areas(small_package), acting_user=None)
    ops = client_for("ops").get(reverse("registry:map_data")).json()
    assert {(a["kind"], a["code"]) for a in ops["areas"]} == {
        *(("sector", s.code) for s in small_package.sectors),
        ("district", "D-RIF"),
    }
    assert ops["areas"][0]["geometry"]["type"] == "Polygon"
    # A commander of another sector sees their sector's outline, not al-Rifai's or its town.
    shatra = client_for("cmd_shatra").get(reverse("registry:map_data")).json()
    assert [(a["kind"], a["code"]) for a in shatra["areas"]] == [("sector", "SHA")]
    page = client_for("ops").get(reverse("registry:map"))
    assert page.context["all_outlined"] is True


def test_without_outlines_the_map_says_its_areas_are_approximate(client_for: Any) -> None:
    data = client_for("ops").get(reverse("registry:map_data")).json()
    assert data["areas"] == []
    page = client_for("ops").get(reverse("registry:map"))
    assert page.context["all_outlined"] is False
    assert "approximate" in page.content.decode() or "تقريبية" in page.content.decode()


def test_loading_again_without_an_outline_removes_it(small_package: Any, client_for: Any) -> None:
    do_load_package(_with_areas(small_package), acting_user=None)
    fewer = _with_areas(small_package)
    fewer = dataclasses.replace(fewer, areas=fewer.areas[1:])
    do_load_package(fewer, acting_user=None)
    assert Area.objects.count() == len(small_package.sectors)  # one sector fewer, D-RIF kept
    assert not Area.objects.filter(kind="sector", ref=small_package.sectors[0].code).exists()
