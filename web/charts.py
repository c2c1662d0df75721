"""Small server-rendered SVG charts: readable without JavaScript and when printed.

`line_chart` draws one or more series of (date, value) against horizontal threshold lines; `step_chart` draws the
phase over time. Labels are escaped; the output is safe to mark_safe.
"""
import datetime
from dataclasses import dataclass, field
from html import escape

from django.utils.safestring import mark_safe

COLOURS = ["#0550ae", "#bf3989", "#116329", "#7d4e00", "#57606a"]


@dataclass
class Series:
    label: str
    points: list  # [(date, number)]
    colour: str | None = None
    dashed: bool = False


@dataclass
class Threshold:
    value: float
    label: str
    colour: str = "#a40e26"


@dataclass
class Chart:
    title: str
    series: list
    y_min: float
    y_max: float
    thresholds: list = field(default_factory=list)
    unit: str = ""


def _x_scale(start: datetime.date, end: datetime.date, left: float, right: float):
    span = max((end - start).days, 1)
    return lambda d: left + (d - start).days / span * (right - left)


def _bounds(series_list, extra_dates=()):
    dates = [d for s in series_list for d, _ in s.points] + list(extra_dates)
    if not dates:
        return None
    return min(dates), max(dates)


#: Text size in the chart's own units. A clinician's chart (640 wide) is drawn at least ~490 px wide (the page's
#: chart grid), a phone chart (360 wide) about 340-360 px: both keep the text at 11 px or more on screen.
FONT = 15
PHONE_FONT = 12


def _merge_thresholds(thresholds) -> list:
    """Thresholds at the same value share one line and one label ("P2 pain ≤ 2, soreness ≤ 2")."""
    merged: dict = {}
    for t in thresholds:
        if t.value in merged:
            merged[t.value] = Threshold(t.value, f"{merged[t.value].label}, {t.label}", merged[t.value].colour)
        else:
            merged[t.value] = t
    return list(merged.values())


def _threshold_labels(items, *, left, right, font) -> list[tuple]:
    """(text_x, text_y, anchor) for labels at line heights `items` [(y, threshold)], so that no two overlap: a
    label goes above its line at the right; if that meets the previous label, at the left; if that meets too,
    below its line."""
    placed, out = [], []
    for line_y, t in sorted(items, key=lambda item: item[0]):
        candidates = ((right, line_y - 4, "end"), (left + 4, line_y - 4, "start"),
                      (right, line_y + font, "end"), (left + 4, line_y + font, "start"))
        spot = next((c for c in candidates if all(abs(c[1] - py) >= font + 1 or pa != c[2] for _, py, pa in placed)),
                    candidates[-1])
        placed.append(spot)
        out.append((t, *spot))
    return out


def line_chart(chart: Chart, *, width: int = 640, height: int = 220, font: int = FONT) -> str:
    left, right, top, bottom = 44, width - 10, 30 + 2 * font, height - font - 14
    bounds = _bounds(chart.series)
    title = escape(chart.title)
    style = f'font-size="{font}"'
    if bounds is None:
        return (f'<svg class="chart" viewBox="0 0 {width} {3 * font + 20}" role="img" aria-label="{title}: no data '
                f'yet" {style}><text x="4" y="{font + 2}" font-weight="600" fill="#1b1f23">{title}</text>'
                f'<text x="4" y="{2 * font + 14}">No data yet</text></svg>')
    start, end = bounds
    if start == end:
        start -= datetime.timedelta(days=1)
    x = _x_scale(start, end, left, right)
    y_span = (chart.y_max - chart.y_min) or 1

    def y(v):
        v = min(max(float(v), chart.y_min), chart.y_max)
        return bottom - (v - chart.y_min) / y_span * (bottom - top)

    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{title}" {style}>',
             f"<title>{title}</title>", f'<text x="4" y="{font + 2}" font-weight="600" fill="#1b1f23">{title}</text>']
    for tick in (chart.y_min, (chart.y_min + chart.y_max) / 2, chart.y_max):
        parts.append(f'<line x1="{left}" x2="{right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#eaeef2"/>'
                     f'<text x="{left - 4}" y="{y(tick) + font / 3:.1f}" text-anchor="end">{tick:g}</text>')
    thresholds = _merge_thresholds(chart.thresholds)
    for t in thresholds:
        parts.append(f'<line x1="{left}" x2="{right}" y1="{y(t.value):.1f}" y2="{y(t.value):.1f}" stroke="{t.colour}" '
                     f'stroke-dasharray="5 4"/>')
    for t, tx, ty, anchor in _threshold_labels([(y(t.value), t) for t in thresholds], left=left, right=right, font=font):
        parts.append(f'<text x="{tx:.1f}" y="{ty:.1f}" text-anchor="{anchor}" fill="{t.colour}">{escape(t.label)}</text>')
    parts.append(f'<text x="{left}" y="{height - 6}">{start:%d %b}</text>'
                 f'<text x="{right}" y="{height - 6}" text-anchor="end">{end:%d %b}</text>')
    parts.extend(_series_parts(chart, x, y, left=left, font=font))
    parts.append("</svg>")
    return "".join(parts)


