"""Demo accounts. Demo-only: refuses to run outside FANGPIN_MODE=demo or test.

One login per level of the county. What each sees follows from its role and home region
(``fangpin.core.access`` and ``fangpin.core.scope``), not from Django permissions: the demo
system administrator manages accounts but sees no household data, the auditor sees only the
audit log. No demo account is a Django superuser.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fangpin.core.accounts import user_role_assign
from fangpin.core.audit import audit_record
from fangpin.core.models import Region, RegionLevel, Role, User


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    password: str
    description: str


def _password() -> str:
    return f"fp-{secrets.token_urlsafe(9)}"


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
    # (username, description, role, home region)
    specs: list[tuple[str, str, str, Region | None]] = [
        ("demo_admin", f"系统管理员（{county.name}演示，不看农户数据）", Role.SYSTEM_ADMIN, None),
        (
            f"county_{county_code}",
            f"县级审定（{county.name}乡村振兴局）",
            Role.COUNTY_APPROVER,
            county,
        ),
    ]
    if township is not None:
        specs.append(
            (
                f"township_{township.code[:9]}",
                f"乡镇审核（{township.name}）",
                Role.TOWNSHIP_REVIEWER,
                township,
            )
        )
        # A second township official: the one who records the department data comparison may
        # not also review the dossier (nobody approves their own submission, docs/procedure.md).
        specs.append(
            (
                f"township_{township.code[:9]}_b",
                f"乡镇审核（{township.name}，第二审核人）",
                Role.TOWNSHIP_REVIEWER,
                township,
            )
        )
    if village is not None:
        specs.append(
            (f"village_{village.code}", f"村级录入（{village.name}）", Role.VILLAGE_CADRE, village)
        )
    specs.append((f"auditor_{county_code}", "审计员（只看审计日志）", Role.AUDITOR, county))
    specs.append(
        (
            f"officer_{county_code}",
            f"部门数据专员（{county.name}，上传部门数据）",
            Role.DEPARTMENT_OFFICER,
            county,
        )
    )
    specs.append(
        (f"inspector_{county_code}", f"督查评估（{county.name}，只读）", Role.INSPECTOR, county)
    )
    specs.append(
        ("demo_security", "安全管理员（分配角色，不看农户数据）", Role.SECURITY_ADMIN, None)
    )

    logins = []
    for username, description, role, home in specs:
        password = _password()
        user, _created = User.objects.get_or_create(username=username)
        user.set_password(password)
        user.password_changed_at = timezone.now()  # demo logins are not forced to change it
        user.is_staff = True  # may log into the admin; what it shows follows the role
        user.is_superuser = False
        user.first_name = description[:150]
        user.save()
        user.user_permissions.clear()  # model permissions grant nothing; keep none around
        user_role_assign(actor=actor, user=user, role=role, home_region=home)
        audit_record(
            actor=actor,
            action="user.demo_create",
            object_type="user",
            object_id=user.pk,
            changes={"username": username, "description": description, "role": role},
        )
        logins.append(DemoLogin(username=username, password=password, description=description))
    return logins
