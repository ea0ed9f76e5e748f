"""The chunk loop and the Parquet writer: determinism, chunking, atomic writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from fangpin.contract import CONTRACT_VERSION, REGISTRY_TABLES
from fangpin.contract.feeds import FEED_TABLES
from fangpin.synth import MessinessRates, SynthConfig, VillageSpec, generate, write_parquet
from fangpin.synth import writer as writer_module
from tests.synth.conftest import COUNTY, COUNTY_NAME, NEIGHBOURS, ROOT, build

SMALL = 400


def _tables(dataset_chunks: list) -> dict[str, object]:  # type: ignore[type-arg]
    return {
        f"{kind}/{name}/{i}": table
        for i, chunk in enumerate(dataset_chunks)
        for kind, tables in (("registry", chunk.registry), ("feeds", chunk.feeds))
        for name, table in tables.items()
    }


def test_same_seed_and_chunk_size_give_identical_tables(huayuan: list[VillageSpec]) -> None:
    first = build(SynthConfig(households=SMALL, seed=7), huayuan, chunk=150)
    second = build(SynthConfig(households=SMALL, seed=7), huayuan, chunk=150)
    a, b = _tables(first.chunks), _tables(second.chunks)
    assert a.keys() == b.keys()
    for key in a:
        assert a[key].equals(b[key]), key  # type: ignore[attr-defined]


def test_another_seed_gives_other_people(huayuan: list[VillageSpec]) -> None:
    first = build(SynthConfig(households=SMALL, seed=7), huayuan, chunk=150)
    other = build(SynthConfig(households=SMALL, seed=8), huayuan, chunk=150)
    assert first.registry["persons"].column("id_number").to_pylist() != (
        other.registry["persons"].column("id_number").to_pylist()
    )
    assert not first.registry["finances"].equals(other.registry["finances"])


def test_ids_are_consecutive_across_chunks_and_totals_add_up(huayuan: list[VillageSpec]) -> None:
    calls: list[tuple[int, int]] = []
    chunks = list(
        generate(
            huayuan,
            COUNTY,
            SynthConfig(households=SMALL),
            county_name=COUNTY_NAME,
            chunk_households=150,
            progress=lambda done, total: calls.append((done, total)),
        )
    )
    assert calls == [(150, SMALL), (300, SMALL), (400, SMALL)]
    households = [h for c in chunks for h in c.registry["households"]["household_id"].to_pylist()]
    persons = [p for c in chunks for p in c.registry["persons"]["person_id"].to_pylist()]
    assert households == list(range(1, SMALL + 1))
    assert persons == list(range(1, len(persons) + 1))
    assert [c.registry["households"].num_rows for c in chunks] == [150, 150, 100]
    ids = [i for c in chunks for i in c.registry["persons"]["id_number"].to_pylist()]
    assert len(set(ids)) == len(ids)
    for feed in FEED_TABLES:
        record_ids = [r for c in chunks for r in c.feeds[feed].column(0).to_pylist()]
        numbers = sorted({int(r[-10:]) for r in record_ids})
        assert numbers == list(range(1, len(numbers) + 1)), feed


def test_refuses_bad_arguments(huayuan: list[VillageSpec]) -> None:
    with pytest.raises(ValueError):
        next(generate(huayuan, COUNTY, SynthConfig(households=10), chunk_households=0))
    with pytest.raises(ValueError):
        next(generate([], COUNTY, SynthConfig(households=10)))
    with pytest.raises(ValueError):
        next(generate(huayuan, "4331", SynthConfig(households=10)))
    with pytest.raises(ValueError):
        SynthConfig(households=0)
    with pytest.raises(ValueError):
        SynthConfig(formerly_poor_share=1.5)
    with pytest.raises(ValueError):
        VillageSpec(code="4331241022", name="土地村", township_code="", township_name="龙潭镇")
    with pytest.raises(ValueError):
        next(generate([huayuan[0], huayuan[0]], COUNTY, SynthConfig(households=10)))
    with pytest.raises(ValueError):
        MessinessRates(unmatched_id=2.0)


def test_village_without_prefix_uses_the_county_name(huayuan: list[VillageSpec]) -> None:
    plain = [VillageSpec(v.code, v.name, v.township_code, v.township_name) for v in huayuan[:20]]
    chunk = next(generate(plain, COUNTY, SynthConfig(households=50), county_name=COUNTY_NAME))
    addresses = chunk.registry["households"]["address"].to_pylist()
    assert all(a.startswith("花垣县") for a in addresses)


def _write(villages: list[VillageSpec], out: Path, seed: int = 11) -> dict[str, int]:
    return write_parquet(
        villages,
        COUNTY,
        SynthConfig(households=SMALL, seed=seed),
        out,
        county_name=COUNTY_NAME,
        neighbour_county_codes=NEIGHBOURS,
        chunk_households=150,
    )


def test_write_parquet_writes_every_table_and_a_manifest(
    huayuan: list[VillageSpec], tmp_path: Path
) -> None:
    out = tmp_path / "data" / "county"
    counts = _write(huayuan, out)
    assert set(counts) == set(REGISTRY_TABLES) | set(FEED_TABLES)
    assert counts["households"] == SMALL
    assert counts["finances"] == 2 * SMALL
    for name, schema in {**REGISTRY_TABLES, **FEED_TABLES}.items():
        folder = "registry" if name in REGISTRY_TABLES else "feeds"
        parquet = pq.ParquetFile(out / folder / f"{name}.parquet")
        assert parquet.metadata.num_rows == counts[name]
        assert parquet.schema_arrow.equals(schema)
        if name == "households":
            assert parquet.metadata.num_row_groups == 3  # one per chunk
            assert parquet.metadata.row_group(0).column(0).compression == "ZSTD"
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["counts"] == counts
    assert manifest["contract_version"] == CONTRACT_VERSION
    assert manifest["seed"] == 11
    assert manifest["county_code"] == COUNTY
    assert manifest["reference_date"] == "2024-12-31"
    assert manifest["year"] == 2024
    assert manifest["generator"]["name"] == "fangpin.synth"
    assert sorted(p.name for p in out.parent.iterdir()) == ["county"]


def test_a_failure_midway_leaves_the_previous_dataset_intact(
    huayuan: list[VillageSpec], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "data" / "county"
    _write(huayuan, out, seed=11)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def failing(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        chunks = generate(*args, **kwargs)  # type: ignore[arg-type]
        yield next(chunks)
        raise RuntimeError("killed")

    monkeypatch.setattr(writer_module, "generate", failing)
    with pytest.raises(RuntimeError, match="killed"):
        _write(huayuan, out, seed=12)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["county"]


def test_write_parquet_replaces_a_previous_dataset(
    huayuan: list[VillageSpec], tmp_path: Path
) -> None:
    out = tmp_path / "data" / "county"
    _write(huayuan, out, seed=11)
    _write(huayuan, out, seed=12)
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["seed"] == 12
    assert sorted(p.name for p in out.parent.iterdir()) == ["county"]


_DIGEST = """
import hashlib
import pyarrow as pa
from fangpin.synth import SynthConfig, VillageSpec, generate

villages = [
    VillageSpec("433124102201", "土地村", "433124102000", "龙潭镇"),
    VillageSpec("433124102202", "豆旺村", "433124102000", "龙潭镇"),
    VillageSpec("433124103201", "民乐村", "433124103000", "民乐镇"),
]
digest = hashlib.sha256()
for chunk in generate(villages, "433124", SynthConfig(households=300), chunk_households=120):
    for table in [*chunk.registry.values(), *chunk.feeds.values()]:
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        digest.update(sink.getvalue().to_pybytes())
print(digest.hexdigest())
"""


def test_output_does_not_depend_on_the_python_hash_seed() -> None:
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [sys.executable, "-c", _DIGEST],
            capture_output=True,
            text=True,
            check=True,
            env=env,
            cwd=ROOT,
        )
        digests.add(done.stdout.strip())
    assert len(digests) == 1
