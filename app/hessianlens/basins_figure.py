"""The command line's basins picture: the map with axes, a title and a key naming each outcome.

A bare map of colours says nothing to whoever opens the file later: which axis is x, what
range it covers, which colour is which minimum, what the dark starts are. This draws the map
as the window's basins overlay does (engine.basins.basin_image: shaded by steps) inside a
frame with ticks, and beside it one key row per outcome with its share of the starts. Drawn
with Pillow only, so `hessianlens basins --out` needs no display and no Qt.
"""

from __future__ import annotations

import math

from PIL import Image, ImageDraw, ImageFont

from hessianlens.engine.basins import (BasinMap, basin_image, outcome_colours, outcome_name,
                                       share_text)
from hessianlens.engine.explain import method_title
from hessianlens.files import atomic_path, check_png

MAP_SIDE = 512  # the map is scaled (nearest sample) to about this many pixels on its long side
KEY_ROWS = 14  # outcomes named in the key; the rest are counted in one line
FONT_PX = 14
MARGIN = dict(left=72, right=24, top=56, bottom=52)
KEY_GAP = 28
KEY_WIDTH = 300
INK = (30, 30, 30)
FRAME = (90, 90, 90)
BACKGROUND = (255, 255, 255)


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)  # a scalable font where Pillow has FreeType
    except (TypeError, OSError):  # pragma: no cover - Pillow built without FreeType
        return ImageFont.load_default()


def nice_ticks(lo: float, hi: float, target: int = 5) -> list[float]:
    """About ``target`` round values (1, 2 or 5 times a power of ten apart) within [lo, hi]."""
    span = hi - lo
    if not (span > 0 and math.isfinite(span)):
        return [lo]
    raw = span / max(target, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = min((m * power for m in (1, 2, 5, 10)), key=lambda st: abs(span / st - target))
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return [k * step + 0.0 for k in range(first, last + 1)]


def _tick_text(v: float, step: float) -> str:
    decimals = max(0, -math.floor(math.log10(step))) if step > 0 else 0
    if abs(v) >= 1e5 or (v != 0 and abs(v) < 1e-4):
        return f"{v:.3g}"
    return f"{v:.{decimals}f}"


def _fit(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> str:
    """The text, cut with an ellipsis to fit ``width`` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "...", font=font) > width:
        text = text[:-1]
    return text + "..."


def key_rows(basin_map: BasinMap) -> list[tuple[tuple[int, int, int] | None, str]]:
    """(colour, text) per key row: the largest outcomes first, the rest counted together."""
    colours = outcome_colours(basin_map.outcomes)
    order = sorted(range(len(basin_map.outcomes)), key=lambda i: -basin_map.outcomes[i].count)
    rows: list[tuple[tuple[int, int, int] | None, str]] = []
    for i in order[:KEY_ROWS]:
        o = basin_map.outcomes[i]
        rows.append((tuple(int(c) for c in colours[i]),
                     f"{outcome_name(o)}: {share_text(o.fraction)}"))
    rest = order[KEY_ROWS:]
    if rest:
        share = sum(basin_map.outcomes[i].fraction for i in rest)
        rows.append((None, f"{len(rest)} more outcomes: {share_text(share)} (all in the JSON)"))
    return rows


def render(basin_map: BasinMap, function_text: str) -> Image.Image:
    """The whole figure as an RGB image (north up)."""
    font, small = _font(FONT_PX), _font(FONT_PX - 2)
    cells = basin_image(basin_map)[::-1]  # row 0 at the top: north up
    left, top, right, bottom = map_box(basin_map)
    w, h = right - left, bottom - top
    rows = key_rows(basin_map)
    height = max(top + h + MARGIN["bottom"], top + 24 * (len(rows) + 3))
    width = left + w + KEY_GAP + KEY_WIDTH + MARGIN["right"]
    image = Image.new("RGB", (width, height), BACKGROUND)
    image.paste(Image.fromarray(cells).resize((w, h), Image.NEAREST), (left, top))
    draw = ImageDraw.Draw(image)
    draw.rectangle((left - 1, top - 1, left + w, top + h), outline=FRAME)

    rect = basin_map.rect
    for axis, lo, hi in (("x", rect.xmin, rect.xmax), ("y", rect.ymin, rect.ymax)):
        ticks = nice_ticks(lo, hi)
        step = ticks[1] - ticks[0] if len(ticks) > 1 else 0.0
        for v in ticks:
            label = _tick_text(v, step)
            if axis == "x":
                px = left + (v - lo) / (hi - lo) * w
                draw.line((px, top + h, px, top + h + 5), fill=FRAME)
                draw.text((px, top + h + 8), label, fill=INK, font=small, anchor="mt")
            else:
                py = top + h - (v - lo) / (hi - lo) * h
                draw.line((left - 6, py, left - 1, py), fill=FRAME)
                draw.text((left - 9, py), label, fill=INK, font=small, anchor="rm")
    draw.text((left + w / 2, top + h + 30), "x", fill=INK, font=font, anchor="mt")
    draw.text((16, top + h / 2), "y", fill=INK, font=font, anchor="lm")

    title = (f"Basins of {method_title(basin_map.method)}: where {basin_map.max_steps} steps "
             f"from each start end")
    draw.text((left, 10), _fit(draw, title, font, width - left - 8), fill=INK, font=font)
    draw.text((left, 32), _fit(draw, f"f = {function_text}", small, width - left - 8),
              fill=INK, font=small)

    kx, ky = left + w + KEY_GAP, top
    for colour, text in rows:
        if colour is not None:
            draw.rectangle((kx, ky + 2, kx + 16, ky + 16), fill=colour, outline=FRAME)
        draw.text((kx + 24, ky + 9), _fit(draw, text, small, KEY_WIDTH - 24), fill=INK,
                  font=small, anchor="lm")
        ky += 24
    draw.text((kx, ky + 12), _fit(draw, "darker: more steps to get there", small, KEY_WIDTH),
              fill=INK, font=small, anchor="lm")
    return image


def write_png(basin_map: BasinMap, function_text: str, path) -> None:
    """Write the figure through files.atomic_path (checked, then renamed; the old file stays
    when the write fails). Raises OSError when it cannot be written."""
    image = render(basin_map, function_text)
    with atomic_path(path, verify=check_png) as tmp, open(tmp, "wb") as fh:
        image.save(fh, format="PNG")


def map_box(basin_map: BasinMap) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the map inside the figure, for tests and crops."""
    ny, nx = basin_map.labels.shape
    scale = max(1, round(MAP_SIDE / max(nx, ny)))
    return (MARGIN["left"], MARGIN["top"], MARGIN["left"] + nx * scale,
            MARGIN["top"] + ny * scale)

