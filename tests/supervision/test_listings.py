"""挂牌督战 (listing_create, listing_target_done, listing_delist, listing_progress): items done
by the region, 摘牌 only when every item is done and the region is zeroed; scope and rights."""

from __future__ import annotations

from datetime import date

import pytest

from fangpin.core.models import AuditEvent, Role, User
from fangpin.supervision.errors import SupervisionError
from fangpin.supervision.models import ListedRegion, ListingTarget
from fangpin.supervision.selectors import listing_list, listing_progress
from fangpin.supervision.services import listing_create, listing_delist, listing_target_done
from tests.registry.conftest import DOUWANG, HUAYUAN_COUNTY, TUDI, World, make_user
from tests.supervision.test_services import decide, record

LISTED = date(2026, 2, 1)
TODAY = date(2026, 4, 15)


def supervisor() -> User:
    return make_user("inspector_huayuan", Role.INSPECTOR, HUAYUAN_COUNTY)


def listed(actor: User, region: str = TUDI) -> ListedRegion:
    return listing_create(
        actor=actor,
        region_code=region,
        title="2026年挂牌督战村",
        listed_on=LISTED,
        deadline=date(2026, 6, 30),
        targets=[
            ("适龄儿童全部入学", "education", date(2026, 3, 31)),
            ("危房改造全部完成", "housing", date(2026, 5, 31)),
        ],
    )


def test_progress_items_and_delisting_only_when_zeroed(world: World) -> None:
    inspector = supervisor()
    cadre = world.viewers["cadre_tudi"]
    listing = listed(inspector)
    problem = record(inspector)  # 土地村 housing problem: open

    progress = listing_progress(listing, TODAY)
    assert (progress.targets, progress.done, progress.overdue_targets) == (2, 0, 1)
    assert (progress.problems_open, progress.problems_overdue, progress.days_left) == (1, 1, 76)
    assert not progress.may_delist

    first, second = ListingTarget.objects.filter(listing=listing).order_by("deadline")
    listing_target_done(actor=cadre, target_id=first.pk, on=TODAY, note="全部入学")
    with pytest.raises(SupervisionError) as twice:
        listing_target_done(actor=cadre, target_id=first.pk, on=TODAY, note="再次")
    assert (twice.value.code, twice.value.conflict) == ("stale", True)
    listing_target_done(actor=cadre, target_id=second.pk, on=TODAY, note="改造完成")
    with pytest.raises(SupervisionError) as not_zero:
        listing_delist(actor=inspector, public_id=listing.public_id, on=TODAY)
    assert not_zero.value.message == "辖区内还有 1 个问题未销号（未清零），不能摘牌"

    decide(cadre, problem, "report_fixed", note="改", evidence=["照"])
    decide(inspector, problem, "close", note="核")
    done = listing_delist(actor=inspector, public_id=listing.public_id, on=TODAY)

    assert (done.status, done.delisted_on, done.delisted_by) == (
        "delisted",
        TODAY,
        "inspector_huayuan",
    )
    actions = list(
        AuditEvent.objects.filter(object_type="listing")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "listing.create",
        "listing.target_done",
        "listing.target_done",
        "listing.delist",
    ]


def test_items_must_be_done_before_delisting(world: World) -> None:
    inspector = supervisor()
    listing = listed(inspector)

    with pytest.raises(SupervisionError) as caught:
        listing_delist(actor=inspector, public_id=listing.public_id, on=TODAY)

    assert caught.value.message == "还有 2 项督战事项未完成，不能摘牌"
    assert ListedRegion.objects.get().status == "active"


def test_rights_scope_and_bad_listings(world: World) -> None:
    inspector = supervisor()
    listing = listed(inspector)
    target = ListingTarget.objects.filter(listing=listing).first()
    assert target is not None
    codes = []
    for call in [
        lambda: listed(world.viewers["cadre_tudi"]),  # a village cannot list itself
        lambda: listed(world.viewers["inspector_luxi"]),  # 泸溪县's inspector: outside
        lambda: listing_target_done(
            actor=make_user("cadre_douwang", Role.VILLAGE_CADRE, DOUWANG),
            target_id=target.pk,
            on=TODAY,
            note="x",
        ),
        lambda: listing_create(
            actor=inspector,
            region_code=TUDI,
            title="x",
            listed_on=LISTED,
            deadline=LISTED,
            targets=[],
        ),
        lambda: listing_create(
            actor=inspector,
            region_code=TUDI,
            title="x",
            listed_on=LISTED,
            deadline=date(2026, 3, 1),
            targets=[("事项", "education", date(2026, 4, 1))],
        ),
    ]:
        with pytest.raises(SupervisionError) as caught:
            call()
        codes.append(caught.value.code)

    assert codes == ["forbidden", "region", "not_found", "listing", "listing"]
    assert ListedRegion.objects.count() == 1


def test_who_sees_a_listing(world: World) -> None:
    inspector = supervisor()
    township = listed(inspector, region="433124102000")

    assert list(listing_list(user=world.viewers["cadre_tudi"])) == [township]  # its township
    assert list(listing_list(user=world.viewers["county_huayuan"])) == [township]
    assert list(listing_list(user=world.viewers["inspector_luxi"])) == []
