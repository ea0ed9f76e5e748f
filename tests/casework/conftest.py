"""Fixtures for casework: a small synthetic 花垣县 loaded into the database, users per role,
a stand-in for the database snapshot, and hand-built warnings and clues.

``fake_snapshot`` stands in for ``fangpin.feeds.snapshot.database_snapshot`` where a test is
about the run's own logic: it copies the loaded synthetic dataset, whose household ids are the
database ids (the bulk loader keeps them on an empty database), and needs no published feeds
nor committed rows. The end-to-end tests (test_cli.py, tests/cli/test_demo_casework.py) use
the real snapshot on ``published``.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from fangpin.casework.models import Clue, ClueChannel, ClueStatus, ScreeningRun, Warning
from fangpin.core.models import Role, User
from fangpin.registry.bulk import registry_bulk_load
from fangpin.registry.models import Household
from fangpin.synth import SynthConfig, VillageSpec, write_parquet
from tests.registry import conftest as registry
from tests.registry.conftest import (
    DOUWANG,
    HUAYUAN_COUNTY,
    LONGTAN_TOWNSHIP,
    LUXI_COUNTY,
    TUDI,
    World,
    make_user,
)

village = registry.village
person_input = registry.person_input
world = registry.world

COUNTY = "433124"
MONTH = date(2024, 12, 1)


@pytest.fixture(scope="session")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """150 synthetic households over the real villages of 龙潭镇 (433124102), seed 11."""
    source = Path(__file__).parents[1] / "fixtures" / "regions" / "villages.csv"
    villages = [
        VillageSpec(
            code=code, name=name.strip('"'), township_code="433124102000", township_name="龙潭镇"
        )
        for code, name, *_ in (line.split(",") for line in source.read_text("utf-8").splitlines())
        if code.startswith("433124102")
    ]
    out = tmp_path_factory.mktemp("casework") / "dataset"
    config = SynthConfig(seed=11, households=150, year=2024, reference_date=date(2024, 12, 31))
    write_parquet(
        villages, COUNTY, config, out, county_name="花垣县", neighbour_county_codes=["433122"]
    )
    return out


@pytest.fixture
def loaded(huayuan_regions: Any, dataset: Path) -> Path:
    """The dataset loaded into the (empty) test database; returns the dataset directory."""
    registry_bulk_load(actor="system:test", source_dir=dataset)
    return dataset


def install_snapshot(monkeypatch: pytest.MonkeyPatch, function: Any) -> None:
    """Make ``fangpin.feeds.snapshot.database_snapshot`` be ``function`` for this test."""
    import fangpin.feeds.snapshot as module

    monkeypatch.setattr(module, "database_snapshot", function)


#: Screening results of the fake snapshot, by (month, edition, input hashes): every test using
#: ``fake_snapshot`` screens the same dataset, so each month is screened once per test session.
_SCREENED: dict[tuple[Any, ...], Any] = {}


def _screen_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let ``fangpin.screening.screen`` answer a repeated screening from ``_SCREENED``.

    The tests using the stand-in snapshot are about the run's own logic (write-back, merging,
    failures), not the rules, which tests/screening covers; a real screening of the same input
    gives the same bytes (tests/screening/test_engine.py), so the cached result is exact.
    """
    import fangpin.screening as screening

    real = screening.screen

    def screen(data: Any, edition: Any, *, month: date, **kwargs: Any) -> Any:
        if kwargs.get("rule_codes") is not None:
            return real(data, edition, month=month, **kwargs)
        key = (month, edition.edition_id, tuple(sorted(data.file_hashes.items())))
        if key not in _SCREENED:
            _SCREENED[key] = real(data, edition, month=month, **kwargs)
        return _SCREENED[key]

    monkeypatch.setattr(screening, "screen", screen)


