"""Scenario 27 (SECURITY.md §5, GB/T 35273 7.1/7.2, PIPL 51): masking in display and export.

A response scan over every GET route of the URL map (list and detail pages, their files:
workbooks, the report, the import template and error report), every GET operation of the API,
and every export list downloaded as xlsx (cells read back with python-calamine), for each
ordinary role: village cadre, township reviewer, county approver, inspector, department
officer and auditor. URL parameters come from a seeded world (tests/security/seeded_world.py):
土地村's household, its people, clue, run, case, declaration, measure, photo and notice, a
problem, a plan, a listing, a campaign and its survey, a feed batch and an import batch holding
ID numbers, work teams, projects, pairings and a monthly report.

No response holds a full 18-digit ID number or a full mobile number of anyone seeded (nor any
that looks like one), nor a sensitive health detail in Chinese (长期慢性病, 患有大病, 残疾 and the
disability grades and categories); the household page shows the masked forms instead.

Left out, with the reason: ``web:case_notice_pdf`` is the notice page's HTML (scanned here)
printed by WeasyPrint, and tests/web/test_case_pages.py reads the PDF's text; the public
``intake:declare_thanks`` shows only the signed reference in its link.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from fangpin.api.api import api
from fangpin.registry.masking import HEALTH_MASK, mask_id, mask_phone
from fangpin.registry.models import Person
from fangpin.web.exports import LISTS
from tests.registry.conftest import plain_id, plain_phone
from tests.registry.health_scan import html_leaks, json_leaks
from tests.security.seeded_world import (
    ORDINARY_ROLES,
    VISIBLE,
    SecWorld,
    client_for,
    module_world,
    url_of,
    web_routes,
)

#: Number-like values standing alone (not inside a UUID, a hash or a longer number).
FULL_ID = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
FULL_MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9][0-9]{9}(?![0-9A-Za-z])")
#: Routes not fetched here, and why (see the module docstring).
NOT_SCANNED = {
    "web:case_notice_pdf": "the notice page printed; its PDF text: tests/web/test_case_pages.py",
    "intake:declare_thanks": "public; shows only the signed reference its link carries",
    "web:logout": "POST only",
    "set_language": "a redirect that sets a cookie",
}
#: Files whose bytes hold no text to scan (photos); everything else is text, JSON or xlsx.
BINARY = ("image/",)
#: The import template's example rows (fangpin/imports/sheetio.py): fixed illustrative numbers,
#: the same in every template, nobody's in the world. Any other number-like value still counts.
TEMPLATE_EXAMPLES = {"43312419800501001X", "433124198208090021"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Every test uses the database; the module world needs the test database set up (pytest-django
#: creates it only for a session holding such tests).
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def sec_world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SecWorld]:
    with module_world(django_db_blocker, tmp_path_factory.mktemp("mask")) as world:
        yield world


@pytest.fixture
def world(sec_world: SecWorld, settings: Any) -> SecWorld:
    settings.VAR_DIR = sec_world.var_dir  # the feed parquet and import files
    return sec_world


def text_of(response: Any) -> tuple[str, str, str]:
    """(kind, text, text shown) of a response: html, json, xlsx or binary (no text).

    A workbook's hidden sheets hold the code lists its drop-downs offer (every health status
    and disability label, the same for everyone, like a form's unselected options): they count
    for ID and phone numbers, not for health labels.
    """
    content_type = response.get("Content-Type", "")
    body = response.getvalue()
    if content_type.startswith(XLSX):
        book = CalamineWorkbook.from_filelike(io.BytesIO(body))
        visible = {m.name for m in book.sheets_metadata if m.visible == SheetVisibleEnum.Visible}
        cells: dict[str, list[str]] = {"all": [], "shown": []}
        for name in book.sheet_names:
            values = [str(c) for row in book.get_sheet_by_name(name).to_python() for c in row]
            cells["all"] += values
            cells["shown"] += values if name in visible else []
        return "xlsx", "\n".join(cells["all"]), "\n".join(cells["shown"])
    if content_type.startswith(BINARY):
        return "binary", "", ""
    kind = "json" if content_type.startswith("application/json") else "html"
    return kind, body.decode(), body.decode()


def leaks(world: SecWorld, kind: str, text: str, shown: str) -> dict[str, Any]:
    """What a response shows that it must not; empty when clean."""
    found: dict[str, Any] = {
        "ids": sorted(i for i in world.secret_ids if i in text),
        "phones": sorted(p for p in world.secret_phones if p in text),
        "id_like": [i for i in FULL_ID.findall(text) if i not in TEMPLATE_EXAMPLES],
        "mobile_like": FULL_MOBILE.findall(text),
        "health": sorted(json_leaks(shown) if kind == "json" else html_leaks(shown)),
    }
    return {k: v for k, v in found.items() if v}


def get_urls(world: SecWorld) -> list[tuple[str, str]]:
    """(route, url) of every GET route, with the world's objects as parameters."""
    urls = []
    for route in web_routes():
        if route.name in NOT_SCANNED or (route.methods and "GET" not in route.methods):
            continue
        urls.append((route.name, url_of(world, route)))
        if route.name == "web:household_list":
            urls.append((route.name, url_of(world, route) + "?status=all"))
    urls.append(
        ("web:report_download#pdf", url_of(world, _route("web:report_download"), fmt="pdf"))
    )
    return urls


