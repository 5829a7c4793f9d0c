"""An SVG line chart of a projection with its uncertainty band, drawn in plain
Python: axes with labels, a log scale when the values span an order of
magnitude or more, the central line, the 90% band, and the start and target
points marked. The SVG scales to its container (viewBox, no fixed size)."""

from __future__ import annotations

import math
from collections.abc import Callable
from xml.sax.saxutils import escape, quoteattr

from derive.render.sheets.projection import Projection
from derive.render.sheets.words import number

WIDTH, HEIGHT = 640, 360
LEFT, RIGHT, TOP, BOTTOM = 92, 24, 40, 56
LOG_FROM_RATIO = 10.0


def _nice_step(span: float, target_ticks: int = 5) -> float:
    raw = span / max(target_ticks, 1)
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _linear_ticks(low: float, high: float) -> tuple[float, float, list[float]]:
    if high == low:
        high = low + (abs(low) or 1.0)
    step = _nice_step(high - low)
    start = math.floor(low / step) * step
    stop = math.ceil(high / step) * step
    ticks = []
    value = start
    while value <= stop + step / 2:
        ticks.append(round(value, 12))
        value += step
    return start, stop, ticks


def _log_ticks(low: float, high: float) -> tuple[float, float, list[float]]:
    start = math.floor(math.log10(low))
    stop = math.ceil(math.log10(high))
    if stop == start:
        stop += 1
    return float(start), float(stop), [10.0**e for e in range(start, stop + 1)]


def _fmt_year(year: float) -> str:
    return str(round(year))


def _path(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def render(projection: Projection, title: str, axis_label: str) -> str:
    """The chart as an SVG element (a string of markup, every text escaped)."""
    pts = projection.points
    values = [p.value for p in pts] + [v for p in pts for v in (p.low, p.high) if v is not None]
    lowest, highest = min(values), max(values)
    log = lowest > 0 and highest / lowest >= LOG_FROM_RATIO
    if log:
        y_start, y_stop, y_ticks = _log_ticks(lowest, highest)

        def y_pos(v: float) -> float:
            return math.log10(v)
    else:
        y_start, y_stop, y_ticks = _linear_ticks(min(0.0, lowest), highest)

        def y_pos(v: float) -> float:
            return v

    x_start = math.floor(pts[0].year)
    x_stop = math.ceil(pts[-1].year)
    if x_stop == x_start:
        x_stop += 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def sx(year: float) -> float:
        return LEFT + (year - x_start) / (x_stop - x_start) * plot_w

    def sy(v: float) -> float:
        return TOP + plot_h - (y_pos(v) - y_start) / (y_stop - y_start) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" class="chart" aria-label={quoteattr(title)}>',
        f"<title>{escape(title)}</title>",
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#fff" '
        'stroke="#999"/>',
    ]
    parts += _grid(y_ticks, sy, log, plot_w)
    parts += _x_axis(x_start, x_stop, sx, plot_h)
    band = [(sx(p.year), sy(p.high)) for p in pts if p.high is not None]
    band += [(sx(p.year), sy(p.low)) for p in reversed(pts) if p.low is not None]
    if band:
        parts.append(f'<polygon points="{_path(band)}" fill="#4a7ab5" fill-opacity="0.22" '
                     'stroke="none"><title>90% interval</title></polygon>')
    parts.append(f'<polyline points="{_path([(sx(p.year), sy(p.value)) for p in pts])}" '
                 'fill="none" stroke="#1f4e8c" stroke-width="2.5"/>')
    for point, label in ((pts[0], projection.start_label), (pts[-1], projection.end_label)):
        x, y = sx(point.year), sy(point.value)
        text = f"{number(point.value)}" + (f" ({label})" if label else "")
        anchor = "start" if point is pts[0] else "end"
        dx = 6 if anchor == "start" else -6
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#1f4e8c"/>')
        parts.append(f'<text x="{x + dx:.1f}" y="{y - 8:.1f}" text-anchor="{anchor}" '
                     f'font-size="13">{escape(text)}</text>')
    scale = "log scale" if log else "linear scale"
    parts.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 12}" text-anchor="middle" '
                 'font-size="13">Year</text>')
    parts.append(f'<text transform="translate(16 {TOP + plot_h / 2:.1f}) rotate(-90)" '
                 f'text-anchor="middle" font-size="13">{escape(axis_label)} ({scale})</text>')
    parts.append(f'<text x="{LEFT}" y="{TOP - 14}" font-size="13">{escape(title)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _grid(ticks: list[float], sy: Callable[[float], float], log: bool,
          plot_w: float) -> list[str]:
    out = []
    for tick in ticks:
        y = sy(tick)
        label = number(tick, 2)
        out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
                   'stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
                   f'font-size="12">{escape(label)}</text>')
    if log:
        out.append("<!-- log scale: one grid line per power of ten -->")
    return out


def _x_axis(start: int, stop: int, sx: Callable[[float], float], plot_h: float) -> list[str]:
    out = []
    for year in range(start, stop + 1):
        x = sx(year)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{TOP + plot_h}" '
                   'stroke="#eee"/>')
        out.append(f'<text x="{x:.1f}" y="{TOP + plot_h + 18}" text-anchor="middle" '
                   f'font-size="12">{_fmt_year(year)}</text>')
    return out
