"""The imports benchmark's generated rows are clean import rows (the benchmark itself runs in
`make bench` only): exact row counts, ID numbers unique across files, and a check finds no error."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from benchmarks.imports import KEYS, _households
from fangpin.core.models import User
from fangpin.imports.services import import_check
from tests.imports.conftest import TUDI, headers_of, write_xlsx
from tests.registry.conftest import actor, village

__all__ = ["actor", "village"]  # fixtures, imported so pytest finds them


def test_rows_add_up_and_id_numbers_stay_unique_across_files() -> None:
    used: set[tuple[date, int]] = set()

    first = _households([TUDI], 300, 1, used)
    second = _households([TUDI], 300, 2, used)

    people = [p for households in (first, second) for h in households for p in h]
    assert len(people) == 600
    assert len({p["id_number"] for p in people}) == 600
    assert all(h[0]["relation"] == "01 户主" for h in first + second)
    assert all(p["head_id_number"] == h[0]["id_number"] for h in first for p in h)


def test_a_generated_file_checks_clean(actor: User, tmp_path: Path) -> None:
    households = _households([TUDI], 200, 7, set())
    rows = [[person.get(k, "") for k in KEYS] for h in households for person in h]
    path = write_xlsx(tmp_path / "bench.xlsx", headers_of("households", KEYS), rows)

    batch = import_check(actor=actor, entity="households", path=path, file_name="bench.xlsx")

    assert batch.report["issues"] == []
    assert (batch.row_count, batch.error_count) == (200, 0)
