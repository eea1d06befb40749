"""The escalation banner on every page of those who must act (issue 11, item 4): rendered by
the server from the open escalations, at the user's level and in the user's scope, with a
fixed number of queries; its poll fragment; and the project's own kind icons (no emoji)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pollguard.operations.actions import (
    IncidentDraft,
    do_escalate_overdue,
    do_file_incident,
    do_transition_incident,
)
from pollguard.operations.choices import IncidentKind, IncidentState
from pollguard.operations.models import Incident
from pollguard.operations.policy import deadline_minutes
from pollguard.registry.models import Center, Election

from .personas import Personas

START = datetime(2010, 3, 7, 6, 0, tzinfo=UTC)
PAGES = ("/accounts/password/", "/centers/")
BANNER = 'data-testid="escalation-banner"'


def _file(election: Election, personas: Personas, center: str, text: str = "") -> Incident:
    draft = IncidentDraft(
        kind=IncidentKind.ARMED_GROUP, severity=2, text=text, observed_at=START,
        center=Center.objects.get(code=center),
    )  # fmt: skip
    return do_file_incident(election, draft, acting_user=personas.ops, now=START)[0]


def _raise(times: int) -> None:
    step = timedelta(minutes=deadline_minutes(2, IncidentKind.ARMED_GROUP))
    for n in range(1, times + 1):
        do_escalate_overdue(now=START + n * step)


def _names(client: Any, code: str) -> dict[str, bool]:
    found = {}
    for url in (*PAGES, "/operations/escalations/banner"):
        page = client.get(url)
        assert page.status_code == 200, url
        found[url] = f'data-escalation="{code}:' in page.content.decode()
    return found


@pytest.mark.parametrize(
    ("level", "shown_to"),
    [
        (1, {"cmd_rifai", "ops"}),
        (2, {"ops"}),
        (3, {"chair", "ops"}),
    ],
)
def test_an_escalation_shows_on_every_page_of_those_who_must_act_at_its_level(
    election: Election, personas: Personas, client_for: Any, level: int, shown_to: set[str]
) -> None:
    incident = _file(election, personas, "C-0001")  # al-Rifai
    _raise(level)
    incident.refresh_from_db()
    assert incident.escalation_level == level
    for persona in ("chair", "ops", "cmd_rifai", "cmd_shatra", "auditor", "commission", "field"):
        seen = _names(client_for(persona), incident.code)
        expected = persona in shown_to
        assert seen == dict.fromkeys(seen, expected), persona


def test_the_banner_opens_the_incident_and_leaves_once_someone_acts(
    election: Election, personas: Personas, client_for: Any
) -> None:
    incident = _file(election, personas, "C-0001")
    _raise(1)
    page = client_for("cmd_rifai").get("/accounts/password/").content.decode()
    assert f'href="/operations/{incident.code}/"' in page
    assert 'data-testid="escalation-ack"' in page
    assert 'data-testid="sound-toggle"' in page
    do_transition_incident(incident, IncidentState.VERIFIED, acting_user=personas.ops)
    page = client_for("cmd_rifai").get("/accounts/password/").content.decode()
    assert BANNER in page  # still there, empty and hidden, so its poll can bring the next
    assert f'data-escalation="{incident.code}:' not in page


def test_roles_that_never_act_get_no_banner_and_no_query_for_it(client_for: Any) -> None:
    for persona in ("auditor", "commission", "intel", "field", "outsider"):
        assert BANNER not in client_for(persona).get("/accounts/password/").content.decode()


def test_the_banner_costs_the_same_queries_for_one_escalation_as_for_many(
    election: Election, personas: Personas, client_for: Any
) -> None:
    ops = client_for("ops")
    _file(election, personas, "C-0001", "a")
    _raise(1)
    ops.get("/accounts/password/")
    with CaptureQueriesContext(connection) as one:
        ops.get("/accounts/password/")
    for n in range(12):
        _file(election, personas, "C-0003" if n % 2 else "C-0002", f"b{n}")
    _raise(1)
    with CaptureQueriesContext(connection) as many:
        page = ops.get("/accounts/password/").content.decode()
    assert page.count('data-escalation="') == 8  # the banner names the most urgent eight
    assert len(many) == len(one)


def test_the_banner_speaks_the_users_language(
    election: Election, personas: Personas, client_for: Any
) -> None:
    from pollguard.accounts.models import Profile

    _file(election, personas, "C-0001")
    _raise(1)
    assert "صُعِّد إليك" in client_for("ops").get("/accounts/password/").content.decode()
    Profile.objects.filter(user=personas.ops).update(language="en")
    assert "escalated to you" in client_for("ops").get("/accounts/password/").content.decode()


# --- kind icons ---------------------------------------------------------------------------

SPRITE = (
    Path(__file__).resolve().parents[2] / "src/pollguard/operations/static/operations/kinds.svg"
)
# Pictographs and symbols that need an emoji font (what the kinds used before).
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\ufe0f]")


def test_every_kind_has_its_own_symbol_in_the_sprite() -> None:
    text = SPRITE.read_text()
    symbols = set(re.findall(r'<symbol id="(kind-[a-z_]+)"', text))
    assert symbols == {kind.icon for kind in IncidentKind}
    for kind in IncidentKind:
        body = text.split(f'<symbol id="{kind.icon}"', 1)[1].split("</symbol>", 1)[0]
        assert "<path" in body or "<circle" in body, kind
    assert not EMOJI.search(text)


def test_pages_draw_kinds_with_the_sprite_and_no_emoji(
    election: Election, personas: Personas, client_for: Any
) -> None:
    codes = [_file(election, personas, "C-0001", kind.value).code for kind in IncidentKind]
    for code, kind in zip(codes, IncidentKind, strict=True):
        Incident.objects.filter(code=code).update(kind=kind.value)
    _raise(1)
    ops = client_for("ops")
    queue = ops.get("/operations/").content.decode()
    for kind in IncidentKind:
        assert f'data-kind-icon="{kind.value}"' in queue
        assert f"kinds.svg#{kind.icon}" in queue
    detail = ops.get(f"/operations/{codes[0]}/").content.decode()
    layers = ops.get("/operations/map.json").json()
    assert {i["icon"] for i in layers["incidents"]} == {kind.icon for kind in IncidentKind}
    map_page = ops.get("/map/").content.decode()
    assert "kinds.svg" in map_page
    for text in (queue, detail, str(layers), map_page, ops.get("/centers/").content.decode()):
        assert not EMOJI.search(text), EMOJI.search(text)
