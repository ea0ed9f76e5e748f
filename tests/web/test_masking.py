"""No full ID or mobile number on any web page, for any role (SEC-MSK-2)."""

from __future__ import annotations

import re

import pytest

from tests.registry.conftest import VIEWERS, World
from tests.web.conftest import client_for

FULL_ID = re.compile(r"\b\d{17}[\dXx]\b")
FULL_MOBILE = re.compile(r"\b1[3-9]\d{9}\b")


@pytest.mark.parametrize("viewer", sorted(VIEWERS))
def test_no_page_shows_a_full_id_or_mobile_number(world: World, viewer: str) -> None:
    client = client_for(world.viewers[viewer])
    urls = ["/", "/households/", "/households/new/", "/households/?status=all"]
    for household in world.households.values():
        urls += [f"/households/{household.pk}/", f"/households/{household.pk}/edit/"]
    for url in urls:
        body = client.get(url).content.decode()
        assert not FULL_ID.search(body), (viewer, url)
        assert not FULL_MOBILE.search(body), (viewer, url)