def _series_parts(chart: Chart, x, y, *, left, font) -> list[str]:
    parts, legend_x = [], left
    for i, s in enumerate(chart.series):
        colour = s.colour or COLOURS[i % len(COLOURS)]
        pts = sorted(s.points)
        if not pts:
            continue
        path = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in pts)
        dash = ' stroke-dasharray="3 3"' if s.dashed else ""
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="{path}"/>')
        for d, v in pts:
            parts.append(f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}"><title>{escape(s.label)} '
                         f'{d:%d %b}: {float(v):g}{escape(chart.unit)}</title></circle>')
        legend_y = 2 * font + 10
        parts.append(f'<rect x="{legend_x}" y="{legend_y - font + 3}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{legend_x + 14}" y="{legend_y}">{escape(s.label)}</text>')
        legend_x += 24 + int(0.55 * font * len(s.label))
    return parts


def step_chart(title: str, changes: list, end: datetime.date, *, top_phase: int = 6, width: int = 640,
               height: int = 190, font: int = FONT) -> str:
    """Phase over time: `changes` is [(date, phase)] in order, the first being the plan's start."""
    if not changes:
        return line_chart(Chart(title, [], 0, top_phase), font=font)
    left, right, top, bottom = 44, width - 10, font + 14, height - font - 14
    start = changes[0][0]
    end = max(end, start + datetime.timedelta(days=1))
    x = _x_scale(start, end, left, right)

    def y(p):
        return bottom - p / max(top_phase, 1) * (bottom - top)

    pts = []
    for i, (d, p) in enumerate(changes):
        if i:
            pts.append(f"{x(d):.1f},{y(changes[i - 1][1]):.1f}")
        pts.append(f"{x(d):.1f},{y(p):.1f}")
    pts.append(f"{x(end):.1f},{y(changes[-1][1]):.1f}")
    t = escape(title)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{t}" font-size="{font}">',
             f"<title>{t}</title>", f'<text x="4" y="{font + 2}" font-weight="600" fill="#1b1f23">{t}</text>']
    every = max(1, -(-(top_phase + 1) * (font + 2) // int(bottom - top + font)))  # thin the labels of long protocols
    for p in range(top_phase + 1):
        parts.append(f'<line x1="{left}" x2="{right}" y1="{y(p):.1f}" y2="{y(p):.1f}" stroke="#eaeef2"/>')
        if p % every == 0 or p == top_phase:
            parts.append(f'<text x="{left - 4}" y="{y(p) + font / 3:.1f}" text-anchor="end">P{p}</text>')
    parts.append(f'<polyline fill="none" stroke="#0b6e4f" stroke-width="3" points="{" ".join(pts)}"/>')
    parts.append(f'<text x="{left}" y="{height - 6}">{start:%d %b}</text>'
                 f'<text x="{right}" y="{height - 6}" text-anchor="end">{end:%d %b}</text></svg>')
    return "".join(parts)


# --- the charts of a plan ----------------------------------------------------------------------------------------

def _num(value) -> str:
    return "" if value is None else f"{float(value):g}"


def _thresholds(*pairs) -> list:
    return [Threshold(float(v), label) for v, label in pairs if v is not None]


def plan_charts(series) -> list[str]:
    """The clinician's charts of a plan (progression.selectors.plan_series), drawn against the current phase's
    thresholds. Safe to mark_safe: labels are escaped, values are numbers."""
    p = f"P{series.phase_number}"
    loads = [v for _, v in series.load]
    charts = [
        step_chart("Phase over time", series.phase_changes, series.today, top_phase=series.top_phase),
        line_chart(Chart("Pain and next-morning soreness (0-10)",
                         [Series("pain during", series.pain), Series("soreness next morning", series.soreness)], 0, 10,
                         _thresholds((series.max_pain, f"{p} pain ≤ {_num(series.max_pain)}"),
                                     (series.max_soreness, f"soreness ≤ {_num(series.max_soreness)}"),
                                     (series.regress_at, f"regress at {_num(series.regress_at)}")))),
        line_chart(Chart("Sleep and fatigue (1-5)", [Series("sleep (1-5)", series.sleep, dashed=True),
                                                     Series("fatigue (1-5)", series.fatigue, dashed=True)], 1, 5)),
        line_chart(Chart("Strength LSI (%)", [Series("LSI", series.lsi)], 50, 120,
                         _thresholds((series.min_lsi, f"{p} exit ≥ {_num(series.min_lsi)}%")), unit="%")),
        line_chart(Chart("Session load (RPE × min)", [Series("load", series.load)], 0,
                         float(max(loads, default=400)) or 400)),
        line_chart(Chart("Workload ratio (EWMA acute:chronic)", [Series("ratio", series.acwr)], 0, 2.5,
                         _thresholds((series.acwr_hold_at, f"hold at {_num(series.acwr_hold_at)}")))),
        line_chart(Chart("Peak speed (% of Vmax)", [Series("peak speed", series.peak_speed)], 40, 110,
                         _thresholds((series.min_peak_speed, f"{p} ≥ {_num(series.min_peak_speed)}%")), unit="%")),
    ]
    return [mark_safe(svg) for svg in charts]  # noqa: S308 - built from escaped labels and numbers


def athlete_chart(series) -> str:
    """The athlete's phone chart: pain and morning soreness against the phase's limit and the step-back level."""
    chart = line_chart(Chart("Pain and morning soreness", [Series("pain", series.pain),
                                                            Series("soreness", series.soreness)], 0, 10,
                             _thresholds((series.max_pain, f"fine up to {_num(series.max_pain)}"),
                                         (series.regress_at, f"{_num(series.regress_at)}: step back"))),
                       width=360, height=210, font=PHONE_FONT)
    return mark_safe(chart)  # noqa: S308 - escaped labels and numbers
