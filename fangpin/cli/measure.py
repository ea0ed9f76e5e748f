"""``fangpin measure``: poverty and inequality measures, or the Alkire–Foster MPI, of a file.

Pure-core command: reads a CSV (UTF-8 or GBK) or Parquet file through :mod:`fangpin.measures`,
takes the line from ``--line`` or from the policy edition (:mod:`fangpin.policy`), and never
sets up Django — an analyst runs it on an exported file on a laptop (docs/measures.md).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from fangpin.measures import IndicatorSet
    from fangpin.measures.reading import Columns

__all__ = ["measure_command"]

TOTAL = (
    "合计"  # fangpin.measures.labels.TOTAL_LABEL; not imported here: numpy would load at start-up
)

Headers = tuple[tuple[str, str], ...]


class LineKind(StrEnum):
    monitoring = "monitoring"
    poverty = "poverty"


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class KUnits(StrEnum):
    share = "share"
    weight = "weight"


@dataclass(frozen=True, slots=True)
class Line:
    amount: float
    text: str  # for people: which line, from where
    provenance: dict[str, Any]


@dataclass(slots=True)
class Report:
    """What one run prints: the main table (also the CSV), notes, the JSON, extra tables."""

    title: str
    headers: Headers
    rows: list[dict[str, Any]]
    notes: list[str]
    payload: dict[str, Any]
    extra: list[tuple[str, Headers, list[dict[str, Any]]]] = field(default_factory=list)


_PERCENT = ("headcount", "H", "population_share", "uncensored_headcount", "censored_headcount")
_UNDEFINED_NOTE = "—：该组有收入为零或负数的记录，此指标无定义"


def _fail(message: str) -> typer.Exit:
    from rich.console import Console
    from rich.markup import escape

    Console(stderr=True).print(f"[bold red]错误：[/]{escape(message)}")
    return typer.Exit(code=1)


def _line(line: float | None, year: int | None, region: str | None, kind: LineKind) -> Line:
    """The line from ``--line``, or the policy edition's monitoring (or poverty) line."""
    if line is not None:
        if year is not None or region is not None:
            raise _fail("--line 与 --year/--region 只能二选一")
        return Line(line, f"标准线 {line:,.2f} 元/人·年（--line 指定）", {"source": "--line"})
    if year is None or region is None:
        raise _fail("请给出标准线：--line 金额，或 --year 年度与 --region 区划代码（取政策版本）")
    from fangpin.policy import PolicyError, PolicyValidationError, resolve

    try:
        edition = resolve(year, region)
    except PolicyError as exc:
        raise _fail(exc.message) from exc
    except PolicyValidationError as exc:
        raise _fail(
            f"政策版本文件有误（共 {len(exc.errors)} 处），请运行 fangpin policy check"
        ) from exc
    if kind is LineKind.monitoring:
        key, name, amount = "monitoring.income_line", "监测收入线", edition.monitoring_line
    else:
        key, name, amount = "poverty_line.amount", "扶贫标准", edition.poverty_line
    value = edition.get(key)
    mark = "，未证实" if not value.confirmed else ""
    text = (
        f"{year} 年 {region} {name} {value.display}（政策版本 {edition.edition_id}，"
        f"{value.level.zh}级 {value.file}{mark}）"
    )
    if edition.is_example:
        text += "；注意：政策版本含示例文件（非真实政策）"
    provenance = {"edition_id": edition.edition_id, "key": key, "is_example": edition.is_example}
    return Line(float(amount), text, {**provenance, **value.as_dict()})


def _display(key: str, value: Any) -> str:
    if value is None:
        return TOTAL if key == "group" else "—"
    if key in ("group", "indicator", "column"):
        return str(value)
    if key in ("population", "poor"):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    if key in _PERCENT:
        return f"{value:.2%}"
    if key == "contribution":
        return f"{value:.2f}%"
    if key in ("mean_income", "cutoff"):
        return f"{value:,.2f}"
    return f"{value:.4f}"


_LEFT = ("group", "indicator", "column")
_TRANSPOSE_AT_MOST = 4  # rows (groups and total) shown as columns when the table is too wide


def _table(title: str, headers: Headers, rows: list[dict[str, Any]], transposed: bool) -> Any:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, box=box.SIMPLE_HEAD)
    if transposed:  # one row per measure, one column per group
        table.add_column(headers[0][1])
        for row in rows:
            table.add_column(_display(headers[0][0], row[headers[0][0]]), justify="right")
        for key, label in headers[1:]:
            table.add_row(label, *(Text(_display(key, row[key])) for row in rows))
        return table
    for key, label in headers:
        table.add_column(label, justify="left" if key in _LEFT else "right", no_wrap=True)
    for row in rows:
        table.add_row(*(Text(_display(key, row[key])) for key, _ in headers))
    return table


