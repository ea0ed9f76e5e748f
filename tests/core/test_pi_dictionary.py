"""SEC-MIN-1: every field that looks like personal information is in the inventory."""

from __future__ import annotations

import re

from django.apps import apps
from django.db.models import Field

from fangpin.core.pi_dictionary import NOT_PI, PI_REGISTRY, SENSITIVE

#: Field names and Chinese labels that suggest personal information.
_NAME = re.compile(
    r"name|id_number|id_type|phone|address|birth|health|disab|bank|ethnic|income|email|"
    r"password|^hash$|^ip$|^sex$|relation|village|actor_label",
    re.IGNORECASE,
)
_LABEL = re.compile(r"姓名|证件|电话|住址|地址|出生|健康|残疾|银行|民族|收入|邮箱|密码|性别|IP")


def _our_fields() -> dict[str, Field]:  # type: ignore[type-arg]
    fields = {}
    for model in apps.get_models():
        if not (model.__module__.startswith("fangpin.") or model._meta.label == "core.User"):
            continue
        for field in model._meta.concrete_fields:
            fields[f"{model._meta.label}.{field.name}"] = field
    return fields


def _covered(key: str) -> bool:
    model = key.rsplit(".", 1)[0]
    return key in PI_REGISTRY or f"{model}.*" in PI_REGISTRY or key in NOT_PI


def test_every_field_that_looks_personal_is_registered() -> None:
    suspicious = {
        key
        for key, field in _our_fields().items()
        if _NAME.search(field.name) or _LABEL.search(str(field.verbose_name))
    }

    unregistered = sorted(k for k in suspicious if not _covered(k))

    assert unregistered == [], (
        f"add these fields to fangpin/core/pi_dictionary.py (PI_REGISTRY or NOT_PI): {unregistered}"
    )


def test_the_inventory_names_only_fields_that_exist() -> None:
    fields = _our_fields()
    models = {key.rsplit(".", 1)[0] for key in fields}

    for key in [*PI_REGISTRY, *NOT_PI]:
        if key.endswith(".*"):
            assert key[:-2] in models, key
        else:
            assert key in fields, key


def test_identity_and_health_fields_are_sensitive_and_encrypted() -> None:
    for key in ("registry.Person.id_number_encrypted", "registry.Person.health_encrypted"):
        entry = PI_REGISTRY[key]
        assert entry.category == SENSITIVE
        assert "加密存储" in entry.protection


def test_no_plain_health_or_id_column_exists() -> None:
    person = {f.name for f in apps.get_model("registry", "Person")._meta.concrete_fields}

    assert {"id_number", "health", "disability_grade", "disability_category"} & person == set()
