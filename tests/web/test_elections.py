"""More than one election in one database: each user works on the election they chose.

Two elections are loaded: the small test election of the `personas` fixture
(`test-2010`, loaded first) and a copy of the Dhi Qar demo package with another code and
name (`copy-2014`, loaded second, so it is the default "latest loaded" one). The copy is
the demo package written to a temporary folder with its election code and name changed;
its roster and special register are cut to their first rows to keep the tests fast.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pollguard.audit.models import AuditEntry
from pollguard.core.package import read_package
from pollguard.planning.access import require_run_plans
from pollguard.registry.access import current_election, default_election
from pollguard.registry.actions import do_set_center_status
from pollguard.registry.choices import CenterStatus
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Center, Election, Sector, Station, Unit

from .personas import PERSONAS, Personas, make_package

pytestmark = pytest.mark.django_db
ClientFor = Callable[[str], Client]

DEMO = Path(__file__).resolve().parents[2] / "scenarios" / "dhi-qar-2010"
FIRST, SECOND = "test-2010", "copy-2014"
SECOND_NAME_EN = "Council of Representatives election 2014 - Dhi Qar (copy)"
SECOND_NAME_AR = "انتخابات مجلس النواب 2014 - ذي قار (نسخة)"
KEEP_ROWS = 50  # of personnel.csv and special_register.csv


def copy_demo(folder: Path, code: str, name_en: str, name_ar: str) -> Path:
    """The demo package in `folder`, as another election (code and names changed)."""
    shutil.copytree(DEMO, folder)
    yaml = (folder / "election.yaml").read_text(encoding="utf-8")
    lines = []
    for line in yaml.splitlines():
        key = line.strip().split(":", 1)[0]
        if line.startswith("  ") and not line.startswith("   ") and key == "code":
            line = f'  code: "{code}"'
        elif line.startswith("  name_en:"):
            line = f'  name_en: "{name_en}"'
        elif line.startswith("  name_ar:"):
            line = f'  name_ar: "{name_ar}"'
        lines.append(line)
    (folder / "election.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name in ("personnel.csv", "special_register.csv"):
        rows = (folder / name).read_text(encoding="utf-8").splitlines()[: KEEP_ROWS + 1]
        (folder / name).write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def second(personas: Personas, tmp_path: Path) -> Election:
    folder = copy_demo(tmp_path / "copy", SECOND, SECOND_NAME_EN, SECOND_NAME_AR)
    package = read_package(folder)
    assert package.election.code == SECOND
    do_load_package(package, acting_user=None, source=folder)
    return Election.objects.get(code=SECOND)


def choose(client: Client, code: str, next_url: str = "/") -> Any:
    return client.post(reverse("registry:election_choose"), {"election": code, "next": next_url})


def api_codes(client: Client, url: str) -> set[str]:
    """Every code of an API list, page by page."""
    codes: set[str] = set()
    offset = 0
    while True:
        body = client.get(f"{url}?limit=500&offset={offset}").json()
        codes |= {row["code"] for row in body["items"]}
        offset += 500
        if offset >= body["count"]:
            return codes


def fresh(user: User) -> User:
    """The user read again: no cached profile (what every new request sees)."""
    return User.objects.get(pk=user.pk)


# --- the default and the choice -----------------------------------------------------------


def test_a_user_who_never_chose_works_on_the_latest_loaded_election(
    second: Election, client_for: ClientFor
) -> None:
    ops = client_for("ops")
    assert api_codes(ops, "/api/v1/centers") == set(
        Center.objects.filter(election=second).values_list("code", flat=True)
    )
    elections = ops.get("/api/v1/elections").json()
    assert elections["count"] == 2
    assert [(e["code"], e["current"]) for e in elections["items"]] == [
        (SECOND, True),
        (FIRST, False),
    ]


def test_the_configured_election_is_the_default_for_who_never_chose(
    second: Election, personas: Personas, settings: Any, client_for: ClientFor
) -> None:
    settings.POLLGUARD_ELECTION = FIRST
    default = default_election()
    assert default is not None
    assert default.code == FIRST
    assert api_codes(client_for("ops"), "/api/v1/centers") == {
        "C-0001", "C-0002", "C-0003", "C-0004", "C-0101",
    }  # fmt: skip
    # A choice wins over the setting.
    client = client_for("chair")
    assert client.post(f"/api/v1/elections/{SECOND}/choose").status_code == 200
    chosen = current_election(fresh(personas.chair))
    assert chosen is not None
    assert chosen.code == SECOND


def test_choosing_on_the_page_switches_every_page_and_is_audited(
    second: Election, personas: Personas, client_for: ClientFor
) -> None:
    client = client_for("ops")
    page = client.get(reverse("registry:elections"))
    assert page.status_code == 200
    assert [(e.code, e.is_current) for e in page.context["elections"]] == [
        (SECOND, True),
        (FIRST, False),
    ]
    response = choose(client, FIRST, next_url="/centers/")
    assert response.status_code == 302
    assert response["Location"] == "/centers/"
    centers = client.get("/centers/")
    assert {c.code for c in centers.context["page"].object_list} == {
        "C-0001", "C-0002", "C-0003", "C-0004", "C-0101",
    }  # fmt: skip
    assert centers.context["pg_election"].code == FIRST
    entry = AuditEntry.objects.filter(action="accounts.choose_election").get()
    assert (entry.actor_name, entry.object_id) == ("ops", "ops")
    assert (entry.before, entry.after) == ({"election": None}, {"election": FIRST})
    # The choice is the user's alone.
    other = client_for("chair").get("/centers/")
    assert other.context["pg_election"].code == SECOND


def test_choosing_the_current_election_again_writes_nothing(
    second: Election, client_for: ClientFor
) -> None:
    client = client_for("ops")
    choose(client, FIRST)
    choose(client, FIRST)
    assert AuditEntry.objects.filter(action="accounts.choose_election").count() == 1


def test_choosing_through_the_api_switches_the_api_and_is_audited(
    second: Election, client_for: ClientFor
) -> None:
    client = client_for("cmd_rifai")
    response = client.post(f"/api/v1/elections/{FIRST}/choose")
    assert response.status_code == 200
    assert (response.json()["code"], response.json()["current"]) == (FIRST, True)
    assert api_codes(client, "/api/v1/centers") == {"C-0001", "C-0002"}
    listed = client.get("/api/v1/elections").json()["items"]
    assert [e["code"] for e in listed if e["current"]] == [FIRST]
    entry = AuditEntry.objects.get(action="accounts.choose_election")
    assert (entry.object_id, entry.after) == ("cmd-rifai", {"election": FIRST})


def test_the_election_list_is_paginated_and_names_each_in_the_callers_language(
    second: Election, client_for: ClientFor
) -> None:
    client = client_for("ops")
    page = client.get("/api/v1/elections?limit=1&offset=1").json()
    assert page["count"] == 2
    assert [e["code"] for e in page["items"]] == [FIRST]
    arabic = client.get("/api/v1/elections").json()["items"][0]
    assert arabic["name"] == SECOND_NAME_AR  # Arabic is the default language
    assert (arabic["special_vote_date"], arabic["general_vote_date"]) == (
        "2010-03-04",
        "2010-03-07",
    )
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert client.get("/api/v1/elections").json()["items"][0]["name"] == SECOND_NAME_EN


@pytest.mark.parametrize("persona", PERSONAS)
def test_an_unknown_election_is_not_found_and_nothing_changes(
    second: Election, client_for: ClientFor, persona: str
) -> None:
    client = client_for(persona)
    assert choose(client, "no-such-election").status_code == 404
    assert client.post("/api/v1/elections/no-such-election/choose").status_code == 404
    assert not AuditEntry.objects.filter(action="accounts.choose_election").exists()


def test_a_user_without_a_role_sees_no_elections_and_may_choose_none(
    second: Election, client_for: ClientFor
) -> None:
    outsider = client_for("outsider")
    assert outsider.get("/api/v1/elections").json()["count"] == 0
    assert outsider.post(f"/api/v1/elections/{FIRST}/choose").status_code == 404
    assert choose(outsider, FIRST).status_code == 404
    assert outsider.get(reverse("registry:elections")).status_code == 403


def test_choosing_needs_a_post_and_a_login(second: Election, client_for: ClientFor) -> None:
    assert client_for("ops").get(reverse("registry:election_choose")).status_code == 405
    assert Client().post(f"/api/v1/elections/{FIRST}/choose").status_code == 401
    assert Client().get("/api/v1/elections").status_code == 401
    anonymous = choose(Client(), FIRST)
    assert anonymous.status_code == 302
    assert "/login" in anonymous["Location"]


def test_a_switch_from_a_center_the_other_election_lacks_lands_on_the_center_list(
    second: Election, client_for: ClientFor
) -> None:
    client = client_for("ops")
    only_in_second = Center.objects.filter(election=second).exclude(
        code__in=Center.objects.filter(election__code=FIRST).values("code")
    )[0]
    response = choose(client, FIRST, next_url=f"/centers/{only_in_second.code}/")
    assert response["Location"] == reverse("registry:centers")
    # A center both elections have: the same page, now the other election's center.
    response = choose(client, SECOND, next_url="/centers/C-0001/?tab=1")
    assert response["Location"] == "/centers/C-0001/?tab=1"
    assert client.get(response["Location"]).context["center"].election == second


def test_the_page_never_sends_the_user_to_another_site(
    second: Election, client_for: ClientFor
) -> None:
    response = choose(client_for("ops"), FIRST, next_url="https://evil.example/")
    assert response["Location"] == reverse("registry:overview")


# --- every role sees only the chosen election's data -------------------------------------


def expected(persona: str, election: Election, what: str) -> set[str]:
    """What `persona` may see of `election`, computed from the rows (not the access code)."""
    centers = Center.objects.filter(election=election, active=True)
    units = Unit.objects.filter(election=election, active=True)
    sectors = Sector.objects.filter(election=election, active=True)
    stations = Station.objects.filter(election=election, active=True, center__active=True)
    rows: Any = {"centers": centers, "units": units, "sectors": sectors, "stations": stations}[
        what
    ]
    if persona in {"chair", "ops", "auditor"}:
        return set(rows.values_list("code", flat=True))
    if persona in {"commission", "intel"}:
        return set() if what == "units" else set(rows.values_list("code", flat=True))
    if persona in {"cmd_rifai", "cmd_shatra"}:
        code = "RIF" if persona == "cmd_rifai" else "SHA"
        key = {"centers": "sector__code", "units": "sector__code", "sectors": "code"}.get(
            what, "center__sector__code"
        )
        return set(rows.filter(**{key: code}).values_list("code", flat=True))
    if persona == "liaison_army":
        if what == "units":
            return set(rows.filter(agency__code="IA").values_list("code", flat=True))
        return set(rows.values_list("code", flat=True)) if what == "sectors" else set()
    if persona == "field":
        key = {"centers": "code", "sectors": "centers__code"}.get(what, "center__code")
        return set() if what == "units" else set(
            rows.filter(**{key: "C-0003"}).values_list("code", flat=True)
        )
    return set()


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_role_sees_only_the_chosen_elections_data_in_the_api(
    second: Election, client_for: ClientFor, persona: str
) -> None:
    client = client_for(persona)
    first = Election.objects.get(code=FIRST)
    # Without a role there is nothing to choose (404) and nothing to see.
    answer = 404 if persona == "outsider" else 200
    for election in (first, second, first):
        assert client.post(f"/api/v1/elections/{election.code}/choose").status_code == answer
        for what in ("centers", "units", "sectors", "stations"):
            assert api_codes(client, f"/api/v1/{what}") == expected(persona, election, what), what


def test_a_sector_commander_keeps_their_sector_in_the_other_election(
    second: Election, client_for: ClientFor
) -> None:
    """The profile names al-Rifai of test-2010; in the copy it is the copy's al-Rifai."""
    client = client_for("cmd_rifai")
    rifai = Sector.objects.get(election=second, code="RIF")
    codes = api_codes(client, "/api/v1/centers")
    assert codes
    assert codes == set(
        Center.objects.filter(sector=rifai, active=True).values_list("code", flat=True)
    )
    other = Center.objects.filter(election=second).exclude(sector=rifai).first()
    assert other is not None
    assert client.get(f"/api/v1/centers/{other.code}").status_code == 404
    assert client.get(f"/centers/{other.code}/").status_code == 404