def _render(title: str, headers: Headers, rows: list[dict[str, Any]], notes: list[str]) -> str:
    """The table at the terminal's width, never squeezed: a table wider than the terminal
    with few rows is turned (measures down, groups across); a wide one with many rows is
    printed at its own width (use --format csv for a spreadsheet)."""
    from rich.console import Console
    from rich.measure import Measurement
    from rich.text import Text

    probe = Console(file=io.StringIO(), width=100_000)
    terminal = Console().width
    table = _table(title, headers, rows, transposed=False)
    needed = Measurement.get(probe, probe.options, table).maximum
    if needed > terminal and len(rows) <= _TRANSPOSE_AT_MOST and headers[0][0] == "group":
        table = _table(title, headers, rows, transposed=True)
        needed = Measurement.get(probe, probe.options, table).maximum
    console = Console(file=io.StringIO(), record=True, width=max(terminal, needed))
    console.print(table)
    for note in notes:
        console.print(Text(note))
    return console.export_text()


def _csv(headers: Headers, rows: list[dict[str, Any]]) -> str:
    """English column keys; the total row's group is 合计; undefined values are empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([key for key, _ in headers])
    for row in rows:
        cells = [row[key] for key, _ in headers]
        writer.writerow(
            [
                TOTAL if key == "group" and v is None else ("" if v is None else v)
                for (key, _), v in zip(headers, cells, strict=True)
            ]
        )
    return buffer.getvalue()


def _weights(columns: Columns, weight: str | None) -> Any:
    """The weight column, refusing a negative weight with the file's row number."""
    if weight is None:
        return None
    import numpy as np

    values = columns.numbers[weight]
    negative = np.flatnonzero(values < 0)
    if negative.size:
        row = columns.row_number(int(negative[0]))
        raise _fail(f"列“{weight}”第 {row} 行权重为负数：{values[negative[0]]:g}")
    return values


def _income_report(
    input_file: Path, income: str, weight: str | None, group: str | None, chosen: Line
) -> Report:
    from fangpin.measures import summary_table
    from fangpin.measures.reading import read_columns

    numbers = [income] + ([weight] if weight and weight != income else [])
    columns = read_columns(input_file, numbers=numbers, texts=[group] if group else [])
    weights = _weights(columns, weight)
    groups = columns.texts[group] if group else None
    rows = [
        asdict(r) for r in summary_table(columns.numbers[income], chosen.amount, weights, groups)
    ]
    notes = [chosen.text, f"{columns.rows:,} 行，来自 {input_file.name}"]
    from fangpin.measures.labels import SUMMARY_LABELS

    if any(row[key] is None for row in rows for key, _ in SUMMARY_LABELS[1:]):
        notes.append(_UNDEFINED_NOTE)
    payload = {
        "line": {"amount": chosen.amount, **chosen.provenance},
        "file": input_file.name,
        "rows": columns.rows,
        "groups": rows,
    }
    return Report("收入贫困与不平等", SUMMARY_LABELS, rows, notes, payload)


def _indicator_set(
    specs: list[str], indicators_file: Path | None
) -> tuple[IndicatorSet, list[str]]:
    """The indicator set and, per indicator, the column it reads (``""``: the income column)."""
    from fangpin.measures import custom_indicator_set, load_indicator_set

    if not specs:
        chosen = load_indicator_set(indicators_file)
        return chosen, [("" if i.cutoff is None else i.code) for i in chosen.indicators]
    triples: list[tuple[str, float | str, float | str]] = []
    for spec in specs:
        parts = [part.strip() for part in spec.rsplit(":", 2)]
        if len(parts) != 3 or not all(parts):
            raise _fail(f"--indicator 应为“列名:临界值:权重”（临界值可为 line），实际为“{spec}”")
        triples.append((parts[0], parts[1], parts[2]))
    return custom_indicator_set(triples, title="命令行指标"), [t[0] for t in triples]


def _mpi_report(
    input_file: Path,
    indicator_set: IndicatorSet,
    sources: list[str],
    *,
    income: str | None,
    weight: str | None,
    group: str | None,
    k: float,
    k_is_share: bool,
    chosen: Line | None,
) -> Report:
    import numpy as np

    from fangpin.measures import mpi
    from fangpin.measures.reading import read_columns

    names = [source or (income or "") for source in sources]
    numbers = list(dict.fromkeys(names + ([weight] if weight else [])))
    columns = read_columns(input_file, numbers=numbers, texts=[group] if group else [])
    cutoffs = indicator_set.cutoffs(chosen.amount if chosen else None)
    labels = list(indicator_set.labels)
    result = mpi(
        np.column_stack([columns.numbers[name] for name in names]),
        cutoffs,
        indicator_set.weights(),
        k,
        k_is_share=k_is_share,
        person_weights=_weights(columns, weight),
        groups=columns.texts[group] if group else None,
        names=labels,
    )
    rows = result.group_rows()
    indicator_rows = [
        {"column": name, **row}
        for name, row in zip(names, result.indicator_rows(cutoffs.tolist()), strict=True)
    ]
    notes = [
        f"k = {result.k_share:.4f}（权重份额；{result.k:.4g} 个权重单位），"
        f"M1 = {result.M1:.4f}，M2 = {result.M2:.4f}",
        f"{columns.rows:,} 行，来自 {input_file.name}；指标集：{indicator_set.title}",
    ]
    if chosen:
        notes.insert(0, chosen.text)
    payload = {
        "line": {"amount": chosen.amount, **chosen.provenance} if chosen else None,
        "file": input_file.name,
        "rows": columns.rows,
        "indicator_set": indicator_set.title,
        **{name: getattr(result, name) for name in ("k", "k_share", "H", "A", "M0", "M1", "M2")},
        "indicators": indicator_rows,
        "groups": rows,
    }
    from fangpin.measures.labels import INDICATOR_LABELS, MPI_GROUP_LABELS

    report = Report("多维贫困指数（Alkire–Foster）", MPI_GROUP_LABELS, rows, notes, payload)
    report.extra.append(("各指标", INDICATOR_LABELS, indicator_rows))
    return report