def _route(name: str) -> Any:
    return next(r for r in web_routes() if r.name == name)


def api_urls(world: SecWorld) -> list[str]:
    ids = world.ids["tudi"]
    values = {"household_id": ids["h"], "person_id": ids["head_public"]}
    urls = [
        path.format(**values)
        for path, operations in api.get_openapi_schema()["paths"].items()
        if "get" in operations and "{token_id}" not in path
    ]
    return [*urls, "/api/v1/households?limit=100", f"/api/v1/persons/{ids['son_public']}"]


def _scan(
    world: SecWorld, client: Client, method: str, what: str, url: str, out: dict[str, Any]
) -> str:
    response = client.post(url) if method == "POST" else client.get(url)
    assert response.status_code in {200, 302, 400, 403, 404, 409}, (what, url, response.status_code)
    kind, text, shown = text_of(response)
    found = leaks(world, kind, text, shown)
    if found:
        out[f"{method} {url} ({what})"] = found
    out.setdefault("_seen", []).append((what, response.status_code, kind))
    return text


@pytest.mark.parametrize("role", ORDINARY_ROLES)
def test_no_response_shows_a_full_id_mobile_or_health_detail(world: SecWorld, role: str) -> None:
    client = client_for(world.viewers[role])
    out: dict[str, Any] = {}

    for name, url in get_urls(world):
        _scan(world, client, "GET", name, url, out)
    for url in api_urls(world):
        _scan(world, client, "GET", "api", url, out)
    for name in sorted(LISTS):
        _scan(world, client, "POST", f"export {name}", f"/exports/{name}/?format=xlsx", out)

    seen = out.pop("_seen")
    assert out == {}
    shown = [(what, kind) for what, status, kind in seen if status == 200]
    files = {what for what, kind in shown if kind == "xlsx"}
    if role == "auditor":  # no registry.view: the public form, one's password, the API's index
        assert {what for what, _kind in shown} <= NO_HOUSEHOLD_DATA
        return
    assert len(shown) >= MIN_SHOWN[role]
    assert {"export households", "export clues"} <= files
    assert ("web:report_download" in files) == (role in COUNTY_REPORT_READERS)


#: The seeded monthly report is 花垣县's: accounts whose scope covers the county read it.
COUNTY_REPORT_READERS = {"county_huayuan", "inspector_huayuan", "officer_xiangxi"}

#: Pages open to any account that show no household data at all.
NO_HOUSEHOLD_DATA = {
    "intake:declare",
    "intake:declare_village",
    "web:account_password",
    "web:policy",
    "api",  # the API's index, its schema and one's own tokens (tests/test_route_coverage.py)
}

#: GET answers with a page or a file, per role (the routes each may open; the scan above
#: counts them so that a route newly refusing everyone cannot pass unnoticed)
MIN_SHOWN = {
    "cadre_tudi": 80,
    "township_longtan": 80,
    "county_huayuan": 90,
    "inspector_huayuan": 70,
    "officer_xiangxi": 65,
}


def test_the_household_page_shows_the_masked_forms(world: SecWorld) -> None:
    """The scan finds nothing because the page masks, not because it shows no one."""
    household = world.households["tudi"]
    people = list(Person.objects.filter(household=household).order_by("pk"))
    for role in ("cadre_tudi", "county_huayuan", "officer_xiangxi"):
        assert "tudi" in VISIBLE[role]
        body = client_for(world.viewers[role]).get(f"/households/{household.public_id}/")
        html = body.content.decode()
        assert [mask_id(plain_id(p)) in html for p in people] == [True] * 3
        assert mask_phone(plain_phone(household)) in html
        assert html.count(HEALTH_MASK) >= 3
