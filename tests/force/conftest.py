"""Fixtures for the assistance-force tests: the evaluation tests' small 花垣县 (two townships,
five villages, twenty households — 土地村's ``tudi_a`` and 豆旺村's ``douwang_d`` monitored,
``douwang_a`` eliminated — one household of 泸溪县, and one account per role; see
tests/evaluation/conftest.py)."""

from __future__ import annotations

from tests.evaluation import conftest as evaluation
from tests.evaluation.conftest import (
    DOUWANG,
    HUAYUAN,
    LONGMEN,
    LONGTAN,
    LUXI,
    MINLE,
    MINLE_TOWN,
    TUDI,
    XIANGSHUI,
    World,
)

regions = evaluation.regions  # the evaluation tests' fixtures, shared
world = evaluation.world
__all__ = [
    "DOUWANG",
    "HUAYUAN",
    "LONGMEN",
    "LONGTAN",
    "LUXI",
    "MINLE",
    "MINLE_TOWN",
    "TUDI",
    "XIANGSHUI",
    "World",
]
