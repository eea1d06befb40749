"""Every API v1 refusal has one shape, `{"detail": ..., "code": ...}`, in the user's language.

design.md section 5: 401 for no or a bad token, 403 for what the caller sees but may not
do, 404 for what it may not see, 409 for a stale version or a forbidden move, 422 for a bad
body, including the bodies the schemas refuse before any action runs (a wrong type, a
missing field, a body that is not JSON), which used to answer with pydantic's English list.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from pollguard.accounts.actions import do_set_user_language
from pollguard.accounts.choices import Language
from pollguard.registry.models import Center
from pollguard.web.api import api

from .personas import Personas

INCIDENT = {
    "center": "C-0001",
    "kind": "fire",
    "severity": 2,
    "text": "smoke at the gate",
    "observed_at": "2010-03-07T08:00:00+03:00",
}


def post(client: Client, path: str, body: Any, **headers: str) -> Any:
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.post(f"/api/v1{path}", raw, content_type="application/json", headers=headers)


def shape(answer: Any) -> dict[str, Any]:
    body = answer.json()
    assert isinstance(body.get("detail"), str | list), body
    assert isinstance(body.get("code"), str), body
    assert body["code"], body
    return dict(body)


@pytest.fixture
def english(personas: Personas) -> Personas:
    do_set_user_language(personas.ops, Language.ENGLISH, acting_user=personas.ops)
    return personas


def test_a_wrong_type_is_named_by_field_in_the_users_language(
    personas: Personas, client_for: Any
) -> None:
    do_set_user_language(personas.ops, Language.ARABIC, acting_user=personas.ops)
    answer = post(client_for("ops"), "/incidents", {**INCIDENT, "severity": True},
                  **{"Idempotency-Key": "a"})  # fmt: skip
    assert answer.status_code == 422
    body = shape(answer)
    assert body["code"] == "invalid_request"
    assert body["detail"] == ["severity: يجب أن يكون عدداً صحيحاً"]
    assert body["errors"][0]["loc"][-1] == "severity"  # for programs, as pydantic said it


def test_missing_fields_an_unknown_choice_and_a_body_that_is_not_json(
    english: Personas, client_for: Any
) -> None:
    ops = client_for("ops")
    missing = {k: v for k, v in INCIDENT.items() if k != "kind"}
    body = shape(post(ops, "/incidents", missing, **{"Idempotency-Key": "b"}))
    assert body["detail"] == ["kind: this field is required"]
    answer = post(ops, "/incidents", "{not json", **{"Idempotency-Key": "c"})
    assert answer.status_code == 422
    assert shape(answer)["code"] == "invalid_request"
    assert all(": " in line for line in answer.json()["detail"])


def test_401_403_404_and_409_carry_a_code(english: Personas, client_for: Any) -> None:
    assert shape(Client().get("/api/v1/centers"))["code"] == "unauthorized"
    bad_token = Client().get("/api/v1/centers", headers={"Authorization": "Bearer pg_nope"})
    assert (bad_token.status_code, shape(bad_token)["code"]) == (401, "unauthorized")

    ops = client_for("ops")
    missing = ops.get("/api/v1/centers/C-9999")
    assert (missing.status_code, shape(missing)) == (
        404, {"detail": "Not found.", "code": "not_found"}
    )  # fmt: skip
    auditor = client_for("auditor")
    refused = auditor.patch(
        "/api/v1/centers/C-0001/status",
        json.dumps({"status": "open", "version": 1}),
        content_type="application/json",
    )
    assert (refused.status_code, shape(refused)["code"]) == (403, "forbidden")

    center = Center.objects.get(code="C-0001")
    stale = ops.patch(
        "/api/v1/centers/C-0001/status",
        json.dumps({"status": "open", "version": center.version + 5}),
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert shape(stale)["code"] == "stale_version"
    assert stale.json()["current_version"] == center.version


def test_every_operation_refuses_an_outsider_and_a_bad_body_in_the_one_shape(
    personas: Personas, client_for: Any
) -> None:
    """Over the whole schema: no endpoint answers a refusal in another shape."""
    paths = api.get_openapi_schema()["paths"]
    ops, checked = client_for("ops"), 0
    for template, operations in paths.items():
        path = template.replace("{", "").replace("}", "")  # a name that matches nothing
        for method in operations:
            outsider = Client()
            anonymous = (
                outsider.get(path)
                if method == "get"
                else getattr(outsider, method)(path, "{}", content_type="application/json")
            )
            assert anonymous.status_code == 401, (method, path)
            shape(anonymous)
            if method == "get":
                continue
            answer = getattr(ops, method)(path, "[1, 2", content_type="application/json")
            assert 400 <= answer.status_code < 500, (method, path, answer.status_code)
            shape(answer)
            checked += 1
    assert checked > 20


def test_djangos_own_refusals_on_the_api_answer_in_json(english: Personas, client_for: Any) -> None:
    ops = client_for("ops")
    unknown = ops.get("/api/v1/no-such-thing")
    assert (unknown.status_code, shape(unknown)["code"]) == (404, "not_found")
    wrong_method = ops.delete("/api/v1/centers")
    assert (wrong_method.status_code, shape(wrong_method)["code"]) == (405, "method_not_allowed")
    assert wrong_method.headers["Allow"] == "GET"
    page = ops.get("/no-such-page/")  # pages keep their HTML error page
    assert page.status_code == 404
    assert page.headers["Content-Type"].startswith("text/html")
