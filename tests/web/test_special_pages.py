"""The special-vote pages: check-in from the page, the refusal, undo, who sees them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from pollguard.specialvote import clock
from pollguard.specialvote.models import SpecialCheckin

from .personas import BAGHDAD

PAGES = ["/special-vote/", "/special-vote/reconciliation/"]


@pytest.fixture(autouse=True)
def special_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: datetime(2010, 3, 4, 11, 0, tzinfo=BAGHDAD))


def post(client: Any, voter: str, station: str, **more: str) -> Any:
    return client.post(
        "/special-vote/check-in", {"voter": voter, "station": station, **more}, follow=True
    )


def test_the_commission_finds_a_voter_and_checks_them_in_from_the_page(client_for: Any) -> None:
    ihec = client_for("commission")
    page = ihec.get("/special-vote/?station=C-0101-01&q=محمد")
    assert page.status_code == 200
    assert 'data-testid="sv-checkin-P-3"' in page.content.decode()
    done = post(ihec, "P-3", "C-0101-01", q="محمد")
    assert "P-3" in done.content.decode()
    assert SpecialCheckin.objects.filter(person_code="P-3", state="counted").count() == 1
    refused = post(ihec, "P-3", "C-0101-02").content.decode()
    assert "C-0101-01" in refused  # names where the person voted
    assert SpecialCheckin.objects.filter(person_code="P-3").count() == 1


def test_a_conditional_ballot_from_the_page_needs_a_reason(client_for: Any) -> None:
    ihec = client_for("commission")
    post(ihec, "P-1", "C-0101-01", conditional="1")
    assert not SpecialCheckin.objects.exists()
    post(ihec, "P-1", "C-0101-01", conditional="1", reason="نقل حديث")
    assert SpecialCheckin.objects.get().kind == "conditional"


def test_the_chair_undoes_from_the_page_and_the_clerk_cannot(client_for: Any) -> None:
    ihec, chair = client_for("commission"), client_for("chair")
    post(ihec, "P-3", "C-0101-01")
    made = SpecialCheckin.objects.get()
    url = f"/special-vote/check-ins/{made.uuid}/undo"
    assert ihec.post(url, {"reason": "x"}).status_code == 403
    chair.post(url, {"reason": "خطأ في الاسم"})
    made.refresh_from_db()
    assert made.state == "undone"


@pytest.mark.parametrize("persona", ["chair", "ops", "commission", "auditor"])
def test_the_pages_open_for_those_who_see_the_special_vote(client_for: Any, persona: str) -> None:
    client = client_for(persona)
    for page in PAGES:
        assert client.get(page).status_code == 200, page
    menu = client.get("/").content.decode()
    assert 'href="/special-vote/"' in menu


@pytest.mark.parametrize("persona", ["chair", "ops", "auditor"])
def test_only_the_commission_posts_check_ins(client_for: Any, persona: str) -> None:
    assert client_for(persona).post("/special-vote/check-in", {"voter": "P-3"}).status_code == 403


@pytest.mark.parametrize("persona", ["cmd_rifai", "cmd_shatra", "intel", "liaison_army", "field"])
def test_the_pages_are_404_for_everyone_else(client_for: Any, persona: str) -> None:
    client = client_for(persona)
    for page in PAGES:
        assert client.get(page).status_code == 404, page
    assert client.post("/special-vote/check-in", {"voter": "P-3"}).status_code == 404
    assert 'href="/special-vote/"' not in client.get("/").content.decode()


def test_the_pages_speak_arabic_by_default_and_english_when_chosen(
    client_for: Any, personas: Any
) -> None:
    from pollguard.accounts.actions import do_set_user_language
    from pollguard.accounts.choices import Language

    ihec = client_for("commission")
    arabic = ihec.get("/special-vote/reconciliation/").content.decode()
    assert 'dir="rtl"' in arabic
    assert "مطابقة سجل التصويت الخاص" in arabic
    do_set_user_language(personas.commission, Language.ENGLISH, acting_user=personas.commission)
    english = ihec.get("/special-vote/reconciliation/").content.decode()
    assert "Special register reconciliation" in english
    assert "Check a voter in" in ihec.get("/special-vote/").content.decode()
    assert "Chain of custody" in ihec.get("/custody/").content.decode()


def test_the_chair_decides_a_conflict_from_the_page(client_for: Any, election: Any) -> None:
    import uuid as uuid_module

    from pollguard.specialvote.actions import do_check_in
    from pollguard.specialvote.models import SpecialCheckin as Checkin

    ihec, chair = client_for("commission"), client_for("chair")
    post(ihec, "P-3", "C-0101-01")
    user = Checkin.objects.get().recorded_by
    do_check_in(
        election,
        voter="P-3",
        station="C-0101-02",
        acting_user=user,
        client_id=uuid_module.uuid4(),
        observed_at=datetime(2010, 3, 4, 10, 0, tzinfo=BAGHDAD),
    )
    conflict = Checkin.objects.get(state="conflict")
    page = chair.get("/special-vote/").content.decode()
    assert f"/special-vote/check-ins/{conflict.uuid}/resolve" in page
    assert "/resolve" not in ihec.get("/special-vote/").content.decode()
    chair.post(
        f"/special-vote/check-ins/{conflict.uuid}/resolve", {"keep": "counted", "reason": "خطأ"}
    )
    conflict.refresh_from_db()
    assert conflict.state == "dismissed"
