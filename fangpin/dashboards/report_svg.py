"""The monthly report's bar charts as inline SVG (stacked or grouped, nice round ticks, a
legend, escaped labels, 「暂无数据」 when empty). Pure: no script, nothing to fetch."""

from __future__ import annotations

import html
import math

from fangpin.dashboards.report_format import (
    NO_DATA,
    PALETTE,
    SANS,
    format_number,
)
from fangpin.dashboards.report_model import (
    ReportChart,
)

# --- SVG bar chart ------------------------------------------------------------------------

__all__ = [
    "bar_chart_svg",
    "nice_ticks",
]


def nice_ticks(maximum: float, *, count: int = 5, whole: bool = True) -> tuple[float, ...]:
    """Round axis ticks from 0 to at least ``maximum``: steps of 1, 2 or 5 × 10ⁿ.

    ``whole`` keeps the step at 1 or more, so counts of households never get half ticks.
    """
    if maximum <= 0:
        return (0.0, 1.0)
    raw = maximum / count
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(f * magnitude for f in (1, 2, 5, 10) if f * magnitude >= raw * (1 - 1e-9))
    if whole:
        step = max(1.0, round(step))
    steps = math.ceil(maximum / step - 1e-9)
    return tuple(round(i * step, 10) for i in range(steps + 1))


def _text_width(text: str, size: float) -> float:
    """Rough rendered width: CJK and full-width characters are square, the rest about half."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.6 for ch in text)


def _shorten(text: str, limit: float, size: float) -> str:
    if _text_width(text, size) <= limit:
        return text
    while text and _text_width(text, size) + size > limit:
        text = text[:-1]
    return text + "…"


def _svg_open(chart: ReportChart, width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(chart.title)}" '
        f'font-family="{SANS}" class="chart">'
    )


def _text(x: float, y: float, text: str, *, size: float = 10, anchor: str = "middle") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" text-anchor="{anchor}" '
        f'fill="#262626">{html.escape(text)}</text>'
    )


def bar_chart_svg(chart: ReportChart, *, width: int = 640, height: int = 260) -> str:
    """An inline ``<svg>`` bar chart of ``chart``: grouped, or stacked when ``chart.stacked``.

    Bars are ``<rect class="bar">``, one per value above zero (values are counts; a negative
    one is drawn as zero). Category labels turn 45° and are shortened with 「…」 when they do
    not fit under their bar; a legend on top names the series when there is more than one.
    No categories, no series or nothing above zero gives a box that says 「暂无数据」.

    Raises ``ValueError`` when a series does not have one value per category.
    """
    n = len(chart.categories)
    for series in chart.series:
        if len(series.values) != n:
            raise ValueError(
                f"chart {chart.key!r}: series {series.name!r} has {len(series.values)} values"
                f" for {n} categories"
            )
    values = [[max(0.0, float(v)) for v in s.values] for s in chart.series]
    totals = [sum(column) for column in zip(*values, strict=True)] if values else []
    peak = max(totals if chart.stacked else [v for row in values for v in row], default=0.0)
    if n == 0 or peak <= 0:
        return (
            _svg_open(chart, width, height)
            + _text(width / 2, height / 2 + 5, NO_DATA, size=14)
            + "</svg>"
        )
    whole = all(v.is_integer() for row in values for v in row)
    ticks = nice_ticks(peak, whole=whole)
    tick_labels = [format_number(t) for t in ticks]
    left = 10 + max(_text_width(t, 10) for t in tick_labels) + 6
    right = width - 12.0
    parts = [_svg_open(chart, width, height)]

    # Unit, then the legend on the same line(s), wrapping at the right edge.
    unit_label = f"单位：{chart.unit}" if chart.unit else ""
    parts.append(_text(8, 18, unit_label, anchor="start"))
    line_y, x = 18.0, 8 + _text_width(unit_label, 10) + 20
    if len(chart.series) > 1:
        for j, series in enumerate(chart.series):
            name = _shorten(series.name, 160, 10)
            item = 16 + _text_width(name, 10) + 14
            if x + item > right and x > 8:
                line_y, x = line_y + 16, 8.0
            colour = PALETTE[j % len(PALETTE)]
            parts.append(
                f'<rect class="legend" x="{x:.1f}" y="{line_y - 9:.1f}" width="10" height="10"'
                f' fill="{colour}"/>'
            )
            parts.append(_text(x + 14, line_y, name, anchor="start"))
            x += item
    top = line_y + 14

    # Category labels: level when they fit, else turned 45° (and shortened).
    slot = (right - left) / n
    labels = list(chart.categories)
    rotated = max(_text_width(c, 10) for c in labels) > slot - 4
    if rotated:
        labels = [_shorten(c, min(90.0, height * 0.3 / 0.71), 10) for c in labels]
        reach = max(_text_width(c, 10) for c in labels) * 0.71
        label_area = reach + 18
        # The first label runs down-left from its bar: keep it inside the picture.
        if reach - slot / 2 + 4 > left:
            left = reach - slot / 2 + 4
            slot = (right - left) / n
    else:
        label_area = 20.0
    every = max(1, math.ceil(13 / slot)) if rotated else 1
    bottom = height - label_area
    scale = (bottom - top) / ticks[-1]

    for tick, label in zip(ticks, tick_labels, strict=True):
        y = bottom - tick * scale
        stroke = "#404040" if tick == 0 else "#D9D9D9"
        parts.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" '
            f'stroke="{stroke}" stroke-width="{1 if tick == 0 else 0.6}"/>'
        )
        parts.append(_text(left - 4, y + 3.5, label, anchor="end"))

    for i in range(n):
        slot_x = left + i * slot
        centre = slot_x + slot / 2
        if chart.stacked:
            bar_w = slot * 0.56
            base = 0.0
            for j, row in enumerate(values):
                if row[i] > 0:
                    parts.append(
                        _bar(slot_x + (slot - bar_w) / 2, bar_w, bottom, base, row[i], scale, j)
                    )
                base += row[i]
            total = format_number(totals[i])
            if totals[i] > 0 and _text_width(total, 9) <= slot - 2:
                parts.append(_text(centre, bottom - base * scale - 3, total, size=9))
        else:
            bar_w = slot * 0.72 / len(values)
            start = slot_x + slot * 0.14
            for j, row in enumerate(values):
                if row[i] <= 0:
                    continue
                bar_x = start + j * bar_w
                parts.append(_bar(bar_x, bar_w, bottom, 0.0, row[i], scale, j))
                shown = format_number(row[i])
                if _text_width(shown, 9) <= bar_w + 4:
                    parts.append(
                        _text(bar_x + bar_w / 2, bottom - row[i] * scale - 3, shown, size=9)
                    )
        if i % every == 0:
            label_y = bottom + 14
            if rotated:
                parts.append(
                    f'<text x="{centre:.1f}" y="{label_y:.1f}" font-size="10" text-anchor="end" '
                    f'fill="#262626" transform="rotate(-45 {centre:.1f} {label_y:.1f})">'
                    f"{html.escape(labels[i])}</text>"
                )
            else:
                parts.append(_text(centre, label_y, labels[i]))
    parts.append("</svg>")
    return "\n".join(parts)


def _bar(
    x: float, width: float, bottom: float, base: float, value: float, scale: float, j: int
) -> str:
    gap = 1.0 if width > 4 else 0.0
    return (
        f'<rect class="bar" x="{x + gap / 2:.1f}" y="{bottom - (base + value) * scale:.1f}" '
        f'width="{width - gap:.1f}" height="{value * scale:.1f}" '
        f'fill="{PALETTE[j % len(PALETTE)]}"/>'
    )
