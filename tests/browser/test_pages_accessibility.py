"""axe-core finds no accessibility violation on the main pages, in Arabic and in English.

axe-core is vendored for the tests only (tests/browser/vendor/axe-core, MPL-2.0) and
injected into each page; it is never served by pollguard. The map canvas is excluded: it is
a drawing, with the legend and center list as its accessible equivalent.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from browser.test_pages_layout import world  # noqa: F401 -- a fixture, used by name
from web.personas import PASSWORD

pytestmark = [pytest.mark.browser]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PAGES = ["/", "/centers/", "/centers/C-0001/", "/units/", "/map/"]


def violations(page: Any, exclude: list[str]) -> list[dict[str, Any]]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    context = json.dumps({"include": [["html"]], "exclude": [[s] for s in exclude]})
    found: list[dict[str, Any]] = page.evaluate(
        f"""async () => {{
            const result = await axe.run({context}, {{resultTypes: ["violations"]}});
            return result.violations.map(v => ({{
                id: v.id, impact: v.impact,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " " + n.failureSummary)
            }}));
        }}"""
    )
    return found


def test_axe_reports_a_violation_when_there_is_one(new_context: Any) -> None:
    page = new_context(bypass_csp=True).new_page()
    page.set_content('<html lang="en"><body><main><img src="x.png"></main></body></html>')
    assert "image-alt" in {v["id"] for v in violations(page, [])}


@pytest.mark.slow
@pytest.mark.parametrize("language", ["ar", "en"])
@pytest.mark.django_db(transaction=True)
def test_the_main_pages_have_no_axe_violations(
    live_server: Any,
    world: dict[str, User],  # noqa: F811
    new_context: Any,
    language: str,
) -> None:
    base = live_server.url
    page = new_context(bypass_csp=True).new_page()
    page.goto(f"{base}/accounts/login/")
    if language == "en":
        page.click("[data-testid=language-en]")
        page.wait_for_selector("html[dir=ltr]")
    assert violations(page, []) == [], "login"
    page.fill("#id_username", "ops")
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login]")
    page.wait_for_selector("[data-testid=logout]")
    found = {}
    for path in PAGES:
        page.goto(f"{base}{path}")
        result = violations(page, ["#pg-map"])
        if result:
            found[path] = result
    assert found == {}