def _k(text: str) -> float:
    from fractions import Fraction

    try:
        return float(Fraction(text.strip()))
    except (ValueError, ZeroDivisionError):
        raise _fail(f"--k 应为数值或分数（如 1/3），实际为“{text}”") from None


def measure_command(
    input_file: Annotated[
        Path, typer.Option("--input", help="CSV（UTF-8 或 GBK）或 Parquet 文件，一行一人或一户")
    ],
    income_column: Annotated[
        str | None,
        typer.Option(
            "--income-column", help="人均纯收入列（收入模式必填；--mpi 默认指标集的收入指标）"
        ),
    ] = None,
    weight_column: Annotated[
        str | None, typer.Option("--weight-column", help="权重列（如户人口数或抽样权数，不可为负）")
    ] = None,
    line: Annotated[float | None, typer.Option("--line", help="标准线，元/人·年")] = None,
    year: Annotated[
        int | None, typer.Option("--year", help="年度：与 --region 一起从政策版本取线")
    ] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="区划代码（6 位县级或 12 位），如 433124")
    ] = None,
    line_kind: Annotated[
        LineKind,
        typer.Option(
            "--line-kind", help="取哪条线：monitoring 监测收入线（默认）或 poverty 扶贫标准"
        ),
    ] = LineKind.monitoring,
    group_by: Annotated[str | None, typer.Option("--group-by", help="分组列，如村代码")] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="table 表格（默认）、csv 或 json")
    ] = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--out", help="写入此文件（默认打印）")] = None,
    mpi_mode: Annotated[
        bool, typer.Option("--mpi", help="计算多维贫困指数（Alkire–Foster）")
    ] = False,
    indicator: Annotated[
        list[str] | None,
        typer.Option("--indicator", help="--mpi 的指标“列名:临界值:权重”，可重复；不给则用指标集"),
    ] = None,
    indicators_file: Annotated[
        Path | None, typer.Option("--indicators", help="指标集 TOML 文件（默认随软件发布的指标集）")
    ] = None,
    k: Annotated[
        str | None,
        typer.Option("--k", help="多维贫困临界值，如 1/3（默认取指标集；自定义指标必填）"),
    ] = None,
    k_units: Annotated[
        KUnits,
        typer.Option("--k-units", help="--k 的单位：share 权重份额（默认）或 weight 权重单位"),
    ] = KUnits.share,
) -> None:
    """收入贫困与不平等（H、P1、P2、Watts、Sen、SST、基尼、泰尔、MLD、阿特金森），按组与合计；
    加 --mpi 计算多维贫困指数（两不愁三保障、饮水安全与收入）。不需要数据库。"""
    from fangpin.measures import MeasureError

    try:
        if not mpi_mode:
            if not income_column:
                raise _fail("请用 --income-column 指定人均纯收入列")
            chosen = _line(line, year, region, line_kind)
            report = _income_report(input_file, income_column, weight_column, group_by, chosen)
        else:
            indicator_set, sources = _indicator_set(indicator or [], indicators_file)
            if "" in sources and not income_column:
                raise _fail("指标集含收入指标：请用 --income-column 指定人均纯收入列")
            if indicator and k is None:
                raise _fail("用 --indicator 自定义指标时须给出 --k")
            needs_line = any(i.cutoff is None for i in indicator_set.indicators)
            report = _mpi_report(
                input_file,
                indicator_set,
                sources,
                income=income_column,
                weight=weight_column,
                group=group_by,
                k=indicator_set.k if k is None else _k(k),
                k_is_share=k is None or k_units is KUnits.share,
                chosen=_line(line, year, region, line_kind) if needs_line else None,
            )
    except MeasureError as exc:
        raise _fail(exc.message) from exc

    if output_format is OutputFormat.json:
        text = json.dumps(report.payload, ensure_ascii=False, indent=2) + "\n"
    elif output_format is OutputFormat.csv:
        text = _csv(report.headers, report.rows)
    else:
        text = _render(report.title, report.headers, report.rows, report.notes)
        for title, headers, rows in report.extra:
            text += _render(title, headers, rows, [])
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, "utf-8")
        typer.echo(f"已写入 {out}")
