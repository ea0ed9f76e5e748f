"""Progress bars for long CLI work: services report (stage, done, total); rich draws them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

STAGE_LABELS = {
    "households": "农户",
    "persons": "人员",
    "finances": "收支",
    "conditions": "两不愁三保障",
    "monitorings": "监测记录",
    "generate": "生成合成人口",
}


@contextmanager
def stage_progress() -> Iterator[Callable[[str, int, int], None]]:
    """Yield a callback ``(stage, done, total)`` that keeps one bar per stage."""
    bars: dict[str, TaskID] = {}
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=False,
    ) as progress:

        def report(stage: str, done: int, total: int) -> None:
            if stage not in bars:
                bars[stage] = progress.add_task(STAGE_LABELS.get(stage, stage), total=total)
            progress.update(bars[stage], completed=done, total=total)

        yield report
