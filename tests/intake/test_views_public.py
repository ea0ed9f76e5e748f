"""The public form: no login, CSRF, human check, consent, rate limits, thank-you page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from fangpin.core.models import AuditEvent, Region
from fangpin.intake.models import Declaration
from fangpin.registry.models import Household
from tests.intake.conftest import DOUWANG, STRANGER_ID, TUDI, form_data, snapshot

pytestmark = pytest.mark.django_db

_REFERENCE = re.compile(r'id="reference">(SB[0-9A-Z]{8})<')


def _post(
    client: Client, data: dict[str, Any], path: str = "/declare/", ip: str = "10.0.0.1"
) -> Any:
    return client.post(path, data, REMOTE_ADDR=ip)


def test_the_form_needs_no_login_and_shows_consent_and_a_question(
    village: Region, family: Household
) -> None:
    response = Client().get("/declare/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "农户自主申报" in html
    assert "个人信息处理告知" in html
    assert "保存多久：未转为核实线索的申报，自处理之日起保存365天后删除" in html
    assert re.search(
        r'id="human-question">[一二三四五六七八九十]加[一二三四五六七八九十]等于多少？<', html
    )
    assert f'<option value="{TUDI}">土地村</option>' in html
    assert f'<option value="{DOUWANG}">豆旺村</option>' in html
    assert "no-store" in response["Cache-Control"]


def test_the_qr_link_presets_the_village(village: Region) -> None:
    response = Client().get(f"/declare/{TUDI}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<input type="hidden" name="village" value="{TUDI}">' in html
    assert "龙潭镇土地村" in html
    assert '<select name="village"' not in html


@pytest.mark.parametrize("code", ["433124102299", "433124102000"])
def test_an_unknown_or_non_village_code_is_404(village: Region, code: str) -> None:
    assert Client().get(f"/declare/{code}/").status_code == 404


def test_a_valid_declaration_is_stored_and_thanked_with_a_reference(village: Region) -> None:
    client = Client()

    response = _post(client, form_data())

    assert response.status_code == 302
    assert response["Location"].startswith("/declare/thanks/?t=")
    declaration = Declaration.objects.get()
    assert declaration.village_id == TUDI
    assert declaration.name_masked == "彭**"
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert _REFERENCE.findall(thanks.content.decode()) == [declaration.reference]
    assert STRANGER_ID not in thanks.content.decode()
    event = AuditEvent.objects.get(action="declaration.submit")
    assert event.ip == "10.0.0.1"
    assert event.actor_label == "public:declare"


def test_the_qr_form_stores_the_preset_village_whatever_is_posted(village: Region) -> None:
    response = _post(Client(), form_data(village=DOUWANG), path=f"/declare/{TUDI}/")

    assert response.status_code == 302
    assert Declaration.objects.get().village_id == TUDI


def test_a_forged_thank_you_link_is_404(village: Region) -> None:
    assert Client().get("/declare/thanks/?t=SB23456789").status_code == 404
    assert Client().get("/declare/thanks/").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"id_number": "433124197503085550"},
            "id_number",
            "身份证号码无效：校验位不正确，请核对后重新填写",
        ),
        ({"id_number": ""}, "id_number", "请填写身份证号码"),
        (
            {"phone": "1390743"},
            "phone",
            "联系电话格式不正确：应为11位手机号码，或区号加电话号码（如0743-8521234）",
        ),
        ({"village": "433124102299"}, "village", "区划代码“433124102299”不存在"),
        ({"village": "433124102000"}, "village", "“龙潭镇”不是村级区划，请选择所在村"),
        ({"risk_type": ""}, "risk_type", "请选择风险类型"),
        ({"difficulty": ""}, "difficulty", "请简要说明遇到的困难"),
        ({"name": ""}, "name", "姓名不能为空"),
        ({"consent": None}, "consent", "请阅读并勾选同意个人信息处理告知"),
        (
            {"human_answer": "99"},
            "human_answer",
            "验证题答案不正确或已过期，请计算新的题目后重新提交",
        ),
        (
            {"human_token": "forged"},
            "human_answer",
            "验证题答案不正确或已过期，请计算新的题目后重新提交",
        ),
    ],
)
def test_a_bad_form_stores_nothing_and_says_why_in_chinese(
    village: Region, overrides: dict[str, Any], field: str, message: str
) -> None:
    before = snapshot()

    response = _post(Client(), form_data(**overrides))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert snapshot() == before
    assert Declaration.objects.count() == 0


def test_a_failed_form_asks_a_new_question_and_keeps_no_answer(village: Region) -> None:
    data = form_data(human_answer="99")

    response = _post(Client(), data)

    html = response.content.decode()
    assert f'value="{data["human_token"]}"' not in html
    assert (
        'name="human_answer" id="id_human_answer" maxlength="8" inputmode="numeric" '
        'autocomplete="off" required value=""' in html
    )


def test_a_solved_question_cannot_be_replayed(village: Region) -> None:
    data = form_data()
    client = Client()
    assert _post(client, data).status_code == 302

    again = _post(client, {**data, "phone": "13907439999"})

    assert again.status_code == 200
    assert "human_answer" in again.context["form"].errors
    assert Declaration.objects.count() == 1


def test_the_form_is_csrf_protected(village: Region) -> None:
    client = Client(enforce_csrf_checks=True)

    response = _post(client, form_data())

    assert response.status_code == 403
    assert Declaration.objects.count() == 0


def test_the_form_takes_get_and_post_only(village: Region) -> None:
    assert Client().put("/declare/").status_code == 405


# --- Rate limits ---------------------------------------------------------------------------


def _ids(count: int) -> list[str]:
    from datetime import date

    from fangpin import idnumber

    return [idnumber.build("433124", date(1980, 1, 1 + i), 301 + 2 * i) for i in range(count)]


def test_an_ip_gets_five_declarations_an_hour_then_429(village: Region) -> None:
    client = Client()
    for number in _ids(5):
        assert _post(client, form_data(id_number=number)).status_code == 302
    before = snapshot()

    response = _post(client, form_data(id_number=_ids(6)[5]))

    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    html = response.content.decode()
    assert "提交过于频繁，请一小时后再试；如有急事，请直接联系村委或拨打12317。" in html
    assert _ids(6)[5] not in html
    assert "彭小红" not in html
    assert snapshot() == before
    assert Declaration.objects.count() == 5
    # Another client is not affected.
    assert _post(client, form_data(id_number=_ids(6)[5]), ip="10.0.0.2").status_code == 302


def test_an_id_number_gets_three_declarations_a_day_then_429(village: Region) -> None:
    client = Client()
    for i in range(3):
        assert _post(client, form_data(), ip=f"10.0.1.{i}").status_code == 302
    before = snapshot()

    response = _post(client, form_data(), ip="10.0.1.9")

    assert response.status_code == 429
    assert STRANGER_ID not in response.content.decode()
    assert snapshot() == before
    assert Declaration.objects.count() == 3


def test_guessing_the_question_is_limited_per_ip(village: Region, settings: Any) -> None:
    settings.FANGPIN_INTAKE_IP_ATTEMPTS_PER_HOUR = 3
    client = Client()
    for _ in range(3):
        assert _post(client, form_data(human_answer="99")).status_code == 200

    response = _post(client, form_data())

    assert response.status_code == 429
    assert Declaration.objects.count() == 0


def test_the_limits_are_counted_under_hashes_not_plain_values(village: Region) -> None:
    from django.core.cache import cache

    _post(Client(), form_data(), ip="10.9.8.7")

    keys = list(cache._cache.keys())  # type: ignore[attr-defined]  # LocMemCache in tests
    assert keys
    assert not any("10.9.8.7" in key or STRANGER_ID in key for key in keys)


def test_no_id_or_phone_number_reaches_the_logs(
    village: Region, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client()
    with caplog.at_level("DEBUG"):
        _post(client, form_data(id_number="433124197503085550"))
        for _ in range(5):
            _post(client, form_data())
        _post(client, form_data())  # the ID number's limit: 429

    text = "\n".join(record.getMessage() for record in caplog.records)
    assert re.findall(r"\d{17}[\dXx]", text) == []
    assert re.findall(r"1[3-9]\d{9}", text) == []
    assert "Too Many Requests: /declare/" in text
