"""``fangpin pi keys`` and ``fangpin pi rekey``."""

from __future__ import annotations

from typing import Any

from typer.testing import CliRunner

from fangpin.cli import app
from fangpin.registry.models import Household
from tests.registry import conftest as registry
from tests.registry.test_rekey import K1, K2, keys  # noqa: F401  (the fixture)

# The registry's fixtures, reused by name.
actor = registry.actor
family = registry.family
person_input = registry.person_input
village = registry.village


def test_keys_then_rekey_then_keys(keys: Any, family: Household) -> None:  # noqa: F811
    keys(f"{K1},{K2}")
    runner = CliRunner()

    before = runner.invoke(app, ["pi", "keys"])
    rekey = runner.invoke(app, ["pi", "rekey", "--batch-size", "1"])
    after = runner.invoke(app, ["pi", "keys"])

    assert before.exit_code == rekey.exit_code == after.exit_code == 0, rekey.output
    # 3 ID numbers + 3 health tokens + the household phone
    assert "aes-256-gcm/k1 │ 7" in before.output
    assert "aes-256-gcm/k2 │ 0" in before.output
    assert rekey.output.strip().splitlines()[-1] == "已重新加密：人员 3 人，农户 1 户"
    assert "aes-256-gcm/k1 │ 0" in after.output
    assert "aes-256-gcm/k2 │ 7" in after.output


def test_a_missing_key_stops_with_a_clear_message(keys: Any, family: Household) -> None:  # noqa: F811
    keys(K2)  # k1, which the tokens use, is gone

    result = CliRunner().invoke(app, ["pi", "rekey"])

    assert result.exit_code == 1
    assert "缺少解密所需的密钥 'k1'" in result.output
    assert "补全密钥后重新运行即可继续" in result.output


def test_inventory_lists_every_registered_field() -> None:
    from fangpin.core.pi_dictionary import PI_REGISTRY

    result = CliRunner().invoke(app, ["pi", "inventory"])

    assert result.exit_code == 0
    for key in PI_REGISTRY:
        assert key in result.output, key
    assert "敏感个人信息" in result.output