@pytest.mark.parametrize("persona", ["chair", "cmd_rifai", "commission", "field"])
def test_each_role_sees_only_the_chosen_elections_data_on_the_pages(
    second: Election, client_for: ClientFor, persona: str
) -> None:
    client = client_for(persona)
    first = Election.objects.get(code=FIRST)
    for election in (first, second):
        choose(client, election.code)
        page = client.get("/centers/?all=1")
        assert page.context["pg_election"] == election
        shown = {c.code for c in page.context["page"].object_list}
        assert shown == expected(persona, election, "centers")
        assert all(c.election_id == election.pk for c in page.context["page"].object_list)


def test_plan_runs_are_for_the_chosen_election(second: Election, personas: Personas) -> None:
    assert require_run_plans(fresh(personas.ops)) == second
    client = Client()
    client.force_login(personas.ops)
    choose(client, FIRST)
    assert require_run_plans(fresh(personas.ops)).code == FIRST


def test_the_top_bar_selector_lists_the_elections_only_when_there_are_two(
    personas: Personas, client_for: ClientFor, tmp_path: Path
) -> None:
    client = client_for("ops")
    one = client.get("/")
    assert one.context["pg_elections"] == []
    assert b'data-testid="election-select"' not in one.content
    folder = copy_demo(tmp_path / "copy", SECOND, SECOND_NAME_EN, SECOND_NAME_AR)
    do_load_package(read_package(folder), acting_user=None)
    two = client.get("/")
    assert [(e["code"], e["current"]) for e in two.context["pg_elections"]] == [
        (SECOND, True),
        (FIRST, False),
    ]
    assert b'data-testid="election-select"' in two.content
    assert SECOND_NAME_AR.encode() in two.content