@pytest.fixture
def fake_snapshot(loaded: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """database_snapshot copies the loaded dataset; the calls' arguments are recorded.

    Screening that copy is done once per month and session (``_screen_once``)."""
    calls: list[dict[str, Any]] = []
    _screen_once(monkeypatch)

    def snapshot(target: Path, *, region_prefix: str, as_of: date) -> dict[str, int]:
        calls.append({"target": target, "region_prefix": region_prefix, "as_of": as_of})
        for part in ("registry", "feeds"):
            shutil.copytree(loaded / part, target / part, dirs_exist_ok=True)
        return {}

    install_snapshot(monkeypatch, snapshot)
    return calls


@pytest.fixture
def published(loaded: Path) -> Path:
    """The loaded county with its eight department files imported and published (2024-12)."""
    from fangpin.contract.feeds import FEED_TABLES
    from fangpin.core.access import SYSTEM
    from fangpin.feeds.services import feed_import

    for feed in FEED_TABLES:
        feed_import(
            actor=SYSTEM,
            feed=feed,
            period="2024-12",
            source=loaded / "feeds" / f"{feed}.parquet",
            publish=True,
        )
    return loaded


@pytest.fixture
def county_approver(huayuan_regions: Any) -> User:
    return make_user("county_huayuan", Role.COUNTY_APPROVER, HUAYUAN_COUNTY)


def table_state() -> dict[str, Any]:
    """Everything a run or a verification may change, for "nothing changed" checks."""
    return {
        "warnings": sorted(
            Warning.objects.values_list(
                "id", "clue_id", "last_run_id", "outcome", "reason_zh", "verified_at"
            )
        ),
        "clues": sorted(
            Clue.objects.values_list("id", "status", "outcome", "version", "verify_deadline")
        ),
    }


# --- Hand-built warnings on the registry's world (no screening engine) -------------------------


def make_run(**fields: Any) -> ScreeningRun:
    values: dict[str, Any] = {
        "month": MONTH,
        "year": 2024,
        "region_code": HUAYUAN_COUNTY,
        "status": "succeeded",
    }
    values.update(fields)
    return ScreeningRun.objects.create(**values)


def make_clue(
    household: Household, *, deadline: date | None = None, status: str = ClueStatus.PENDING
) -> Clue:
    today = timezone.localdate()
    return Clue.objects.create(
        household=household,
        village_code=household.village_id,
        channel=ClueChannel.SCREENING,
        received_on=today - timedelta(days=20),
        verify_deadline=deadline or today + timedelta(days=5),
        status=status,
        outcome="" if status == ClueStatus.PENDING else "confirmed",
    )


def make_warning(
    run: ScreeningRun,
    household: Household,
    rule_code: str,
    *,
    clue: Clue | None = None,
    outcome: str = "",
    family: str | None = None,
    month: date = MONTH,
) -> Warning:
    return Warning.objects.create(
        run=run,
        first_run=run,
        last_run=run,
        month=month,
        rule_code=rule_code,
        family=family or rule_code.split(".")[0],
        severity="high",
        household=household,
        village_code=household.village_id,
        reason_zh=f"{rule_code} 的原因",
        edition_id="2024/433124@000000000000",
        clue=clue,
        verify_deadline=clue.verify_deadline if clue else None,
        outcome=outcome,
    )


__all__ = [
    "COUNTY",
    "DOUWANG",
    "LONGTAN_TOWNSHIP",
    "LUXI_COUNTY",
    "MONTH",
    "TUDI",
    "World",
    "install_snapshot",
    "make_clue",
    "make_run",
    "make_warning",
    "table_state",
]


def make_case(household: Household, opener: User, on: date = date(2026, 11, 2)) -> Any:
    """An identification case of ``household`` at 线索接收, opened by ``opener`` (any account of
    a village, township or county role: no scope check, this is test setup)."""
    from django.db import transaction

    from fangpin.casework.cases import _open

    with transaction.atomic():
        return _open(actor=opener, household=household, on=on, summary="测试", request=None)


#: The signed commitment and authorisation (承诺授权书) every authorisation step uploads.
SIGNED_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def signed() -> list[Any]:
    from fangpin.casework.documents import DocumentUpload

    return [DocumentUpload("承诺授权书.pdf", SIGNED_PDF)]
