"""Custody and ballot pages: a hand-over from the phone form, the exception on the pages."""

from __future__ import annotations

from typing import Any

import pytest

from pollguard.custody.actions import ItemDraft, do_add_depot, do_register_item
from pollguard.custody.choices import DepotKind, ItemKind
from pollguard.custody.models import CustodyException, Handover
from pollguard.registry.models import Election

from .personas import Personas


@pytest.fixture
def box(election: Election, personas: Personas) -> None:
    do_add_depot(election, code="WH-1", kind=DepotKind.WAREHOUSE, acting_user=personas.ops)
    do_add_depot(election, code="CC-1", kind=DepotKind.COUNTING, acting_user=personas.ops)
    do_register_item(
        election,
        ItemDraft("BOX-1", ItemKind.BALLOT_BOX, "C-0001-01", "WH-1", ["SL-000101"]),
        acting_user=personas.ops,
    )
    do_register_item(
        election,
        ItemDraft("BAL-1", ItemKind.BALLOTS, "C-0001-01", "WH-1", ["SL-000201"], 1000, 1499),
        acting_user=personas.ops,
    )


def test_a_hand_over_from_the_form_with_a_changed_seal_shows_the_exception(
    client_for: Any, box: None
) -> None:
    ihec = client_for("commission")
    page = ihec.get("/custody/items/BOX-1/").content.decode()
    assert 'data-testid="custody-form"' in page
    form = {
        "to": "C-0001",
        "witness": "مراقب",
        "seals": "SL-٠٠٠٩٩٩",
        "vehicle": "12345",
        "escort": "U-0001",
        "received_by": "مدير المركز",
    }
    done = ihec.post("/custody/items/BOX-1/handover", form, follow=True).content.decode()
    assert Handover.objects.count() == 1
    assert CustodyException.objects.count() == 1
    assert "pg-timeline--alert" in done
    index = ihec.get("/custody/").content.decode()
    assert "BOX-1" in index.split('data-testid="custody-exceptions"')[1].split("</table>")[0]


def test_a_bad_form_keeps_what_was_typed_and_names_the_field(client_for: Any, box: None) -> None:
    ihec = client_for("commission")
    form = {"to": "C-0001", "witness": "مراقب", "seals": "SL-000101"}  # no vehicle, no escort
    page = ihec.post("/custody/items/BOX-1/handover", form, follow=True).content.decode()
    assert "vehicle:" in page or "vehicle" in page
    assert 'value="مراقب"' in page
    assert not Handover.objects.exists()


def test_the_ballot_page_shows_entities_components_and_materials(
    client_for: Any, box: None
) -> None:
    page = client_for("commission").get("/custody/ballot/").content.decode()
    assert "Entity One" in page or "الكيان الأول" in page
    assert "1000–1499" in page
    assert "BAL-1" in page
    assert "BOX-1" in page


@pytest.mark.parametrize("persona", ["chair", "ops", "commission", "auditor"])
def test_the_custody_pages_open_for_those_who_see_custody(
    client_for: Any, box: None, persona: str
) -> None:
    client = client_for(persona)
    for url in ["/custody/", "/custody/ballot/", "/custody/items/BOX-1/"]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", ["chair", "auditor"])
def test_read_only_roles_get_no_form_and_403_on_post(
    client_for: Any, box: None, persona: str
) -> None:
    client = client_for(persona)
    assert 'data-testid="custody-form"' not in client.get("/custody/items/BOX-1/").content.decode()
    assert client.post("/custody/items/BOX-1/handover", {"to": "C-0001"}).status_code == 403


@pytest.mark.parametrize("persona", ["cmd_rifai", "intel", "liaison_army", "field"])
def test_the_custody_pages_are_404_for_everyone_else(
    client_for: Any, box: None, persona: str
) -> None:
    client = client_for(persona)
    for url in ["/custody/", "/custody/ballot/", "/custody/items/BOX-1/"]:
        assert client.get(url).status_code == 404, url
    assert client.post("/custody/items/BOX-1/handover", {"to": "C-0001"}).status_code == 404


def test_the_item_list_takes_the_same_number_of_queries_for_3_and_30_items(
    client_for: Any, box: None, election: Election, personas: Personas
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("auditor")

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            answer = client.get("/api/v1/custody/items?limit=100")
        return len(answer.json()["items"]), len(captured)

    queries()  # the first answer of a session also touches the session and profile
    few = queries()
    for n in range(28):
        do_register_item(
            election,
            ItemDraft(f"PK-{n}", ItemKind.SENSITIVE_PACKET, "C-0002-01", "WH-1", [f"SL-{n:06d}"]),
            acting_user=personas.ops,
        )
    many = queries()
    assert (few[0], many[0]) == (2, 30)
    assert few[1] == many[1]


def test_the_chair_closes_an_exception_from_the_page(client_for: Any, box: None) -> None:
    ihec, chair = client_for("commission"), client_for("chair")
    form = {
        "to": "C-0001",
        "witness": "مراقب",
        "seals": "SL-000999",
        "vehicle": "1",
        "escort": "U-0001",
        "received_by": "مدير",
    }
    ihec.post("/custody/items/BOX-1/handover", form)
    exception = CustodyException.objects.get()
    assert f"/custody/exceptions/{exception.uuid}/close" in chair.get("/custody/").content.decode()
    assert "/close" not in ihec.get("/custody/").content.decode()
    chair.post(f"/custody/exceptions/{exception.uuid}/close", {"reason": "تم التحقق"})
    exception.refresh_from_db()
    assert exception.state == "closed"
