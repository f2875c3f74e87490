"""A sweep drawn as a plain SVG figure: time and iterations against n, log-log, one curve
per method, Newton's crossovers as stars and in words.

Written element by element (lines, polylines, circles, polygons, text; no transforms, no
vector effects) so that every SVG viewer shows the same picture; the window's PNG export
renders this same text.
"""

from __future__ import annotations

import math
from html import escape

from hessianlens.engine.ndim.sweep import seconds_text, title

# The plane's colours for gradient descent (blue) and Newton (red); the rest from its palette.
METHOD_COLOURS = {"gd": "#1f77b4", "newton": "#d62728", "momentum": "#2ca02c",
                  "bfgs": "#ff7f0e", "lbfgs": "#9467bd", "newton-cg": "#8c564b",
                  "cauchy": "#17becf"}
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
WIDTH, HEIGHT = 1200, 760


def colour(method: str) -> str:
    return METHOD_COLOURS.get(method, "#7f7f7f")


def _log_range(values, pad: float = 0.08) -> tuple[float, float]:
    logs = [math.log10(v) for v in values if v > 0 and math.isfinite(v)] or [0.0, 1.0]
    lo, hi = min(logs), max(logs)
    if hi - lo < 0.5:
        lo, hi = lo - 0.25, hi + 0.25
    span = hi - lo
    return lo - pad * span, hi + pad * span


def _star(cx: float, cy: float, r: float) -> str:
    pts = []
    for k in range(10):
        rr = r if k % 2 == 0 else 0.45 * r
        a = math.pi / 2 + k * math.pi / 5
        pts.append(f"{cx + rr * math.cos(a):.1f},{cy - rr * math.sin(a):.1f}")
    return " ".join(pts)


class _Panel:
    """One log-log plot area: data (log10 units) to pixels."""

    def __init__(self, x0, y0, w, h, xr, yr):
        self.x0, self.y0, self.w, self.h, self.xr, self.yr = x0, y0, w, h, xr, yr

    def px(self, n: float, v: float) -> tuple[float, float]:
        fx = (math.log10(n) - self.xr[0]) / (self.xr[1] - self.xr[0])
        fy = (math.log10(v) - self.yr[0]) / (self.yr[1] - self.yr[0])
        return self.x0 + fx * self.w, self.y0 + (1 - fy) * self.h


def _axes(out: list, p: _Panel, dims, label: str, y_text) -> None:
    out.append(f'<rect x="{p.x0}" y="{p.y0}" width="{p.w}" height="{p.h}" fill="none" '
               f'stroke="#444" stroke-width="1"/>')
    for k in range(math.ceil(p.yr[0]), math.floor(p.yr[1]) + 1):
        _, y = p.px(10 ** p.xr[0], 10.0 ** k)
        out.append(f'<line x1="{p.x0}" y1="{y:.1f}" x2="{p.x0 + p.w}" y2="{y:.1f}" '
                   f'stroke="#ddd" stroke-width="1"/>')
        out.append(f'<text x="{p.x0 - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
                   f'{escape(y_text(10.0 ** k))}</text>')
    step = 1 if len(dims) <= 8 else 2
    for n in dims[::step]:
        x, _ = p.px(n, 10 ** p.yr[0])
        out.append(f'<line x1="{x:.1f}" y1="{p.y0}" x2="{x:.1f}" y2="{p.y0 + p.h}" '
                   f'stroke="#eee" stroke-width="1"/>')
        out.append(f'<text x="{x:.1f}" y="{p.y0 + p.h + 16}" text-anchor="middle" '
                   f'font-size="11">{n}</text>')
    out.append(f'<text x="{p.x0 + p.w / 2}" y="{p.y0 + p.h + 34}" text-anchor="middle" '
               f'font-size="12">n</text>')
    out.append(f'<text x="{p.x0}" y="{p.y0 - 8}" font-size="13">{escape(label)}</text>')


def _series(out: list, p: _Panel, runs, value) -> None:
    for m in dict.fromkeys(r.method for r in runs):
        c = colour(m)
        ok = [(r.n, value(r)) for r in runs if r.method == m and r.converged and value(r) > 0]
        pts = [p.px(n, v) for n, v in ok]
        if len(pts) > 1:
            line = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            out.append(f'<polyline points="{line}" fill="none" stroke="{c}" stroke-width="2"/>')
        out.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{c}"/>' for x, y in pts)
        for r in runs:
            if r.method == m and not r.converged and value(r) > 0:
                x, y = p.px(r.n, value(r))
                out.append(f'<path d="M{x - 5:.1f},{y - 5:.1f} L{x + 5:.1f},{y + 5:.1f} '
                           f'M{x - 5:.1f},{y + 5:.1f} L{x + 5:.1f},{y - 5:.1f}" '
                           f'stroke="{c}" stroke-width="2"/>')


def sweep_svg(runs, crossovers, heading: str, width: int = WIDTH, height: int = HEIGHT) -> str:
    """The figure of a sweep's runs (finished or partial) and crossovers as SVG 1.1 text."""
    runs = [r for r in runs if r.seconds > 0]
    dims = sorted({r.n for r in runs}) or [2, 4096]
    methods = list(dict.fromkeys(r.method for r in runs))
    words = list(crossovers)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" font-family="{FONT}" '
           f'fill="#222">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="26" text-anchor="middle" font-size="15">'
           f'{escape(heading)}</text>']
    x = 60.0
    for m in methods:  # the legend, in one row
        out.append(f'<line x1="{x}" y1="48" x2="{x + 24}" y2="48" stroke="{colour(m)}" '
                   f'stroke-width="2"/><circle cx="{x + 12}" cy="48" r="3.5" '
                   f'fill="{colour(m)}"/>')
        out.append(f'<text x="{x + 30}" y="52" font-size="12">{escape(title(m))}</text>')
        x += 42 + 7.2 * len(title(m))
    top, bottom = 90, height - 70 - 18 * len(words)
    gap, left = 90, 80
    w = (width - left - gap - 30) / 2
    h = max(bottom - top, 100)
    xr = _log_range(dims, 0.05)
    tp = _Panel(left, top, w, h, xr, _log_range([r.seconds for r in runs]))
    ip = _Panel(left + w + gap, top, w, h, xr,
                _log_range([max(r.iterations, 1) for r in runs] + [1, 10]))
    _axes(out, tp, dims, "seconds to tolerance", seconds_text)
    _axes(out, ip, dims, "iterations to tolerance", lambda v: f"{v:g}")
    _series(out, tp, runs, lambda r: r.seconds)
    _series(out, ip, runs, lambda r: max(r.iterations, 1))
    for c in words:
        if c.n_estimate and c.seconds_estimate:
            sx, sy = tp.px(c.n_estimate, c.seconds_estimate)
            out.append(f'<polygon points="{_star(sx, sy, 9)}" fill="{colour(c.method)}" '
                       f'stroke="#222" stroke-width="1"/>')
    y = top + h + 58
    for c in words:
        out.append(f'<polygon points="{_star(66, y - 4, 6)}" fill="{colour(c.method)}"/>'
                   f'<text x="78" y="{y}" font-size="12">{escape(c.text)}</text>')
        y += 18
    out.append("</svg>")
    return "\n".join(out) + "\n"
