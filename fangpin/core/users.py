"""Demo accounts. Demo-only: refuses to run outside FANGPIN_MODE=demo or test.

Roles, home regions and region scope arrive with the access-and-trust work; until then the
demo accounts differ only in what the (read-only) admin lets them view.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import transaction

from fangpin.core.audit import audit_record
from fangpin.core.models import Region, RegionLevel, Role, User

_REGISTRY_MODELS = (
    "household",
    "person",
    "householdfinance",
    "householdcondition",
    "membershipevent",
    "householdstatuschange",
)


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    password: str
    description: str


def _password() -> str:
    return f"fp-{secrets.token_urlsafe(9)}"


def _view_permissions(*, registry: bool, regions: bool, audit: bool) -> list[Permission]:
    codenames: list[str] = []
    if registry:
        codenames += [f"view_{model}" for model in _REGISTRY_MODELS]
    if regions:
        codenames.append("view_region")
    if audit:
        codenames.append("view_auditevent")
    return list(Permission.objects.filter(codename__in=codenames))


@transaction.atomic
def demo_users_create(*, county_code: str, actor: object) -> list[DemoLogin]:
    """Create (or reset) one demo login per level of the county, with fresh random passwords."""
    if settings.MODE not in {"demo", "test"}:
        raise RuntimeError("demo accounts exist only in FANGPIN_MODE=demo")
    county = Region.objects.get(code=f"{county_code}000000")
    township = (
        Region.objects.filter(parent=county, level=RegionLevel.TOWNSHIP).order_by("code").first()
    )
    villages = Region.objects.filter(parent=township, level=RegionLevel.VILLAGE).order_by("code")
    # Prefer a village committee (村委会, village digits 200–399) over a neighbourhood committee.
    village = (
        (villages.filter(code__regex=r"^\d{9}[2-3]\d{2}$").first() or villages.first())
        if township
        else None
    )
    # (username, description, superuser, role, home region, (registry, regions, audit) views)
    specs: list[tuple[str, str, bool, str, Region | None, tuple[bool, bool, bool]]] = [
        (
            "demo_admin",
            f"系统管理员（{county.name}演示）",
            True,
            Role.SYSTEM_ADMIN,
            None,
            (False, False, False),
        ),
        (
            f"county_{county_code}",
            f"县级审定（{county.name}乡村振兴局）",
            False,
            Role.COUNTY_APPROVER,
            county,
            (True, True, False),
        ),
    ]
    if township is not None:
        specs.append(
            (
                f"township_{township.code[:9]}",
                f"乡镇审核（{township.name}）",
                False,
                Role.TOWNSHIP_REVIEWER,
                township,
                (True, True, False),
            )
        )
    if village is not None:
        specs.append(
            (
                f"village_{village.code}",
                f"村级录入（{village.name}）",
                False,
                Role.VILLAGE_CADRE,
                village,
                (True, True, False),
            )
        )
    specs.append(
        (
            f"auditor_{county_code}",
            "审计员（只看审计日志）",
            False,
            Role.AUDITOR,
            county,
            (False, False, True),
        )
    )

    logins = []
    for username, description, is_superuser, role, home, (registry, regions, audit) in specs:
        password = _password()
        user, _created = User.objects.get_or_create(username=username)
        user.set_password(password)
        user.is_staff = True
        user.is_superuser = is_superuser
        user.first_name = description[:150]
        user.role = role
        user.home_region = home
        user.save()
        user.user_permissions.set(
            _view_permissions(registry=registry, regions=regions, audit=audit)
        )
        audit_record(
            actor=actor,
            action="user.demo_create",
            object_type="user",
            object_id=user.pk,
            changes={"username": username, "description": description, "role": role},
        )
        logins.append(DemoLogin(username=username, password=password, description=description))
    return logins
