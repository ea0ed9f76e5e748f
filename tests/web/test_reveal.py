"""显示完整号码: only with pi.reveal, with a reason, audited by the service."""

from __future__ import annotations

from datetime import date
from typing import Any

from fangpin import idnumber
from fangpin.core.models import AuditEvent
from fangpin.registry.models import Household
from tests.registry.conftest import member
from tests.web.conftest import client_for

HEAD_ID = idnumber.build("433124", date(1980, 5, 1), 3)


def test_the_county_approver_sees_the_full_number_and_it_is_audited(
    family: Household, actor: Any
) -> None:
    client = client_for(actor)
    page = client.get(f"/households/{family.public_id}/").content.decode()
    assert "显示完整号码" in page
    head = member(family, "张三")
    before = AuditEvent.objects.filter(action="data.reveal").count()

    response = client.post(
        f"/households/{family.public_id}/reveal/",
        {"person": head.pk, "field": "id_number", "reason": "核对低保申请"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert HEAD_ID in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.filter(action="data.reveal").latest("pk")
    assert AuditEvent.objects.filter(action="data.reveal").count() == before + 1
    assert event.changes == {"field": "id_number", "reason": "核对低保申请"}


def test_a_reveal_without_a_reason_shows_nothing(family: Household, actor: Any) -> None:
    client = client_for(actor)
    head = member(family, "张三")
    before = AuditEvent.objects.filter(action="data.reveal").count()

    response = client.post(
        f"/households/{family.public_id}/reveal/",
        {"person": head.pk, "field": "id_number", "reason": ""},
    )

    assert response.status_code == 400
    assert HEAD_ID not in response.content.decode()
    assert AuditEvent.objects.filter(action="data.reveal").count() == before


def test_a_cadre_has_no_reveal_button_and_is_refused(family: Household, tudi_cadre: Any) -> None:
    client = client_for(tudi_cadre)
    assert "显示完整号码" not in client.get(f"/households/{family.public_id}/").content.decode()
    head = member(family, "张三")

    response = client.post(
        f"/households/{family.public_id}/reveal/",
        {"person": head.pk, "field": "id_number", "reason": "好奇"},
    )

    assert response.status_code == 400
    assert "当前账号无权查看证件号码或联系电话明文" in response.content.decode()
    assert HEAD_ID not in response.content.decode()
    assert AuditEvent.objects.filter(action="data.reveal").count() == 0


def test_a_reveal_outside_the_scope_is_404(family: Household, luxi_approver: Any) -> None:
    head = member(family, "张三")
    response = client_for(luxi_approver).post(
        f"/households/{family.public_id}/reveal/",
        {"person": head.pk, "field": "id_number", "reason": "核对"},
    )

    assert response.status_code == 404
    assert HEAD_ID not in response.content.decode()
