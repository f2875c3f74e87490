"""f's colours on the plane on a log scale, for functions whose valley a linear scale hides.

The colour of f is log10(1 + (f - f_min) / s) normalised to [0, 1], the 3D view's log heights
(engine.surface.HeightScale): s, a hundredth of the median's rise above the minimum, keeps the
valley floor resolved while walls 10^5 high still get colours of their own. Contour lines are
evenly spaced in the same scale, so they crowd neither the walls nor the floor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hessianlens.engine.surface import LOG, HeightScale, height_scale


@dataclass(frozen=True)
class LogColours:
    scale: HeightScale
    image: np.ndarray  # f on the grid as colours in [0, 1] (NaN where f is not finite)
    levels: np.ndarray  # f at the contour lines
    ticks: tuple[tuple[float, str], ...]  # (colour in [0, 1], f written out) for the bar


def log_ticks(scale: HeightScale) -> tuple[tuple[float, str], ...]:
    """f_min, and about f_min + 10^k for whole k where they fall on the scale, each rounded
    to a tenth of its 10^k: with f_min = -0.99997, f_min + 1 is the tick 0, not 3.19e-05."""
    span = scale.hi - scale.lo
    if not span > 0:
        return ((0.0, f"{scale.lo:.3g}"),)
    ks = range(int(np.floor(np.log10(scale.softness))), int(np.floor(np.log10(span))) + 1)
    ticks = [(float(scale.heights(scale.lo)), f"{scale.lo:.3g}")]
    for k in ks:
        # Within 0.05 * 10^k of f_min + 10^k, so still above f_min and in rising order.
        v = float(np.round(scale.lo + 10.0 ** k, 1 - k)) + 0.0  # + 0.0: no "-0"
        if v <= scale.hi:
            ticks.append((float(scale.heights(v)), f"{v:.3g}"))
    return tuple(ticks)


def log_colours(f: np.ndarray, colour_range: tuple[float, float],
                contour_levels: int = 20) -> LogColours:
    """The log colour scale of a grid of f (colour_range: its robust linear range, used only
    for a function without a finite spread)."""
    scale = height_scale(f, colour_range, LOG)
    heights = scale.heights(f)
    levels = scale.values(np.linspace(0.0, 1.0, contour_levels + 2)[1:-1])
    return LogColours(scale, heights, levels, log_ticks(scale))