# --- the live feed follows the choice -----------------------------------------------------


def test_the_feed_tells_a_page_of_the_previous_election_to_reload(
    second: Election, client_for: ClientFor
) -> None:
    client = client_for("ops")
    live = client.get("/").context["live"]
    assert live["url"] == f"/live/events?election={SECOND}"
    ok = client.get(f"{live['url']}&after={live['after']}").json()
    assert "reload" not in ok
    assert ok["events"] == []
    # Another tab switches election.
    other_tab = client_for("ops")
    assert other_tab.post(f"/api/v1/elections/{FIRST}/choose").status_code == 200
    assert client.get(f"{live['url']}&after={live['after']}").json() == {
        "reload": True,
        "events": [],
    }
    fresh_page = client.get("/").context["live"]
    assert fresh_page["url"] == f"/live/events?election={FIRST}"
    assert "reload" not in client.get(f"{fresh_page['url']}&after=0").json()


def test_the_feed_carries_only_the_chosen_elections_events(
    second: Election, personas: Personas, client_for: ClientFor
) -> None:
    client = client_for("chair")
    start = client.get(f"/live/events?election={SECOND}").json()["last"]
    center = Center.objects.get(election__code=FIRST, code="C-0001")
    do_set_center_status(
        center, CenterStatus.OPEN, acting_user=personas.ops, expected_version=center.version
    )
    assert client.get(f"/live/events?election={SECOND}&after={start}").json()["events"] == []
    choose(client, FIRST)
    events = client.get(f"/live/events?election={FIRST}&after={start}").json()["events"]
    assert [(e["center"], e["status"]) for e in events] == [("C-0001", "open")]


def test_the_api_answers_follow_the_choice_made_on_the_page(
    second: Election, client_for: ClientFor
) -> None:
    client = client_for("auditor")
    choose(client, FIRST)
    body = json.loads(client.get("/api/v1/sectors").content)
    assert {s["code"] for s in body["items"]} == {"RIF", "SHA"}


def test_the_election_list_takes_the_same_number_of_queries_for_2_and_4_elections(
    personas: Personas,
) -> None:
    counts = []
    for n in (2, 4):
        while Election.objects.count() < n:
            number = Election.objects.count() + 1
            package = make_package()
            election = dataclasses.replace(package.election, code=f"test-{number}")
            do_load_package(dataclasses.replace(package, election=election), acting_user=None)
        client = Client()
        client.force_login(personas.ops)
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get("/api/v1/elections").json()["items"]) == n
        counts.append(len(queries))
    assert counts[0] == counts[1]
