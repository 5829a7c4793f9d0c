"""An SVG chart of the rows behind an estimate over data: every row as a point
(value on a log scale, by date), the fitted trend with the band of its slope's
90% interval, and the premise the estimate checks, so that a reader sees at a
glance whether the source's figure sits on the data. Plain Python, no script;
the SVG scales to its container."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from derive.engine.summary import LOG10_2, Aggregate, Fit
from derive.render.sheets.words import number

Scale = Callable[[float], float]
WIDTH, HEIGHT = 640, 380
LEFT, RIGHT, TOP, BOTTOM = 92, 24, 40, 60


@dataclass(frozen=True)
class Premise:
    """What the source states: a value at a date, or a doubling time in years."""

    label: str
    value: float | None = None  # in the rows' base unit
    year: float | None = None
    doubling_years: float | None = None


def render(result: Aggregate, title: str, axis_label: str,
           premise: Premise | None = None) -> str | None:
    """The chart, or None when there are no positive values to draw."""
    points = [p for p in result.selected.points if p.value > 0]
    if not points:
        return None
    fit = result.fit
    xs = [p.x for p in points]
    logs = [math.log10(p.value) for p in points]
    x_lo, x_hi = math.floor(min(xs)), math.ceil(max(xs))
    if premise is not None and premise.year is not None:
        x_lo, x_hi = min(x_lo, math.floor(premise.year)), max(x_hi, math.ceil(premise.year))
    if x_hi == x_lo:
        x_hi += 1
    y_values = list(logs)
    if premise is not None and premise.value:
        y_values.append(math.log10(premise.value))
    y_lo, y_hi = math.floor(min(y_values)), math.ceil(max(y_values))
    if y_hi == y_lo:
        y_hi += 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def sx(year: float) -> float:
        return LEFT + (year - x_lo) / (x_hi - x_lo) * plot_w

    def sy(log: float) -> float:
        log = min(max(log, y_lo), y_hi)
        return TOP + plot_h - (log - y_lo) / (y_hi - y_lo) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" class="chart" aria-label={quoteattr(title)}>',
        f"<title>{escape(title)}</title>",
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#fff" '
        'stroke="#999"/>',
    ]
    step = max(1, (y_hi - y_lo) // 8)
    for exponent in range(y_lo, y_hi + 1, step):
        y = sy(exponent)
        parts.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
                     'stroke="#ddd"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
                     f'font-size="12">{escape(number(10.0**exponent, 2))}</text>')
    year_step = max(1, (x_hi - x_lo) // 8)
    for year in range(x_lo, x_hi + 1, year_step):
        x = sx(year)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{TOP + plot_h}" '
                     'stroke="#eee"/>')
        parts.append(f'<text x="{x:.1f}" y="{TOP + plot_h + 18}" text-anchor="middle" '
                     f'font-size="12">{year}</text>')
    if fit is not None:
        parts += _fit(fit, sx, sy)
    marked = set(result.matched) | ({result.winner} if result.winner else set())
    for point, log in zip(points, logs, strict=True):
        colour = "#c0392b" if point.claim in marked else "#1f4e8c"
        parts.append(f'<circle class="row" cx="{sx(point.x):.1f}" cy="{sy(log):.1f}" r="2.6" '
                     f'fill="{colour}" fill-opacity="0.7"/>')
    if premise is not None:
        parts += _premise(premise, fit, sx, sy, x_lo, x_hi)
    parts.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 14}" text-anchor="middle" '
                 'font-size="13">Date</text>')
    parts.append(f'<text transform="translate(16 {TOP + plot_h / 2:.1f}) rotate(-90)" '
                 f'text-anchor="middle" font-size="13">{escape(axis_label)} (log scale)</text>')
    parts.append(f'<text x="{LEFT}" y="{TOP - 14}" font-size="13">{escape(title)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _fit(fit: Fit, sx: Scale, sy: Scale) -> list[str]:
    steps = 24
    years = [fit.x_min + (fit.x_max - fit.x_min) * i / steps for i in range(steps + 1)]

    def line(slope: float, year: float) -> float:
        return float(fit.intercept + slope * (year - fit.x_mean))

    upper = [(sx(y), sy(max(line(fit.slope_low, y), line(fit.slope_high, y)))) for y in years]
    lower = [(sx(y), sy(min(line(fit.slope_low, y), line(fit.slope_high, y))))
             for y in reversed(years)]
    band = " ".join(f"{x:.1f},{y:.1f}" for x, y in upper + lower)
    central = " ".join(f"{sx(y):.1f},{sy(line(fit.slope, y)):.1f}" for y in years)
    return [
        f'<polygon class="band" points="{band}" fill="#4a7ab5" fill-opacity="0.2" '
        'stroke="none"><title>90% interval of the fitted slope</title></polygon>',
        f'<polyline class="fit" points="{central}" fill="none" stroke="#1f4e8c" '
        'stroke-width="2.5"><title>fitted trend</title></polyline>',
    ]


def _premise(premise: Premise, fit: Fit | None, sx: Scale, sy: Scale, x_lo: int,
             x_hi: int) -> list[str]:
    out: list[str] = []
    if premise.doubling_years and fit is not None:
        slope = LOG10_2 / premise.doubling_years
        ends = [(year, fit.intercept + slope * (year - fit.x_mean))
                for year in (fit.x_min, fit.x_max)]
        points = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in ends)
        out.append(f'<polyline class="premise" points="{points}" fill="none" stroke="#d35400" '
                   f'stroke-width="2" stroke-dasharray="6 4"><title>{escape(premise.label)}'
                   '</title></polyline>')
        x, y = sx(fit.x_max), sy(ends[1][1])
    elif premise.value:
        y = sy(math.log10(premise.value))
        out.append(f'<line class="premise" x1="{sx(x_lo):.1f}" x2="{sx(x_hi):.1f}" '
                   f'y1="{y:.1f}" y2="{y:.1f}" stroke="#d35400" stroke-width="2" '
                   f'stroke-dasharray="6 4"><title>{escape(premise.label)}</title></line>')
        if premise.year is not None:
            out.append(f'<circle class="premise" cx="{sx(premise.year):.1f}" cy="{y:.1f}" '
                       'r="5" fill="#d35400"/>')
        x = sx(x_hi)
    else:
        return out
    out.append(f'<text x="{x - 4:.1f}" y="{y - 8:.1f}" text-anchor="end" font-size="12" '
               f'fill="#a04000">{escape(premise.label)}</text>')
    return out
