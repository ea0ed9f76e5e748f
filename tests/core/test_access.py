"""Roles, capabilities, scope prefixes and role assignment (三员 separation)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from fangpin.core.access import (
    CAPABILITIES,
    ROLE_LEVELS,
    SYSTEM,
    user_can,
    user_capabilities,
)
from fangpin.core.accounts import user_role_assign
from fangpin.core.errors import AccessError
from fangpin.core.models import AuditEvent, Region, Role, User
from fangpin.core.scope import scope_covers, scope_prefix

# The table of docs/access.md, written out cell by cell (never derived from the code).
EXPECTED: dict[str, set[str]] = {
    Role.VILLAGE_CADRE: {
        "registry.view",
        "registry.edit",
        "clue.verify",
        "case.decide",
        "plan.edit",
    },
    Role.TOWNSHIP_REVIEWER: {
        "registry.view",
        "registry.edit",
        "clue.verify",
        "case.decide",
        "plan.edit",
    },
    Role.COUNTY_APPROVER: {
        "registry.view",
        "registry.edit",
        "pi.reveal",
        "screening.run",
        "case.decide",
        "plan.edit",
        "export.approve",
    },
    Role.DEPARTMENT_OFFICER: {"feeds.import", "registry.view"},
    Role.INSPECTOR: {"registry.view", "findings.write"},
    Role.AUDITOR: {"audit.view"},
    Role.SYSTEM_ADMIN: {"users.manage"},
    Role.SECURITY_ADMIN: {"roles.manage"},
}
ALL_CAPABILITIES = [
    "registry.view",
    "registry.edit",
    "pi.reveal",
    "audit.view",
    "users.manage",
    "roles.manage",
    "findings.write",
    "feeds.import",
    "screening.run",
    "clue.verify",
    "case.decide",
    "plan.edit",
    "export.approve",
]
HOME = {  # a home region each role may have
    Role.VILLAGE_CADRE: "433124102201",
    Role.TOWNSHIP_REVIEWER: "433124102000",
    Role.COUNTY_APPROVER: "433124000000",
    Role.DEPARTMENT_OFFICER: "433100000000",
    Role.INSPECTOR: "430000000000",
    Role.AUDITOR: "433124000000",
    Role.SYSTEM_ADMIN: None,
    Role.SECURITY_ADMIN: None,
}


def _user(role: str = "", home: str | None = None, **flags: Any) -> User:
    """An unsaved account (user_can and scope_prefix need no database)."""
    return User(username=f"u_{role or 'none'}", role=role, home_region_id=home, **flags)


def test_the_capability_list_is_exactly_thirteen() -> None:
    assert set(CAPABILITIES) == set(ALL_CAPABILITIES)
    assert set(EXPECTED) == set(Role.values)


@pytest.mark.parametrize("capability", ALL_CAPABILITIES)
@pytest.mark.parametrize("role", Role.values)
def test_capability_table(role: str, capability: str) -> None:
    assert user_can(_user(role, HOME[role]), capability) is (capability in EXPECTED[role])


@pytest.mark.parametrize("capability", ALL_CAPABILITIES)
def test_a_superuser_without_a_role_can_do_nothing(capability: str) -> None:
    root = _user(is_superuser=True, is_staff=True)
    assert user_can(root, capability) is False


def test_the_superuser_flag_adds_nothing_to_a_role() -> None:
    auditor = _user(Role.AUDITOR, "433124000000", is_superuser=True)
    assert user_capabilities(auditor) == frozenset({"audit.view"})
    assert scope_prefix(auditor) is None


@pytest.mark.parametrize("role", Role.values)
def test_an_inactive_account_can_do_nothing(role: str) -> None:
    user = _user(role, HOME[role], is_active=False)
    assert user_capabilities(user) == frozenset()
    assert scope_prefix(user) is None


def test_anonymous_and_unknown_roles_can_do_nothing() -> None:
    assert user_capabilities(AnonymousUser()) == frozenset()
    assert user_capabilities(_user("root", "433124000000")) == frozenset()
    assert user_capabilities(None) == frozenset()


def test_an_unknown_capability_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match=r"unknown capability 'registry\.veiw'"):
        user_can(_user(Role.COUNTY_APPROVER, "433124000000"), "registry.veiw")


def test_system_holds_everything_everywhere() -> None:
    assert user_capabilities(SYSTEM) == CAPABILITIES
    assert scope_prefix(SYSTEM) == ""
    assert scope_covers(SYSTEM, "110101001001") is True


@pytest.mark.parametrize(
    ("role", "home", "prefix"),
    [
        (Role.VILLAGE_CADRE, "433124102201", "433124102201"),
        (Role.TOWNSHIP_REVIEWER, "433124102000", "433124102"),
        (Role.COUNTY_APPROVER, "433124000000", "433124"),
        (Role.DEPARTMENT_OFFICER, "433100000000", "4331"),
        (Role.INSPECTOR, "430000000000", "43"),
        (Role.INSPECTOR, "441900000000", "4419"),  # 东莞: no counties below the prefecture
        (Role.COUNTY_APPROVER, None, None),  # no home region: nothing
        (Role.COUNTY_APPROVER, "4331240", None),  # unparseable: nothing
        (Role.AUDITOR, "433124000000", None),  # no household data at all
        (Role.SYSTEM_ADMIN, "433124000000", None),
        (Role.SECURITY_ADMIN, None, None),
        ("", "433124000000", None),
    ],
)
def test_scope_prefix(role: str, home: str | None, prefix: str | None) -> None:
    assert scope_prefix(_user(role, home)) == prefix


def test_scope_covers_the_subtree_only() -> None:
    township = _user(Role.TOWNSHIP_REVIEWER, "433124102000")
    assert scope_covers(township, "433124102201") is True
    assert scope_covers(township, "433124102000") is True
    assert scope_covers(township, "433124103201") is False
    assert scope_covers(township, "433122102201") is False
    assert scope_covers(township, "433124102201", capability="pi.reveal") is False


def test_role_levels_table() -> None:
    levels = dict(ROLE_LEVELS)
    assert levels == {
        Role.VILLAGE_CADRE: {5},
        Role.TOWNSHIP_REVIEWER: {4},
        Role.COUNTY_APPROVER: {3},
        Role.DEPARTMENT_OFFICER: {1, 2, 3},
        Role.INSPECTOR: {1, 2, 3},
        Role.AUDITOR: {1, 2, 3},
        Role.SYSTEM_ADMIN: {None, 1, 2, 3, 4, 5},
        Role.SECURITY_ADMIN: {None, 1, 2, 3, 4, 5},
    }


# --- role assignment ----------------------------------------------------------------------------


@pytest.fixture
def regions(db: Any) -> dict[int, Region]:
    """One region per level (湖南省 › 湘西州 › 花垣县 › 龙潭镇 › 土地村), an abolished village."""
    rows = [
        ("430000000000", "湖南省", 1, None),
        ("433100000000", "湘西土家族苗族自治州", 2, "430000000000"),
        ("433124000000", "花垣县", 3, "433100000000"),
        ("433124102000", "龙潭镇", 4, "433124000000"),
        ("433124102201", "土地村", 5, "433124102000"),
    ]
    created = Region.objects.bulk_create(
        Region(code=code, name=name, level=level, parent_id=parent)
        for code, name, level, parent in rows
    )
    Region.objects.create(
        code="433124102299",
        name="旧村",
        level=5,
        parent_id="433124102000",
        valid_to=date(2020, 12, 31),
    )
    return {region.level: region for region in created}


@pytest.fixture
def security_admin(regions: dict[int, Region]) -> User:
    return User.objects.create_user(
        username="sec", password=None, role=Role.SECURITY_ADMIN, is_staff=True
    )


@pytest.fixture
def clerk(regions: dict[int, Region]) -> User:
    return User.objects.create_user(username="clerk", password=None, is_staff=True)


def _state(user: User) -> tuple[str, str | None]:
    user.refresh_from_db()
    return user.role, user.home_region_id


def _audit_counts() -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for action, result in AuditEvent.objects.values_list("action", "result"):
        counts[(action, result)] = counts.get((action, result), 0) + 1
    return counts


LEVEL_NAMES = {1: "省级", 2: "地级", 3: "县级", 4: "乡级", 5: "村级"}


@pytest.mark.parametrize("level", [None, 1, 2, 3, 4, 5])
@pytest.mark.parametrize("role", Role.values)
def test_role_assignment_follows_the_level_rules(
    regions: dict[int, Region], security_admin: User, clerk: User, role: str, level: int | None
) -> None:
    home = regions[level] if level is not None else None
    allowed = ROLE_LEVELS[role]
    if level in allowed:
        user_role_assign(actor=security_admin, user=clerk, role=role, home_region=home)
        assert _state(clerk) == (role, home.pk if home else None)
        return
    with pytest.raises(AccessError) as refused:
        user_role_assign(actor=security_admin, user=clerk, role=role, home_region=home)
    assert _state(clerk) == ("", None)
    assert _audit_counts() == {}
    label = Role(role).label
    levels = "、".join(LEVEL_NAMES[x] for x in sorted(x for x in allowed if x))
    if home is None:
        assert (refused.value.code, refused.value.message) == (
            "region_required",
            f"{label}必须有所属区划（{levels}）",
        )
    else:
        assert (refused.value.code, refused.value.message) == (
            "region_level",
            f"{label}的所属区划应为{levels}区划，“{home.name}”是{LEVEL_NAMES[home.level]}区划",
        )


def test_role_assignment_is_audited_with_old_and_new_values(
    regions: dict[int, Region], security_admin: User, clerk: User
) -> None:
    user_role_assign(
        actor=security_admin, user=clerk, role=Role.VILLAGE_CADRE, home_region=regions[5]
    )
    user_role_assign(
        actor=security_admin, user=clerk, role=Role.TOWNSHIP_REVIEWER, home_region=regions[4]
    )
    events = list(
        AuditEvent.objects.filter(action="user.role_assign").values_list(
            "actor_label", "object_type", "object_id", "changes", "result"
        )
    )
    assert events == [
        (
            "sec",
            "user",
            str(clerk.pk),
            {"role": ["", "village_cadre"], "home_region": [None, "433124102201"]},
            "success",
        ),
        (
            "sec",
            "user",
            str(clerk.pk),
            {
                "role": ["village_cadre", "township_reviewer"],
                "home_region": ["433124102201", "433124102000"],
            },
            "success",
        ),
    ]
    assert _state(clerk) == ("township_reviewer", "433124102000")


def test_an_assignment_that_changes_nothing_writes_nothing(
    regions: dict[int, Region], security_admin: User, clerk: User
) -> None:
    user_role_assign(actor=security_admin, user=clerk, role=Role.AUDITOR, home_region=regions[3])
    before = _audit_counts()
    user_role_assign(actor=security_admin, user=clerk, role=Role.AUDITOR, home_region=regions[3])
    assert _audit_counts() == before == {("user.role_assign", "success"): 1}


def test_taking_a_role_away(regions: dict[int, Region], security_admin: User, clerk: User) -> None:
    user_role_assign(actor=security_admin, user=clerk, role=Role.AUDITOR, home_region=regions[3])
    user_role_assign(actor=security_admin, user=clerk, role="", home_region=None)
    assert _state(clerk) == ("", None)
    with pytest.raises(AccessError) as refused:
        user_role_assign(actor=security_admin, user=clerk, role="", home_region=regions[3])
    assert (refused.value.code, refused.value.message) == (
        "region_level",
        "未分配角色的账号不能有所属区划",
    )


def test_a_system_actor_may_assign_the_first_roles(regions: dict[int, Region], clerk: User) -> None:
    user_role_assign(actor="system:cli", user=clerk, role=Role.SECURITY_ADMIN, home_region=None)
    assert _state(clerk) == ("security_admin", None)
    event = AuditEvent.objects.get(action="user.role_assign")
    assert (event.actor_id, event.actor_label) == (None, "system:cli")


@pytest.mark.parametrize(
    ("role", "home", "code", "message"),
    [
        ("root", None, "role", "角色“root”不存在"),
        (Role.VILLAGE_CADRE, "433124102299", "region_abolished", "“旧村”已撤销，不能作为所属区划"),
    ],
)
def test_role_assignment_refusals(
    regions: dict[int, Region],
    security_admin: User,
    clerk: User,
    role: str,
    home: str | None,
    code: str,
    message: str,
) -> None:
    region = Region.objects.get(code=home) if home else None
    with pytest.raises(AccessError) as refused:
        user_role_assign(actor=security_admin, user=clerk, role=role, home_region=region)
    assert (refused.value.code, refused.value.message) == (code, message)
    assert _state(clerk) == ("", None)
    assert _audit_counts() == {}


@pytest.mark.parametrize(
    "actor_role", [r for r in Role.values if r != Role.SECURITY_ADMIN] + ["superuser"]
)
def test_only_the_security_admin_assigns_roles(
    regions: dict[int, Region], clerk: User, actor_role: str
) -> None:
    if actor_role == "superuser":
        actor = User.objects.create_superuser(username="root", password=None)
    else:
        actor = User.objects.create_user(
            username="other", password=None, role=actor_role, home_region_id=HOME[actor_role]
        )
    with pytest.raises(AccessError) as refused:
        user_role_assign(actor=actor, user=clerk, role=Role.COUNTY_APPROVER, home_region=regions[3])
    assert (refused.value.code, refused.value.message) == ("forbidden", "当前账号无权分配角色")
    assert _state(clerk) == ("", None)
    denial = AuditEvent.objects.get()
    assert (
        denial.action,
        denial.result,
        denial.actor_id,
        denial.object_id,
        denial.changes,
    ) == (
        "authz.denied",
        "denied",
        actor.pk,
        str(clerk.pk),
        {"attempted": "user.role_assign", "reason": "capability", "role": "county_approver"},
    )


def test_an_inactive_security_admin_assigns_nothing(
    regions: dict[int, Region], security_admin: User, clerk: User
) -> None:
    User.objects.filter(pk=security_admin.pk).update(is_active=False)
    security_admin.refresh_from_db()
    with pytest.raises(AccessError) as refused:
        user_role_assign(actor=security_admin, user=clerk, role=Role.AUDITOR, home_region=None)
    assert refused.value.code == "forbidden"
    assert _state(clerk) == ("", None)


def test_nobody_changes_their_own_role(regions: dict[int, Region], security_admin: User) -> None:
    with pytest.raises(AccessError) as refused:
        user_role_assign(
            actor=security_admin, user=security_admin, role=Role.AUDITOR, home_region=regions[3]
        )
    assert (refused.value.code, refused.value.message) == (
        "self",
        "不能更改自己的角色，请由另一名安全管理员办理",
    )
    assert _state(security_admin) == ("security_admin", None)
    assert _audit_counts() == {("authz.denied", "denied"): 1}
