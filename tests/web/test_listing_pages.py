"""The 挂牌督战 pages: list a village, its cadre marks items done, 摘牌 refused until zeroed;
another village 404; only supervisors list."""

from __future__ import annotations

from django.urls import reverse

from fangpin.core.models import Role
from fangpin.supervision.models import ListedRegion, ListingTarget
from tests.registry.conftest import DOUWANG, HUAYUAN_COUNTY, TUDI, World, make_user
from tests.supervision.test_services import record
from tests.web.conftest import client_for


def test_list_mark_done_and_delist_through_the_pages(world: World) -> None:
    inspector = make_user("inspector_huayuan", Role.INSPECTOR, HUAYUAN_COUNTY)
    supervisor = client_for(inspector)
    response = supervisor.post(
        reverse("web:listings"),
        {
            "title": "2026年挂牌督战村",
            "region": TUDI,
            "listed_on": "2026-02-01",
            "deadline": "2026-12-31",
            "item_1": "适龄儿童全部入学",
            "dimension_1": "education",
            "target_deadline_1": "2026-09-30",
        },
    )
    listing = ListedRegion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:listing", args=[listing.public_id])
    target = ListingTarget.objects.get()
    record(inspector)  # an open problem in 土地村

    cadre = client_for(world.viewers["cadre_tudi"])
    page = cadre.get(reverse("web:listing", args=[listing.public_id])).content.decode()
    assert "0 / 1" in page
    assert "✗ 未清零" in page
    done = cadre.post(
        reverse("web:listing_target_done", args=[listing.public_id, target.pk]),
        {"note": "全部入学"},
    )
    assert done.status_code == 302
    refused = supervisor.post(reverse("web:listing_delist", args=[listing.public_id]))
    assert refused.status_code == 400
    assert "辖区内还有 1 个问题未销号（未清零），不能摘牌" in refused.content.decode()
    listing.refresh_from_db()
    assert listing.status == "active"


def test_scope_and_rights_of_the_pages(world: World) -> None:
    inspector = make_user("inspector_huayuan", Role.INSPECTOR, HUAYUAN_COUNTY)
    client_for(inspector).post(
        reverse("web:listings"),
        {
            "title": "督战",
            "region": TUDI,
            "listed_on": "2026-02-01",
            "deadline": "2026-12-31",
            "item_1": "事项",
            "dimension_1": "education",
        },
    )
    listing = ListedRegion.objects.get()
    target = ListingTarget.objects.get()
    douwang = client_for(make_user("cadre_douwang", Role.VILLAGE_CADRE, DOUWANG))
    cadre = client_for(world.viewers["cadre_tudi"])

    assert douwang.get(reverse("web:listing", args=[listing.public_id])).status_code == 404
    url = reverse("web:listing_target_done", args=[listing.public_id, target.pk])
    assert douwang.post(url, {"note": "x"}).status_code == 404
    assert cadre.post(reverse("web:listings"), {"title": "x"}).status_code == 403
    assert cadre.post(reverse("web:listing_delist", args=[listing.public_id])).status_code == 403
    target.refresh_from_db()
    assert target.done_on is None
    listing.refresh_from_db()
    assert listing.status == "active"
